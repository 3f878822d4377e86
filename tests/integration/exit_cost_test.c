/*
 * `tessera bench exit-cost` in a reduced form, as CI's regression gate on the exit path: every row once
 * with tracing off (the command fails when a figure exceeds its goal: the null hypercall's is 150), then
 * the null hypercall again with the trace channel (events off: at most 10 over tracing off; all events
 * on: at most 300, the command's traced goal, checked here too). The counts
 * are exact under icount, so the two runs' common figure must agree, and Google Benchmark's compare.py
 * must read the two JSON files. Then the bench-only `bench_exit_work=N`: the null hypercall rises by
 * exactly BENCH_EXIT_WORK_FIXED + 2 * N, and a malformed N stops the machine before any cell runs.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tessera/bench_exit_work.h>

#include "harness.h"

#define COMPARE_PY "/usr/share/benchmark/compare.py"

/* The figure of "exit-cost: MODE: CASE: N goal..." in out; -1 if absent. */
static long long figure(const char *out, const char *mode, const char *tcase)
{
	char tag[128];
	const char *p;

	snprintf(tag, sizeof(tag), "exit-cost: %s: %s: ", mode, tcase);
	p = out ? strstr(out, tag) : NULL;
	return p ? atoll(p + strlen(tag)) : -1;
}

static void temp_path(char *path, size_t size, const char *tag)
{
	snprintf(path, size, "/tmp/tessera-exit-cost-%s-XXXXXX", tag);
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
}

Test(exit_cost, every_exit_kind_holds_its_goal_and_compare_py_reads_the_json, .timeout = 900)
{
	char all_json[64], one_json[64], cmd[512];
	struct tessera_proc p, q;

	temp_path(all_json, sizeof(all_json), "all");
	temp_path(one_json, sizeof(one_json), "one");
	tessera_run(&p, 600,
		    (const char *const[]){"bench", "exit-cost", "--calls", "20", "--out", all_json, NULL});
	cr_expect_eq(p.status, 0, "a figure is over its goal (or a boot failed):\n%s\n%s", p.out, p.err);
	long long hc = figure(p.out, "hypercall", "tracing off");
	cr_expect(hc > 0 && hc <= 150, "null hypercall, tracing off: %lld instructions (goal 150)\n%s", hc,
		  p.out);
	static const char *const modes[] = {"cpuid",	     "msr",	      "port",	 "mem",
					    "apic_read",     "apic_icr",      "ipi",	 "timer",
					    "doorbell_send", "doorbell_recv", "doorbell"};
	for (unsigned int i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		cr_expect_gt(figure(p.out, modes[i], "tracing off"), 0, "no figure for %s:\n%s", modes[i],
			     p.out);

	/* The doorbell: both sides counted from QEMU's log, the sum theirs, the log's null hypercall
	 * exitbench's (the command fails otherwise), and in the JSON. */
	cr_expect_eq(figure(p.out, "doorbell", "tracing off"),
		     figure(p.out, "doorbell_send", "tracing off") +
			     figure(p.out, "doorbell_recv", "tracing off"),
		     "%s", p.out);
	cr_expect(has_line_with(p.out, "the log counts the sender's null hypercall at"), "%s", p.out);
	snprintf(cmd, sizeof(cmd), "grep -q '\"exit_cost/doorbell/tracing_off\"' %s", all_json);
	cr_expect_eq(sh("%s", cmd), 0, "no doorbell row in the JSON");

	tessera_run(&q, 200,
		    (const char *const[]){"bench", "exit-cost", "--calls", "20", "--rows", "hypercall",
					  "--all", "--out", one_json, NULL});
	cr_expect_eq(q.status, 0, "with tracing:\n%s\n%s", q.out, q.err);
	cr_expect_eq(figure(q.out, "hypercall", "tracing off"), hc, "not the same count twice:\n%s", q.out);
	long long idle = figure(q.out, "hypercall", "events off");
	cr_expect(idle >= hc && idle <= hc + 10, "events off %lld, tracing off %lld:\n%s", idle, hc, q.out);
	long long on = figure(q.out, "hypercall", "all events on");
	cr_expect(on > idle && on <= 300,
		  "null hypercall, all events on: %lld instructions (goal 300: its three records at most 50 "
		  "each over the 150)\n%s",
		  on, q.out);

	/* The planted slow exit: over the goal on purpose (status 1), by exactly the documented amount. */
	struct tessera_proc w;
	tessera_run(&w, 200,
		    (const char *const[]){"bench", "exit-cost", "--calls", "20", "--rows", "hypercall",
					  "--append", "bench_exit_work=1000", NULL});
	cr_expect_eq(w.status, 1, "bench_exit_work=1000 must exceed the goal:\n%s\n%s", w.out, w.err);
	cr_expect_eq(figure(w.out, "hypercall", "tracing off"), hc + BENCH_EXIT_WORK_FIXED + 2 * 1000,
		     "bench_exit_work=1000: not %lld + %d + 2000:\n%s", hc, BENCH_EXIT_WORK_FIXED, w.out);
	tessera_free(&w);
	tessera_run(&w, 120,
		    (const char *const[]){"run", "--config", TESSERA_SOURCE_ROOT "configs/bench-exit.yaml",
					  "--append", "bench_exit_work=12x", NULL});
	cr_expect_eq(w.status, 1, "a malformed bench_exit_work: %s\n%s", w.out, w.err);
	cr_expect(has_line_with(w.out, "bench_exit_work='12x': expected a number"), "%s", w.out);
	cr_expect(!has_line_with(w.out, "exitbench:"), "a cell ran:\n%s", w.out);
	tessera_free(&w);

	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s benchmarks %s %s 2>&1", COMPARE_PY, all_json,
		 one_json);
	FILE *f = popen(cmd, "r");
	char line[512], text[8192] = "";
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f))
		strncat(text, line, sizeof(text) - strlen(text) - 1);
	int st = pclose(f);
	cr_expect_eq(st, 0, "%s:\n%s", cmd, text);
	cr_expect(strstr(text, "exit_cost/hypercall/tracing_off") != NULL, "compare.py printed:\n%s", text);
	unlink(all_json);
	unlink(one_json);
	tessera_free(&p);
	tessera_free(&q);
}

/* A run record as exit-cost writes it: the boot's QEMU command line, the hashes of what booted. */
static void expect_record(const char *path)
{
	json_error_t jerr;
	json_t *r = json_load_file(path, 0, &jerr);

	cr_assert_not_null(r, "%s: %s", path, jerr.text);
	const char *qemu = json_string_value(json_object_get(r, "qemu_cmdline"));
	const char *image = json_string_value(json_object_get(r, "image_sha256"));
	const char *config = json_string_value(json_object_get(r, "config_sha256"));
	cr_expect(qemu && strstr(qemu, "qemu-system-x86_64 ") && strstr(qemu, " -icount shift=0,sleep=off"),
		  "%s: qemu_cmdline %s", path, qemu);
	cr_expect(image && strlen(image) == 64 && strspn(image, "0123456789abcdef") == 64,
		  "%s: image_sha256 %s", path, image);
	cr_expect(config && strlen(config) == 64, "%s: config_sha256 %s", path, config);
	cr_expect_gt(json_array_size(json_object_get(r, "images")), 1, "%s: images", path);
	cr_expect_eq(json_integer_value(json_object_get(r, "exit_status")), 0, "%s: exit_status", path);
	cr_expect_str_eq(json_string_value(json_object_get(r, "mode")), "deterministic");
	json_decref(r);
}

/* Every boot of exit-cost keeps its run record beside the JSON: one per tracing case, by name. */
Test(exit_cost, each_boot_keeps_its_run_record_beside_the_json, .timeout = 300)
{
	char dir[] = "/tmp/tessera-exit-cost-rec-XXXXXX", json[96], rec[160];
	static const char *const names[] = {"tracing_off", "events_off", "all_events_on"};
	struct tessera_proc p;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(json, sizeof(json), "%s/costs.json", dir);
	tessera_run(&p, 240,
		    (const char *const[]){"bench", "exit-cost", "--calls", "5", "--rows", "hypercall",
					  "--all", "--out", json, NULL});
	cr_expect_eq(p.status, 0, "%s\n%s", p.out, p.err);
	for (unsigned int i = 0; i < 3; i++) {
		snprintf(rec, sizeof(rec), "%s/costs-run-records/%s.json", dir, names[i]);
		expect_record(rec);
	}
	/* A traced case's record says what the trace channel added to the hypervisor's command line. */
	snprintf(rec, sizeof(rec), "%s/costs-run-records/events_off.json", dir);
	cr_expect_eq(sh("grep -q '\"hv_cmdline\": \"trace_events=0' %s", rec), 0, "%s", rec);
	tessera_free(&p);
	sh("rm -rf %s", dir);
}
