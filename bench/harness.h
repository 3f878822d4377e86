/*
 * A small C micro-benchmark harness whose JSON output follows Google Benchmark's schema (json_schema_version
 * 1), so that Google Benchmark's tools/compare.py can compare two runs. A benchmark is a function that
 * loops on its state:
 *
 *	BENCH(format_decimal)
 *	{
 *		char buf[32];
 *		while (bench_loop(state))
 *			bench_do_not_optimize(format_snprintf(buf, sizeof(buf), "%d", 42));
 *	}
 *
 *	int main(int argc, char **argv) { return bench_main(argc, argv); }
 *
 * Flags (as Google Benchmark spells them): --benchmark_filter=REGEX (POSIX extended; "all" = every one),
 * --benchmark_repetitions=N, --benchmark_min_time=0.5s | 0.5 | 1000x (a fixed iteration count),
 * --benchmark_format=console|json (stdout), --benchmark_out=FILE with --benchmark_out_format=json.
 *
 * The iteration count grows until one run takes at least the minimum time (CPU time, as Google Benchmark
 * does for single-threaded benchmarks); later repetitions reuse it, so that aggregates compare like with
 * like. Real time is CLOCK_MONOTONIC, CPU time CLOCK_PROCESS_CPUTIME_ID; both can be replaced for tests.
 */
#ifndef TESSERA_BENCH_HARNESS_H
#define TESSERA_BENCH_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct bench_clock {
	uint64_t (*real_ns)(void);
	uint64_t (*cpu_ns)(void);
};

#define BENCH_MAX_COUNTERS 8

/* A user counter, reported as an extra key of the run (Google Benchmark's state.counters[name]). */
struct bench_counter {
	const char *name; /* a string literal or otherwise outliving the run */
	double value;
};

/* What one benchmark function sees; read `iterations` if useful, leave the rest to bench_loop(). */
struct bench_state {
	uint64_t iterations; /* this run's iteration count */
	uint64_t remaining;
	bool started, finished;
	uint64_t real_start, cpu_start;
	uint64_t real_ns, cpu_ns; /* measured, once finished */
	const struct bench_clock *clock;
	struct bench_counter counters[BENCH_MAX_COUNTERS];
	unsigned int nr_counters;
	const char *error; /* set by bench_skip_with_error() */
};

struct bench {
	const char *name;
	void (*fn)(struct bench_state *state);
	struct bench *next;
};

void bench_register(struct bench *b);

#define BENCH(name_)                                                                  \
	static void bench_fn_##name_(struct bench_state *state);                      \
	static struct bench bench_##name_ = {.name = #name_, .fn = bench_fn_##name_}; \
	__attribute__((constructor)) static void bench_register_##name_(void)         \
	{                                                                             \
		bench_register(&bench_##name_);                                       \
	}                                                                             \
	static void bench_fn_##name_(struct bench_state *state __attribute__((unused)))

/* Start and stop the clocks (the first and the last call of a run). */
bool bench_loop_edge(struct bench_state *s);

/* True once per iteration; the clocks run from the first call to the last. */
static inline bool bench_loop(struct bench_state *s)
{
	if (__builtin_expect(s->started && s->remaining != 0, 1)) {
		s->remaining--;
		return true;
	}
	return bench_loop_edge(s);
}

/* Set (or add) a counter of this run; counters past BENCH_MAX_COUNTERS are ignored. */
void bench_counter_set(struct bench_state *s, const char *name, double value);

/*
 * Report this benchmark as failed (Google Benchmark's SkipWithError): call it instead of looping, or
 * after the loop; the run is reported with error_occurred and the message, without times.
 */
void bench_skip_with_error(struct bench_state *s, const char *message);

/* Keep the compiler from dropping a computation whose result is otherwise unused. */
#define bench_do_not_optimize(v)                                     \
	do {                                                         \
		__typeof__(v) bench_v_ = (v);                        \
		__asm__ volatile("" : : "r,m"(bench_v_) : "memory"); \
	} while (0)

enum bench_format { BENCH_CONSOLE, BENCH_JSON };

struct bench_options {
	const char *filter;	   /* POSIX extended regex; NULL or "all" = every benchmark */
	unsigned int repetitions;  /* >= 1; aggregates are reported from 2 on */
	double min_time;	   /* seconds of CPU time a run must reach */
	uint64_t fixed_iterations; /* nonzero: run exactly this many iterations ("--benchmark_min_time=Nx") */
	enum bench_format format;  /* what goes to stdout */
	const char *out;	   /* also write JSON here */
	const char *executable;
};

/* Defaults, then the --benchmark_* flags. Returns 0, or -1 after printing what is wrong. */
int bench_parse_args(int argc, char **argv, struct bench_options *opts);

/* Summary statistics as Google Benchmark computes them (sample stddev; cv = stddev / mean). */
struct bench_stats {
	double mean, median, stddev, cv;
};
void bench_stats_compute(const double *v, size_t n, struct bench_stats *out);

struct json_t;
/*
 * Run every registered benchmark that matches the options, timed by `clock` (NULL: the real clocks), and
 * return the whole Google Benchmark JSON document (context and benchmarks). NULL on a bad filter or a
 * benchmark that never ran its loop (after printing why).
 */
struct json_t *bench_run(const struct bench_options *opts, const struct bench_clock *clock);

/* Print the benchmarks of a document as Google Benchmark's console reporter lays them out. */
void bench_print_console(struct json_t *doc, FILE *file);

/* Parse flags, run, report. Exit status: 0, 1 if a benchmark failed, 2 on bad flags. */
int bench_main(int argc, char **argv);

#endif
