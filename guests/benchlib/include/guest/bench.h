/*
 * Printing a workload's results as BENCH lines (bench/workload_format.h, docs/workloads.md). A workload
 * measures first, keeping its samples in memory, and prints them afterwards, so that the console
 * hypercalls do not land inside what is measured:
 *
 *	bench_start("membw");
 *	bench_param("array_bytes", size);
 *	... measure into v[0..n) ...
 *	bench_series("copy", WORKLOAD_UNIT_TSC_TICKS, v, n);
 *	return bench_done();
 */
#ifndef GUEST_BENCH_H
#define GUEST_BENCH_H

#include <tessera/compiler.h>

#include "bench/workload_format.h"

/* Samples a workload keeps per metric at most (and the largest iters= it accepts). */
#define BENCH_MAX_SAMPLES 4096

void bench_start(const char *workload);
void bench_param(const char *key, uint64_t value);
void bench_sample(const char *metric, enum workload_unit unit, uint64_t iteration, uint64_t value);
/* v[0..n) as iterations 0..n-1 of one metric. */
void bench_series(const char *metric, enum workload_unit unit, const uint64_t *v, uint64_t n);
/* The done line with the number of samples printed; returns 0 (main's exit status). */
int bench_done(void);
/* A result line (printf format, no newline, at most TESSERA_RESULTS_RECORD_MAX bytes) to the results page
 * as one record and to the console as one line: what bench_param/sample/done print through. */
void bench_result_line(const char *fmt, ...) __printf(1, 2);

/*
 * The number given as `key=N` in the cell's args (decimal, or with K/M/G), `def` when absent. A value
 * outside [min, max] or a malformed one is a configuration error: the inmate says so and exits with 2.
 */
uint64_t bench_arg(const char *key, uint64_t def, uint64_t min, uint64_t max);
/* Print why and end the cell with status 2 (bad arguments) or 1 (a failed self-check). */
void __noreturn bench_fail(int status, const char *fmt, ...) __printf(2, 3);

/* RDTSC kept in program order (LFENCE on both sides): on hardware the TSC read cannot move across the
 * measured code; under TCG it is one more instruction on each side, equal in every sample. */
static inline uint64_t bench_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

#endif
