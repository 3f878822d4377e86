/*
 * The workloads' result lines (docs/workloads.md): what the inmates of guests/ print on the console and
 * bench/workload_parse.c reads back. Header only and freestanding (no libc), so that the guests' printer
 * (guests/benchlib) and the host parser share one table of units and one set of limits.
 *
 * After the hypervisor's "[cell] " prefix, each line is one of
 *
 *	BENCH <workload> <metric> <unit> <iteration> <value>	one sample
 *	BENCH <workload> param <key> <value>			a fact about the run (sizes, counts, seed)
 *	BENCH <workload> done samples=<N>			the end: N sample lines were printed
 *
 * Names (workload, metric, key) are 1-31 characters of [a-z0-9_]; "param" and "done" are not metric names.
 * Units are the words of WORKLOAD_UNITS. Iterations count from 0, one more per sample of a metric.
 * Values are unsigned 64-bit decimals: inmates have no floating point, so ratios are the host's job.
 */
#ifndef TESSERA_BENCH_WORKLOAD_FORMAT_H
#define TESSERA_BENCH_WORKLOAD_FORMAT_H

#define WORKLOAD_TAG	  "BENCH"
#define WORKLOAD_NAME_MAX 31 /* characters in a workload, metric or param name */
#define WORKLOAD_PARAM	  "param"
#define WORKLOAD_DONE	  "done"

/* X(NAME, word, meaning): the units a sample may have. */
#define WORKLOAD_UNITS(X)                                                                            \
	X(TSC_TICKS, "tsc_ticks", "TSC ticks (rdtsc deltas; instructions under -icount shift=0)")    \
	X(INSTRUCTIONS, "instructions", "guest instructions, counted by the workload itself")        \
	X(NS, "ns", "nanoseconds, converted by the inmate from TSC ticks with the boot info's rate") \
	X(BYTES, "bytes", "bytes")                                                                   \
	X(COUNT, "count", "events (interrupts, messages, exits)")

enum workload_unit {
#define WORKLOAD_UNIT_ENUM(NAME, word, meaning) WORKLOAD_UNIT_##NAME,
	WORKLOAD_UNITS(WORKLOAD_UNIT_ENUM)
#undef WORKLOAD_UNIT_ENUM
		WORKLOAD_NR_UNITS
};

/* The unit's word, or NULL for a value outside the table. */
static inline const char *workload_unit_name(unsigned int unit)
{
	static const char *const names[] = {
#define WORKLOAD_UNIT_NAME(NAME, word, meaning) word,
		WORKLOAD_UNITS(WORKLOAD_UNIT_NAME)
#undef WORKLOAD_UNIT_NAME
	};
	return unit < WORKLOAD_NR_UNITS ? names[unit] : 0;
}

static inline int workload_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

#endif
