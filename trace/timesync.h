/*
 * Host/hypervisor clock correlation through the control mailbox (TESSERA_CTL_TRACE_TIME_SYNC, as
 * trace-cmd's TSC sync does it): the host reads CLOCK_MONOTONIC, asks CPU 0 for its TSC, and reads
 * CLOCK_MONOTONIC again when the answer is there. Of a burst of exchanges the one with the shortest round
 * trip is kept: the TSC was read inside it, so pairing it with the round trip's midpoint is off by at most
 * half the round trip. Two bursts far apart also measure the TSC frequency against the host's clock.
 */
#ifndef TESSERA_TRACE_TIMESYNC_H
#define TESSERA_TRACE_TIMESYNC_H

#include <stdint.h>
#include <tessera/abi/trace.h>

struct trace_time_sync {
	unsigned int samples; /* exchanges that completed in the burst */
	int64_t mono_ns;      /* host CLOCK_MONOTONIC at the best exchange's midpoint */
	uint64_t tsc;	      /* the hypervisor's TSC in that exchange */
	uint64_t rtt_ns;      /* that exchange's round trip: the pairing is good to +- rtt_ns / 2 */
	int64_t epoch_ns;     /* CLOCK_REALTIME - CLOCK_MONOTONIC then (LTTng's monotonic clock offset) */
};

/*
 * Runs up to n exchanges on an idle mailbox (no command outstanding), each waiting at most timeout_ms
 * for CPU 0. Returns 0 with the best exchange in *out, or -1 when none completed.
 */
int trace_time_sync(struct tessera_control_mailbox *mb, unsigned int n, unsigned int timeout_ms,
		    struct trace_time_sync *out);

#endif
