/*
 * The benchmark harness: statistics from known samples, the timing loop and iteration count under a fake
 * clock that the benchmarks below advance themselves, and the JSON document parsed back with jansson.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <jansson.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

static uint64_t fake_real, fake_cpu;
static unsigned int fixed_calls;

static uint64_t fake_real_ns(void)
{
	return fake_real;
}
static uint64_t fake_cpu_ns(void)
{
	return fake_cpu;
}
static const struct bench_clock fake_clock = {fake_real_ns, fake_cpu_ns};

/* Per-iteration times that change with each call: the samples the aggregates are computed from. */
static const uint64_t fixed_real[] = {100, 200, 300, 400};
static const uint64_t fixed_cpu[] = {50, 50, 60, 80};

BENCH(harness_test_fixed)
{
	unsigned int k = fixed_calls++ % 4;
	while (bench_loop(state)) {
		fake_real += fixed_real[k];
		fake_cpu += fixed_cpu[k];
	}
}

/* 1 us of CPU time (1.5 us of real time) per iteration */
BENCH(harness_test_auto)
{
	while (bench_loop(state)) {
		fake_real += 1500;
		fake_cpu += 1000;
	}
}

/* Forgets to loop: the harness must notice rather than report a time. */
BENCH(harness_test_broken)
{
}

/* Counts its iterations in a user counter. */
BENCH(harness_test_counters)
{
	uint64_t n = 0;
	while (bench_loop(state)) {
		fake_real += 10;
		fake_cpu += 10;
		n++;
	}
	bench_counter_set(state, "loops", (double)n);
	bench_counter_set(state, "loops", (double)n * 2); /* the last value of a name wins */
	bench_counter_set(state, "half", (double)n / 2);
}

/* Cannot run: reports why instead of a time. */
BENCH(harness_test_error)
{
	bench_skip_with_error(state, "no session daemon");
}

#define EPS 1e-9

/*
 * Tests that provoke the harness's error messages or its console table capture stdout and stderr (as
 * .init), so that `./tessera test` shows no error lines that are not failures, and check the messages.
 */
static void capture_output(void)
{
	cr_redirect_stdout();
	cr_redirect_stderr();
}

/* Everything written to stderr so far (static buffer). */
static const char *captured_stderr(void)
{
	static char text[8192];
	fflush(stderr);
	FILE *f = cr_get_redirected_stderr();
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	return text;
}

static void expect_close(double got, double want, const char *what)
{
	cr_expect(fabs(got - want) <= EPS * fmax(1.0, fabs(want)), "%s: got %.17g, want %.17g", what, got,
		  want);
}

Test(harness, statistics_from_known_samples)
{
	struct bench_stats s;
	const double four[] = {4, 1, 3, 2};

	bench_stats_compute(four, 4, &s);
	expect_close(s.mean, 2.5, "mean");
	expect_close(s.median, 2.5, "median of an even count");
	expect_close(s.stddev, sqrt(5.0 / 3.0), "sample stddev");
	expect_close(s.cv, sqrt(5.0 / 3.0) / 2.5, "cv");

	const double odd[] = {10, 1, 2, 100, 3};
	bench_stats_compute(odd, 5, &s);
	expect_close(s.mean, 23.2, "mean");
	expect_close(s.median, 3, "median of an odd count, unsorted input");
	cr_expect_eq(odd[0], 10, "input left unsorted");

	const double two[] = {1, 9};
	bench_stats_compute(two, 2, &s);
	expect_close(s.median, 5, "fewer than three samples: median is the mean");
	expect_close(s.stddev, sqrt(32.0), "stddev of two");

	const double one[] = {7};
	bench_stats_compute(one, 1, &s);
	expect_close(s.mean, 7, "mean of one");
	cr_expect_eq(s.stddev, 0);
	cr_expect_eq(s.cv, 0);

	const double zeros[] = {0, 0, 0};
	bench_stats_compute(zeros, 3, &s);
	cr_expect_eq(s.cv, 0, "no division by a zero mean");
}

static struct bench_options options(const char *filter, unsigned int reps, uint64_t fixed, double min_time)
{
	return (struct bench_options){.filter = filter,
				      .repetitions = reps,
				      .fixed_iterations = fixed,
				      .min_time = min_time,
				      .executable = "harness_test"};
}

static json_t *run_at(json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "benchmarks"), i);
}

static double num(json_t *run, const char *key)
{
	json_t *v = json_object_get(run, key);
	cr_assert(json_is_number(v), "%s is not a number", key);
	return json_number_value(v);
}

static const char *str(json_t *run, const char *key)
{
	json_t *v = json_object_get(run, key);
	cr_assert(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

Test(harness, repetitions_and_aggregates_under_a_fake_clock)
{
	struct bench_options o = options("^harness_test_fixed$", 4, 10, 0.5);
	json_t *doc = bench_run(&o, &fake_clock);

	cr_assert_not_null(doc);
	cr_assert_eq(json_array_size(json_object_get(doc, "benchmarks")), 4 + 4);
	for (size_t r = 0; r < 4; r++) {
		json_t *run = run_at(doc, r);
		cr_expect_str_eq(str(run, "name"), "harness_test_fixed");
		cr_expect_str_eq(str(run, "run_type"), "iteration");
		cr_expect_eq(num(run, "repetition_index"), r);
		cr_expect_eq(num(run, "repetitions"), 4);
		cr_expect_eq(num(run, "iterations"), 10);
		expect_close(num(run, "real_time"), (double)fixed_real[r], "real_time");
		expect_close(num(run, "cpu_time"), (double)fixed_cpu[r], "cpu_time");
	}
	static const char *const names[] = {"mean", "median", "stddev", "cv"};
	const double real_sd = sqrt((150.0 * 150 + 50 * 50 + 50 * 50 + 150 * 150) / 3);
	const double cpu_mean = 60, cpu_sd = sqrt((10.0 * 10 + 10 * 10 + 0 + 20 * 20) / 3);
	const double want_real[] = {250, 250, real_sd, real_sd / 250};
	const double want_cpu[] = {cpu_mean, 55, cpu_sd, cpu_sd / cpu_mean};
	for (size_t a = 0; a < 4; a++) {
		json_t *run = run_at(doc, 4 + a);
		char name[64];
		snprintf(name, sizeof(name), "harness_test_fixed_%s", names[a]);
		cr_expect_str_eq(str(run, "name"), name);
		cr_expect_str_eq(str(run, "run_name"), "harness_test_fixed");
		cr_expect_str_eq(str(run, "run_type"), "aggregate");
		cr_expect_str_eq(str(run, "aggregate_name"), names[a]);
		cr_expect_str_eq(str(run, "aggregate_unit"), a == 3 ? "percentage" : "time");
		cr_expect_null(json_object_get(run, "repetition_index"),
			       "aggregates have no repetition_index");
		cr_expect_eq(num(run, "iterations"), 4, "an aggregate's iterations are the repetitions");
		expect_close(num(run, "real_time"), want_real[a], names[a]);
		expect_close(num(run, "cpu_time"), want_cpu[a], names[a]);
	}
	json_decref(doc);
}

Test(harness, iteration_count_grows_to_the_min_time_and_is_reused)
{
	struct bench_options o = options("harness_test_auto", 3, 0, 0.02);
	json_t *doc = bench_run(&o, &fake_clock);

	cr_assert_not_null(doc);
	cr_assert_eq(json_array_size(json_object_get(doc, "benchmarks")), 3 + 4);
	for (size_t r = 0; r < 3; r++) {
		json_t *run = run_at(doc, r);
		/*
		 * 1 us of CPU time per iteration: 1, 10, 100, 1000 (x10 while under a tenth of the target),
		 * 10000 = 10 ms, half the target: 1.4 x 20 / 10 = 2.8 times more, 28000 = 28 ms.
		 */
		cr_expect_eq(num(run, "iterations"), 28000, "repetition %zu", r);
		expect_close(num(run, "real_time"), 1500, "real_time");
		expect_close(num(run, "cpu_time"), 1000, "cpu_time");
	}
	expect_close(num(run_at(doc, 5), "real_time"), 0, "stddev of identical runs");
	json_decref(doc);

	/* a single repetition has no aggregates */
	o = options("harness_test_auto", 1, 0, 0.003);
	doc = bench_run(&o, &fake_clock);
	cr_assert_eq(json_array_size(json_object_get(doc, "benchmarks")), 1);
	/* 1000 iterations take 1 ms, a third of the target: aim 40 % past it, 4200 iterations */
	cr_expect_eq(num(run_at(doc, 0), "iterations"), 4200);
	json_decref(doc);
}

Test(harness, filter_selects_and_numbers_families, .init = capture_output)
{
	struct bench_options o = options("harness_test_(auto|fixed)", 1, 5, 0.5);
	json_t *doc = bench_run(&o, &fake_clock);

	cr_assert_not_null(doc);
	cr_assert_eq(json_array_size(json_object_get(doc, "benchmarks")), 2);
	cr_expect_str_eq(str(run_at(doc, 0), "name"), "harness_test_fixed", "registration order");
	cr_expect_eq(num(run_at(doc, 0), "family_index"), 0);
	cr_expect_str_eq(str(run_at(doc, 1), "name"), "harness_test_auto");
	cr_expect_eq(num(run_at(doc, 1), "family_index"), 1, "numbered among the selected");
	json_decref(doc);

	o = options("no_such_benchmark", 1, 5, 0.5);
	doc = bench_run(&o, &fake_clock);
	cr_assert_not_null(doc);
	cr_expect_eq(json_array_size(json_object_get(doc, "benchmarks")), 0);
	json_decref(doc);

	o = options("harness_test_(", 1, 5, 0.5);
	cr_expect_null(bench_run(&o, &fake_clock), "a bad regex is an error");
	cr_expect(strstr(captured_stderr(), "bad --benchmark_filter regex 'harness_test_('"), "said: %s",
		  captured_stderr());
}

Test(harness, a_benchmark_that_never_loops_is_an_error, .init = capture_output)
{
	struct bench_options o = options("harness_test_broken", 1, 5, 0.5);
	cr_expect_null(bench_run(&o, &fake_clock));
	cr_expect(strstr(captured_stderr(), "harness_test_broken: the benchmark returned without finishing"),
		  "said: %s", captured_stderr());
}

Test(harness, user_counters_are_keys_of_the_run)
{
	struct bench_options o = options("harness_test_counters", 2, 8, 0.5);
	json_t *doc = bench_run(&o, &fake_clock);

	cr_assert_not_null(doc);
	for (size_t i = 0; i < 2; i++) {
		expect_close(json_number_value(json_object_get(run_at(doc, i), "loops")), 16, "loops");
		expect_close(json_number_value(json_object_get(run_at(doc, i), "half")), 4, "half");
	}
	json_decref(doc);
}

Test(harness, a_benchmark_can_fail_with_a_message)
{
	struct bench_options o = options("harness_test_(error|counters)", 3, 8, 0.5);
	json_t *doc = bench_run(&o, &fake_clock);

	cr_assert_not_null(doc, "an error is reported, not a harness failure");
	json_t *list = json_object_get(doc, "benchmarks");
	cr_assert_eq(json_array_size(list), 1 + 3 + 4,
		     "one error entry, no aggregates of it; the other runs");
	json_t *err = json_array_get(list, 3 + 4); /* registration order: counters first */
	cr_expect_str_eq(str(err, "name"), "harness_test_error");
	cr_expect(json_is_true(json_object_get(err, "error_occurred")));
	cr_expect_str_eq(str(err, "error_message"), "no session daemon");
	cr_expect_null(json_object_get(err, "real_time"), "no time for a failed run");
	json_decref(doc);
}

static int parse(struct bench_options *o, int argc, const char **argv)
{
	return bench_parse_args(argc, (char **)argv, o);
}

Test(harness, flags, .init = capture_output)
{
	struct bench_options o;
	const char *none[] = {"prog"};
	cr_assert_eq(parse(&o, 1, none), 0);
	cr_expect_null(o.filter);
	cr_expect_eq(o.repetitions, 1);
	cr_expect_eq(o.min_time, 0.5);
	cr_expect_eq(o.fixed_iterations, 0);
	cr_expect_eq(o.format, BENCH_CONSOLE);
	cr_expect_null(o.out);
	cr_expect_str_eq(o.executable, "prog");

	const char *all[] = {"prog",
			     "--benchmark_filter=a|b",
			     "--benchmark_repetitions=7",
			     "--benchmark_min_time=0.25s",
			     "--benchmark_format=json",
			     "--benchmark_out=x.json",
			     "--benchmark_out_format=json"};
	cr_assert_eq(parse(&o, 7, all), 0);
	cr_expect_str_eq(o.filter, "a|b");
	cr_expect_eq(o.repetitions, 7);
	cr_expect_eq(o.min_time, 0.25);
	cr_expect_eq(o.format, BENCH_JSON);
	cr_expect_str_eq(o.out, "x.json");

	const char *iters[] = {"prog", "--benchmark_min_time=1000x"};
	cr_assert_eq(parse(&o, 2, iters), 0);
	cr_expect_eq(o.fixed_iterations, 1000);
	const char *secs[] = {"prog", "--benchmark_min_time=2"};
	cr_assert_eq(parse(&o, 2, secs), 0);
	cr_expect_eq(o.min_time, 2.0);

	static const char *const bad[] = {
		"--benchmark_repetitions=0",  "--benchmark_repetitions=x", "--benchmark_min_time=fast",
		"--benchmark_min_time=1.5x",  "--benchmark_min_time=0x",   "--benchmark_format=csv",
		"--benchmark_out_format=csv", "--benchmark_nonsense=1",	   "--benchmark_filter"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *argv[] = {"prog", bad[i]};
		cr_expect_eq(parse(&o, 2, argv), -1, "%s should be rejected", bad[i]);
	}
	/* each refusal names what was wrong */
	static const char *const said[] = {"not '0'",
					   "not 'x'",
					   "not 'fast'",
					   "not '1.5x'",
					   "not '0x'",
					   "not 'csv'",
					   "unknown argument '--benchmark_nonsense=1'",
					   "unknown argument '--benchmark_filter'"};
	const char *text = captured_stderr();
	for (size_t i = 0; i < sizeof(said) / sizeof(said[0]); i++)
		cr_expect(strstr(text, said[i]), "no \"%s\" in: %s", said[i], text);
}

static void expect_keys(json_t *obj, const char *const *keys, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++)
		cr_expect_not_null(json_object_get(obj, keys[i]), "%s lacks \"%s\"", what, keys[i]);
}

/* End to end on the real clocks: bench_main writes a file that parses back with every key in place. */
Test(harness, json_output_parses_back_with_every_key, .init = capture_output)
{
	char path[] = "/tmp/tessera-bench-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	char out_flag[64];
	snprintf(out_flag, sizeof(out_flag), "--benchmark_out=%s", path);
	const char *argv[] = {"harness_test", "--benchmark_filter=^harness_test_fixed$",
			      "--benchmark_repetitions=3", "--benchmark_min_time=1000x", out_flag};
	cr_assert_eq(bench_main(5, (char **)argv), 0);

	json_error_t err;
	json_t *doc = json_load_file(path, 0, &err);
	unlink(path);
	cr_assert_not_null(doc, "%s:%d: %s", path, err.line, err.text);

	json_t *ctx = json_object_get(doc, "context");
	static const char *const ctx_keys[] = {"date",
					       "host_name",
					       "executable",
					       "num_cpus",
					       "mhz_per_cpu",
					       "cpu_scaling_enabled",
					       "caches",
					       "load_avg",
					       "library_build_type",
					       "library_version",
					       "json_schema_version"};
	expect_keys(ctx, ctx_keys, sizeof(ctx_keys) / sizeof(ctx_keys[0]), "context");
	cr_expect_str_eq(str(ctx, "executable"), "harness_test");
	cr_expect_gt(num(ctx, "num_cpus"), 0);
	cr_expect(json_is_integer(json_object_get(ctx, "mhz_per_cpu")));
	cr_expect(json_is_boolean(json_object_get(ctx, "cpu_scaling_enabled")));
	cr_expect(json_is_array(json_object_get(ctx, "caches")));
	cr_expect(json_is_array(json_object_get(ctx, "load_avg")));
	regex_t date;
	cr_assert_eq(regcomp(&date,
			     "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}$",
			     REG_EXTENDED | REG_NOSUB),
		     0);
	cr_expect_eq(regexec(&date, str(ctx, "date"), 0, NULL, 0), 0, "date '%s'", str(ctx, "date"));
	regfree(&date);

	json_t *list = json_object_get(doc, "benchmarks");
	cr_assert_eq(json_array_size(list), 3 + 4);
	static const char *const run_keys[] = {"name",	   "family_index", "per_family_instance_index",
					       "run_name", "run_type",	   "repetitions",
					       "threads",  "iterations",   "real_time",
					       "cpu_time", "time_unit"};
	static const char *const iter_keys[] = {"repetition_index"};
	static const char *const agg_keys[] = {"aggregate_name", "aggregate_unit"};
	size_t i;
	json_t *run;
	json_array_foreach(list, i, run)
	{
		expect_keys(run, run_keys, sizeof(run_keys) / sizeof(run_keys[0]), "run");
		cr_expect_str_eq(str(run, "time_unit"), "ns");
		cr_expect_eq(num(run, "threads"), 1);
		cr_expect(json_is_real(json_object_get(run, "real_time")));
		cr_expect_geq(num(run, "cpu_time"), 0);
		if (i < 3) {
			cr_expect_str_eq(str(run, "run_type"), "iteration");
			expect_keys(run, iter_keys, 1, "iteration run");
			cr_expect_eq(num(run, "iterations"), 1000);
			cr_expect_gt(num(run, "real_time"), 0, "the real clock moved");
		} else {
			cr_expect_str_eq(str(run, "run_type"), "aggregate");
			expect_keys(run, agg_keys, 2, "aggregate run");
		}
	}
	json_decref(doc);
}
