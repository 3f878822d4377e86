/* Host side of the clock correlation (see timesync.h). */
#include <time.h>

#include "timesync.h"

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One exchange; 0 with t0/t1 and the TSC, -1 on timeout (the command stays counted: seq moved on). */
static int exchange(struct tessera_control_mailbox *mb, unsigned int timeout_ms, int64_t *t0, int64_t *t1,
		    uint64_t *tsc)
{
	uint32_t seq = __atomic_load_n(&mb->seq, __ATOMIC_RELAXED) + 1;
	/* CPU 0 looks at the mailbox about every millisecond: poll faster than that, without spinning. */
	struct timespec nap = {0, 20000};

	mb->op = TESSERA_CTL_TRACE_TIME_SYNC;
	mb->req.args[2] = 0;
	*t0 = clock_ns(CLOCK_MONOTONIC);
	__atomic_store_n(&mb->seq, seq, __ATOMIC_RELEASE);
	while (__atomic_load_n(&mb->ack, __ATOMIC_ACQUIRE) != seq) {
		if (clock_ns(CLOCK_MONOTONIC) - *t0 > (int64_t)timeout_ms * 1000000)
			return -1;
		nanosleep(&nap, NULL);
	}
	*t1 = clock_ns(CLOCK_MONOTONIC);
	*tsc = __atomic_load_n(&mb->req.args[2], __ATOMIC_RELAXED);
	return mb->result == 0 ? 0 : -1;
}

int trace_time_sync(struct tessera_control_mailbox *mb, unsigned int n, unsigned int timeout_ms,
		    struct trace_time_sync *out)
{
	struct trace_time_sync best = {0};

	for (unsigned int i = 0; i < n; i++) {
		int64_t t0, t1;
		uint64_t tsc;

		if (exchange(mb, timeout_ms, &t0, &t1, &tsc))
			break; /* CPU 0 no longer answers (shutting down): keep what we have */
		if (!best.samples || (uint64_t)(t1 - t0) < best.rtt_ns) {
			best.mono_ns = t0 + (t1 - t0) / 2;
			best.tsc = tsc;
			best.rtt_ns = (uint64_t)(t1 - t0);
			best.epoch_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
		}
		best.samples++;
	}
	if (!best.samples)
		return -1;
	*out = best;
	return 0;
}
