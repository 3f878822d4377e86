/* The micro-benchmark harness: registry, timing loop, iteration count, repetitions, statistics, flags. */
#include <jansson.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "harness.h"
#include "harness_report.h"

static struct bench *bench_list, **bench_tail = &bench_list;

/* Registration order is run order (constructors run in definition order within a file). */
void bench_register(struct bench *b)
{
	b->next = NULL;
	*bench_tail = b;
	bench_tail = &b->next;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t real_clock_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static uint64_t cpu_clock_ns(void)
{
	return clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

static const struct bench_clock system_clock = {real_clock_ns, cpu_clock_ns};

bool bench_loop_edge(struct bench_state *s)
{
	if (!s->started) {
		s->started = true;
		s->remaining = s->iterations - 1;
		s->real_start = s->clock->real_ns();
		s->cpu_start = s->clock->cpu_ns();
		return true;
	}
	if (!s->finished) {
		/* CPU first on the way out, real first on the way in: real time encloses CPU time */
		s->cpu_ns = s->clock->cpu_ns() - s->cpu_start;
		s->real_ns = s->clock->real_ns() - s->real_start;
		s->finished = true;
	}
	return false;
}

void bench_counter_set(struct bench_state *s, const char *name, double value)
{
	for (unsigned int i = 0; i < s->nr_counters; i++)
		if (!strcmp(s->counters[i].name, name)) {
			s->counters[i].value = value;
			return;
		}
	if (s->nr_counters < BENCH_MAX_COUNTERS)
		s->counters[s->nr_counters++] = (struct bench_counter){name, value};
}

void bench_skip_with_error(struct bench_state *s, const char *message)
{
	s->error = message ? message : "error";
}

/* One run of `iterations` iterations; false if the benchmark never finished its loop (nor gave an error). */
static bool run_once(const struct bench *b, const struct bench_clock *clock, uint64_t iterations,
		     struct bench_state *s)
{
	*s = (struct bench_state){.iterations = iterations, .clock = clock};
	b->fn(s);
	return s->finished || s->error;
}

#define MAX_ITERATIONS 1000000000ULL

/*
 * Grow the iteration count until a run reaches the minimum CPU time, as Google Benchmark does: aim 40 %
 * past the target from what the last run measured, at most ten times more when that run was very short.
 */
static bool run_until_min_time(const struct bench *b, const struct bench_options *opts,
			       const struct bench_clock *clock, struct bench_state *s)
{
	uint64_t iters = opts->fixed_iterations ? opts->fixed_iterations : 1;

	for (;;) {
		if (!run_once(b, clock, iters, s))
			return false;
		if (s->error)
			return true;
		double seconds = (double)s->cpu_ns / 1e9;
		if (opts->fixed_iterations || seconds >= opts->min_time || iters >= MAX_ITERATIONS)
			return true;
		double multiplier = opts->min_time * 1.4 / (seconds > 1e-9 ? seconds : 1e-9);
		if (seconds / opts->min_time <= 0.1 && multiplier > 10.0)
			multiplier = 10.0;
		double next = round((double)iters * multiplier);
		uint64_t n = next >= (double)MAX_ITERATIONS ? MAX_ITERATIONS : (uint64_t)next;
		iters = n > iters ? n : iters + 1;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void bench_stats_compute(const double *v, size_t n, struct bench_stats *out)
{
	*out = (struct bench_stats){0};
	if (n == 0)
		return;
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	out->mean = sum / (double)n;

	/* Google Benchmark takes the mean as the median of fewer than three samples */
	double *sorted = malloc(n * sizeof(*sorted));
	memcpy(sorted, v, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_double);
	if (n < 3)
		out->median = out->mean;
	else
		out->median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	free(sorted);

	if (n < 2)
		return; /* the sample standard deviation of one value is reported as 0 */
	double ss = 0;
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - out->mean) * (v[i] - out->mean);
	out->stddev = sqrt(ss / (double)(n - 1));
	out->cv = out->mean != 0 ? out->stddev / out->mean : 0;
}

static bool name_matches(const char *name, regex_t *re)
{
	return !re || regexec(re, name, 0, NULL, 0) == 0;
}

/* The repetitions of one benchmark, then (from two repetitions on) its mean, median, stddev and cv. */
static bool run_benchmark(const struct bench *b, int family, const struct bench_options *opts,
			  const struct bench_clock *clock, json_t *list)
{
	unsigned int reps = opts->repetitions;
	double *real = calloc(reps, sizeof(*real)), *cpu = calloc(reps, sizeof(*cpu));
	struct bench_state s;
	uint64_t iters = 0;
	bool ok = true;

	for (unsigned int r = 0; r < reps && ok; r++) {
		if (r == 0)
			ok = run_until_min_time(b, opts, clock, &s);
		else
			ok = run_once(b, clock, iters, &s);
		if (!ok)
			break;
		if (s.error) {
			json_array_append_new(list, bench_report_error(b->name, family, reps, r, s.error));
			reps = 0; /* no aggregates over a failed benchmark */
			break;
		}
		iters = s.iterations;
		real[r] = (double)s.real_ns / (double)iters;
		cpu[r] = (double)s.cpu_ns / (double)iters;
		json_t *run = bench_report_iteration(b->name, family, reps, r, iters, real[r], cpu[r]);
		for (unsigned int c = 0; c < s.nr_counters; c++)
			json_object_set_new(run, s.counters[c].name, json_real(s.counters[c].value));
		json_array_append_new(list, run);
	}
	if (!ok) {
		fprintf(stderr, "bench: %s: the benchmark returned without finishing its bench_loop()\n",
			b->name);
	} else if (reps >= 2) {
		struct bench_stats rs, cs;
		bench_stats_compute(real, reps, &rs);
		bench_stats_compute(cpu, reps, &cs);
		json_array_append_new(
			list, bench_report_aggregate(b->name, family, reps, "mean", rs.mean, cs.mean));
		json_array_append_new(
			list, bench_report_aggregate(b->name, family, reps, "median", rs.median, cs.median));
		json_array_append_new(
			list, bench_report_aggregate(b->name, family, reps, "stddev", rs.stddev, cs.stddev));
		json_array_append_new(list,
				      bench_report_aggregate(b->name, family, reps, "cv", rs.cv, cs.cv));
	}
	free(real);
	free(cpu);
	return ok;
}

json_t *bench_run(const struct bench_options *opts, const struct bench_clock *clock)
{
	regex_t re;
	bool use_re = opts->filter && strcmp(opts->filter, "all") != 0 && strcmp(opts->filter, "") != 0;

	if (use_re && regcomp(&re, opts->filter, REG_EXTENDED | REG_NOSUB) != 0) {
		fprintf(stderr, "bench: bad --benchmark_filter regex '%s'\n", opts->filter);
		return NULL;
	}
	json_t *list = json_array();
	int family = 0;
	bool ok = true;
	for (const struct bench *b = bench_list; b && ok; b = b->next) {
		if (!name_matches(b->name, use_re ? &re : NULL))
			continue;
		ok = run_benchmark(b, family++, opts, clock ? clock : &system_clock, list);
	}
	if (use_re)
		regfree(&re);
	if (!ok) {
		json_decref(list);
		return NULL;
	}
	json_t *doc = json_object();
	json_object_set_new(doc, "context", bench_report_context(opts->executable));
	json_object_set_new(doc, "benchmarks", list);
	return doc;
}
