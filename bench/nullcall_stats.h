/*
 * Summaries of the nullcall inmate's samples (guests/nullcall), and the one console line it prints. Header
 * only and freestanding (stdint, no libc), so that the guest and the host tool share the same code and the
 * host's unit tests check what the guest computes.
 *
 * The line (one, at the end of the run; every value a decimal count of TSC ticks, which under
 * `-icount shift=0,sleep=off` are instructions):
 *
 *	nullcall: calls=N call_min=A call_median=B empty_min=C empty_median=D net=E total=F loop_check=G
 *
 * call_*: rdtsc to rdtsc around one VMMCALL(NOP); empty_*: the same guest sequence without the VMMCALL;
 * net = call_median - empty_median: what the hypervisor spends on the round trip (from the exit to the
 * VMRUN that resumes the guest, plus the VMMCALL and VMRUN themselves); total: rdtsc around N plain
 * hypercall_nop() calls; loop_check: ticks of a loop of 2000 known instructions minus the same loop
 * with none (2000 when the TSC counts instructions exactly).
 */
#ifndef TESSERA_BENCH_NULLCALL_STATS_H
#define TESSERA_BENCH_NULLCALL_STATS_H

#include <stddef.h>
#include <stdint.h>

#define NULLCALL_LOOP_INSNS 2000 /* instructions in the loop_check loop: 1000 x (dec, jnz) */

struct nullcall_summary {
	uint64_t min, median, max;
};

/* Insertion sort: the guest has no qsort, and a few thousand samples sort quickly enough. */
static inline void nullcall_sort(uint64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint64_t x = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Sorts v in place. The median of an even count is the mean of the middle two, rounded down. */
static inline struct nullcall_summary nullcall_summarize(uint64_t *v, size_t n)
{
	struct nullcall_summary s = {0, 0, 0};

	if (n == 0)
		return s;
	nullcall_sort(v, n);
	s.min = v[0];
	s.max = v[n - 1];
	s.median = n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
	return s;
}

/* What the line reports; `net` is computed, never negative (0 if the empty sequence cost more). */
struct nullcall_result {
	uint64_t calls, call_min, call_median, empty_min, empty_median, net, total, loop_check;
};

static inline uint64_t nullcall_net(uint64_t call_median, uint64_t empty_median)
{
	return call_median > empty_median ? call_median - empty_median : 0;
}

#endif
