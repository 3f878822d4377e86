/*
 * out/bench_trace_cost: the cost of one trace event on the host, our ring writer against LTTng-UST, in
 * one run and one Google Benchmark JSON document. Four benchmarks, all writing the payload of our `exit`
 * event (a 64-byte record in our ring):
 *
 *   ring_writer_exit_enabled    trace_exit() (trace/write.h) into a 1 MiB ring, event enabled; a
 *                               consumer frees the ring every 1024 writes, so the figure is of writes
 *                               that succeed (counters `written` and `lost` say how many did)
 *   ring_writer_exit_disabled   the same call with the event's enable bit clear
 *   lttng_ust_exit_no_session   an LTTng-UST tracepoint with the same fields, no session enabling it
 *   lttng_ust_exit_recorded     the same tracepoint while an LTTng session records it (per-user
 *                               buffers, discard mode, written to $TMPDIR); counters `recorded` and
 *                               `discarded` (buffers full: the consumer daemon could not keep up)
 *
 * Our writer's clock is RDTSC, as the hypervisor's trace_clock(); LTTng reads its monotonic clock. The
 * program starts lttng-sessiond when none runs, creates the session just before the recorded benchmark,
 * and destroys both (the daemon only if it started it) before it exits.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tessera/abi/cell_stats.h>
#include <unistd.h>

#include "bench/trace_cost_tp.h"
#include "harness.h"
#include "lttng_session.h"
#include "trace/write.h"

#define RING_SIZE     (1u << 20)
#define CONSUME_EVERY 1024 /* writes between two frees: 64 KiB of a 1 MiB ring */

uint64_t trace_enabled[TESSERA_TRACE_MAX_CELLS + 1];
struct trace_ring *trace_cpu_rings[TESSERA_TRACE_MAX_CPUS];

uint64_t trace_clock(void)
{
#if defined(__x86_64__)
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
#else
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

static struct tessera_trace_ring_desc ring_desc;
static struct trace_ring ring;
static void *ring_data;

static void ring_setup(bool enabled)
{
	if (!ring_data)
		ring_data = aligned_alloc(64, RING_SIZE);
	trace_ring_init(&ring, &ring_desc, ring_data, RING_SIZE, 0);
	memset(trace_enabled, 0, sizeof(trace_enabled));
	trace_enabled[0 + 1] = enabled ? 1ULL << TESSERA_TRACE_EV_exit : 0;
	trace_cpu_rings[0] = &ring;
}

/* What the host's drain does to the ring, without the copy: mark everything published as consumed. */
static inline void ring_consume_all(void)
{
	__atomic_store_n(&ring_desc.tail, __atomic_load_n(&ring_desc.head, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
}

static void ring_writer_exit(struct bench_state *state, bool enabled)
{
	uint64_t i = 0;

	ring_setup(enabled);
	while (bench_loop(state)) {
		trace_point(exit, 0, 0, TESSERA_ER_HYPERCALL, 0, 0x100000 + i, 0x81, i, 0);
		if (++i % CONSUME_EVERY == 0)
			ring_consume_all();
	}
	bench_counter_set(state, "written", (double)(ring_desc.seq - ring_desc.lost));
	bench_counter_set(state, "lost", (double)ring_desc.lost);
	if (enabled && (ring_desc.seq - ring_desc.lost) + ring_desc.lost != state->iterations)
		bench_skip_with_error(state, "the ring's counters do not add up to the iterations");
	if (!enabled && (ring_desc.seq - ring_desc.lost) + ring_desc.lost != 0)
		bench_skip_with_error(state, "a disabled event reached the ring");
	trace_cpu_rings[0] = NULL;
	memset(trace_enabled, 0, sizeof(trace_enabled));
}

BENCH(ring_writer_exit_enabled)
{
	ring_writer_exit(state, true);
}

BENCH(ring_writer_exit_disabled)
{
	ring_writer_exit(state, false);
}

static void lttng_exit_loop(struct bench_state *state)
{
	uint64_t i = 0;

	while (bench_loop(state)) {
		lttng_ust_tracepoint(tessera_bench, exit, TESSERA_ER_HYPERCALL, 0, 0x100000 + i, 0x81, i, 0);
		i++;
	}
}

static struct lttng_session session;
static bool session_failed;

BENCH(lttng_ust_exit_no_session)
{
	/* Held until main() ends: no other suite's session may enable the event meanwhile. */
	if (lttng_session_lock(&session)) {
		bench_skip_with_error(state, session.error);
		return;
	}
	if (lttng_ust_tracepoint_enabled(tessera_bench, exit)) {
		bench_skip_with_error(state, "tessera_bench:exit is enabled: another session records it");
		return;
	}
	lttng_exit_loop(state);
}

/* The session outlives a run (the harness calls a benchmark several times); main() destroys it. */
static bool session_ready(struct bench_state *state)
{
	if (session_failed)
		goto fail;
	if (!session.started &&
	    (lttng_session_daemon(&session) || lttng_session_start(&session, "tessera_bench:exit")))
		goto fail_once;
	/* The daemon tells registered applications before `lttng start` returns; a daemon we just started
	 * may still be waiting for us to register, so give it a few seconds. */
	for (int i = 0; i < 500 && !lttng_ust_tracepoint_enabled(tessera_bench, exit); i++)
		usleep(10000);
	if (lttng_ust_tracepoint_enabled(tessera_bench, exit))
		return true;
	snprintf(session.error, sizeof(session.error),
		 "session %s started but tessera_bench:exit is not enabled in this process", session.name);
fail_once:
	session_failed = true;
fail:
	bench_skip_with_error(state, session.error);
	return false;
}

BENCH(lttng_ust_exit_recorded)
{
	if (!session_ready(state))
		return;
	int64_t before = lttng_session_discarded(&session);
	lttng_exit_loop(state);
	int64_t after = lttng_session_discarded(&session);
	if (before < 0 || after < 0) {
		bench_skip_with_error(state, "cannot read the session's discarded-event count");
		return;
	}
	bench_counter_set(state, "recorded", (double)(state->iterations - (uint64_t)(after - before)));
	bench_counter_set(state, "discarded", (double)(after - before));
}

int main(int argc, char **argv)
{
	int status = bench_main(argc, argv);

	lttng_session_destroy(&session);
	free(ring_data);
	return status;
}
