/*
 * `tessera bench trace-cost`: the nullcall instruction counts are the same in two separate runs and grow
 * with tracing; bench_trace_cost's JSON parses and holds its four benchmarks with Google Benchmark's keys.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../bench/nullcall_stats.h"
#include "../../lab/host_files.h"
#include "harness.h"

#define NR_CASES 3
static const char *const case_names[NR_CASES] = {"tracing off", "events off", "all events on"};

/* The "trace-cost: NAME: net=..." line of each case. */
static void parse_counts(const char *out, struct nullcall_result r[NR_CASES])
{
	for (int i = 0; i < NR_CASES; i++) {
		char tag[64];
		unsigned long long net, median, empty, total, calls, loop;
		snprintf(tag, sizeof(tag), "trace-cost: %s: ", case_names[i]);
		const char *p = strstr(out, tag);
		cr_assert_not_null(p, "no line for '%s' in:\n%s", case_names[i], out);
		cr_assert_eq(sscanf(p + strlen(tag),
				    "net=%llu call_median=%llu empty_median=%llu total=%llu calls=%llu "
				    "loop_check=%llu",
				    &net, &median, &empty, &total, &calls, &loop),
			     6, "malformed: %.200s", p);
		r[i] = (struct nullcall_result){.calls = calls,
						.call_median = median,
						.empty_median = empty,
						.net = net,
						.total = total,
						.loop_check = loop};
	}
}

Test(bench, nullcall_counts_are_identical_across_runs_and_grow_with_tracing, .timeout = 400)
{
	struct nullcall_result runs[2][NR_CASES];

	for (int k = 0; k < 2; k++) {
		struct tessera_proc p;
		tessera_run(&p, 380, (const char *const[]){"bench", "trace-cost", "--no-host", NULL});
		cr_assert_eq(p.status, 0, "tessera bench trace-cost: %s\n%s", p.out, p.err);
		parse_counts(p.out, runs[k]);
		tessera_free(&p);
	}
	for (int i = 0; i < NR_CASES; i++) {
		cr_expect_eq(memcmp(&runs[0][i], &runs[1][i], sizeof(runs[0][i])), 0,
			     "%s: net %lu in run 1, %lu in run 2", case_names[i], runs[0][i].net,
			     runs[1][i].net);
		cr_expect_eq(runs[0][i].loop_check, NULLCALL_LOOP_INSNS,
			     "%s: the TSC does not count instructions", case_names[i]);
		cr_expect_gt(runs[0][i].net, 0);
	}
	cr_expect_gt(runs[0][2].net, runs[0][0].net, "tracing on must cost more than tracing off");
	cr_expect_gt(runs[0][2].net, runs[0][1].net, "events on must cost more than events off");
}

Test(bench, trace_cost_json_holds_the_four_benchmarks, .timeout = 120)
{
	char exe[PATH_MAX], path[] = "/tmp/tessera-bench-json-XXXXXX", cmd[PATH_MAX * 2];

	cr_assert_eq(lab_path_beside_exe(exe, sizeof(exe), ""), 0);
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "%s/bench_trace_cost --benchmark_min_time=0.01s --benchmark_out=%s "
		 "--benchmark_out_format=json "
		 ">/dev/null",
		 exe, path);
	cr_assert_eq(system(cmd), 0, "%s", cmd);

	json_error_t err;
	json_t *doc = json_load_file(path, 0, &err);
	unlink(path);
	cr_assert_not_null(doc, "%s:%d: %s", path, err.line, err.text);
	cr_assert_not_null(json_object_get(doc, "context"));
	cr_expect_eq(
		json_integer_value(json_object_get(json_object_get(doc, "context"), "json_schema_version")),
		1);
	json_t *list = json_object_get(doc, "benchmarks");
	static const char *const names[] = {"ring_writer_exit_enabled", "ring_writer_exit_disabled",
					    "lttng_ust_exit_no_session", "lttng_ust_exit_recorded"};
	static const char *const keys[] = {"name",     "family_index", "per_family_instance_index",
					   "run_name", "run_type",     "repetitions",
					   "threads",  "iterations",   "real_time",
					   "cpu_time", "time_unit"};
	cr_assert_eq(json_array_size(list), 4, "one run each of the four benchmarks");
	for (size_t i = 0; i < 4; i++) {
		json_t *run = json_array_get(list, i);
		cr_expect_str_eq(json_string_value(json_object_get(run, "name")), names[i]);
		cr_expect_null(json_object_get(run, "error_occurred"), "%s: %s", names[i],
			       json_string_value(json_object_get(run, "error_message")));
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			cr_expect_not_null(json_object_get(run, keys[k]), "%s lacks \"%s\"", names[i],
					   keys[k]);
		cr_expect_gt(json_number_value(json_object_get(run, "real_time")), 0);
		cr_expect_str_eq(json_string_value(json_object_get(run, "time_unit")), "ns");
	}
	json_t *enabled = json_array_get(list, 0), *recorded = json_array_get(list, 3);
	cr_expect_eq(json_number_value(json_object_get(enabled, "written")),
		     (double)json_integer_value(json_object_get(enabled, "iterations")),
		     "every write of the enabled benchmark succeeded");
	cr_expect_eq(json_number_value(json_object_get(enabled, "lost")), 0);
	cr_expect_not_null(json_object_get(recorded, "recorded"));
	cr_expect_not_null(json_object_get(recorded, "discarded"));
	json_decref(doc);
}
