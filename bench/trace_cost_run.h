/* Running `tessera bench trace-cost` (options parsed by cmd_bench.c). */
#ifndef TESSERA_BENCH_TRACE_COST_RUN_H
#define TESSERA_BENCH_TRACE_COST_RUN_H

#include <stdbool.h>
#include <stdint.h>

struct trace_cost_options {
	const char *out;      /* Google Benchmark JSON of the host benchmarks; NULL: beside the executable */
	const char *min_time; /* passed as --benchmark_min_time */
	const char *config;   /* the nullcall system, NULL: configs/bench-nullcall.yaml */
	unsigned int boots;   /* boots per case; their counts must agree */
	bool no_host, no_hv, help;
};

/* "tessera trace record: N events (B bytes), L lost, ..." in text: 0 with *events and *lost, else -1. */
int trace_cost_parse_record(const char *text, uint64_t *events, uint64_t *lost);

/* The exit status of the command: 0, 1 when something failed (said on stderr), 130 or 143 when SIGINT or
 * SIGTERM stopped it (the running child is stopped and reaped first). */
int trace_cost_run(const struct trace_cost_options *o);

#endif
