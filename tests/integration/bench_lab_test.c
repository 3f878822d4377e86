/*
 * The results tools end to end, on a database of simulated samples (bench simulate; bench_run_test.c
 * fills one with real boots) and on Google Benchmark's own output: compare (database and JSON), export read
 * by Google Benchmark's compare.py, the HTML report rendered by headless Chromium, history's change
 * points, and bisect on a scratch git repository. No QEMU is booted.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tessera-lab-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	sh("rm -rf '%s'", dir);
}

TestSuite(bench_lab, .init = make_dir, .fini = remove_dir);

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot read %s", path);
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void run_ok(struct tessera_proc *p, const char *const *args)
{
	tessera_run(p, 120, args);
	cr_assert_eq(p->status, 0, "tessera %s %s: exit %d\n%s\n%s", args[0], args[1], p->status, p->out,
		     p->err);
}

/* The verdict of metric in compare's JSON output. */
static const char *verdict_of(json_t *root, const char *metric)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(root, "metrics"), i,
			   m) if (!strcmp(json_string_value(json_object_get(m, "metric")),
					  metric)) return json_string_value(json_object_get(m, "verdict"));
	return "(missing)";
}

static json_t *metric_of(json_t *root, const char *metric)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(root, "metrics"), i, m)
	{
		if (!strcmp(json_string_value(json_object_get(m, "metric")), metric))
			return m;
	}
	return NULL;
}

static json_t *compare_json(const char *a, const char *b, const char *baseline, const char *contender)
{
	struct tessera_proc p;
	if (baseline)
		run_ok(&p, (const char *const[]){"bench", "compare", a, "--baseline", baseline, "--contender",
						 contender, "--format", "json", NULL});
	else
		run_ok(&p, (const char *const[]){"bench", "compare", a, b, "--format", "json", NULL});
	json_error_t err;
	json_t *root = json_loads(p.out, 0, &err);
	cr_assert_not_null(root, "compare's JSON: %s\n%s", err.text, p.out);
	tessera_free(&p);
	return root;
}

/* A known 5% effect is called slower with the ratio inside its CI; A against an identical C is not. */
Test(bench_lab, compare_a_database_finds_the_known_effect_and_not_a_null_one, .timeout = 120)
{
	char db[128];
	struct tessera_proc p;
	snprintf(db, sizeof(db), "%s/r.db", dir);
	run_ok(&p, (const char *const[]){"bench", "simulate", "-o", db, "A", "B=1.05", "C", NULL});
	tessera_free(&p);
	json_t *r = compare_json(db, NULL, "A", "B");
	cr_expect_str_eq(verdict_of(r, "cpu/time"), "slower");
	cr_expect_str_eq(verdict_of(r, "ipc/throughput"), "slower", "msgs/s: higher is better");
	cr_expect_str_eq(verdict_of(r, "hypercall/instructions"), "slower");
	json_t *m = json_array_get(json_object_get(r, "metrics"), 0);
	double lo = json_real_value(json_array_get(json_object_get(m, "ratio_ci95"), 0));
	double hi = json_real_value(json_array_get(json_object_get(m, "ratio_ci95"), 1));
	cr_expect(lo < 1.05 && 1.05 < hi, "the true ratio 1.05 outside [%g, %g]", lo, hi);
	cr_expect_str_eq(json_string_value(json_object_get(r, "observation")), "boot");
	json_decref(r);
	r = compare_json(db, NULL, "A", "C");
	cr_expect_str_eq(verdict_of(r, "hypercall/instructions"), "same");
	cr_expect_str_neq(verdict_of(r, "cpu/time"), "slower");
	cr_expect_str_neq(verdict_of(r, "cpu/time"), "faster");
	json_decref(r);
	/* Text form, and its bad inputs. */
	run_ok(&p,
	       (const char *const[]){"bench", "compare", db, "--baseline", "A", "--contender", "B", NULL});
	expect_line(&p, "slower (exact)");
	tessera_free(&p);
	tessera_run(&p, 60, (const char *const[]){"bench", "compare", db, NULL});
	cr_expect_eq(p.status, 2, "three configurations and none named");
	tessera_free(&p);
	tessera_run(
		&p, 60,
		(const char *const[]){"bench", "compare", db, "--baseline", "A", "--contender", "Z", NULL});
	cr_expect_eq(p.status, 2);
	tessera_free(&p);
	tessera_run(&p, 60, (const char *const[]){"bench", "compare", db, "--margin", "abc", NULL});
	cr_expect_eq(p.status, 2);
	tessera_free(&p);
	tessera_run(&p, 60,
		    (const char *const[]){"bench", "compare", db, "--baseline", "A", "--contender", "B",
					  "--fail-on-slower", NULL});
	cr_expect_eq(p.status, 1, "--fail-on-slower with a slower metric");
	tessera_free(&p);
	/* The run read by default is named on stderr. */
	run_ok(&p,
	       (const char *const[]){"bench", "compare", db, "--baseline", "A", "--contender", "B", NULL});
	cr_expect(strstr(p.err, "run 1 (the newest finished bench run)"), "stderr: %s", p.err);
	tessera_free(&p);
	/* Two Google Benchmark files without a metric in common: nothing to compare is bad input. */
	char ja[160], jb[160];
	snprintf(ja, sizeof(ja), "%s/only_a.json", dir);
	snprintf(jb, sizeof(jb), "%s/only_b.json", dir);
	const char *fmt =
		"{\"benchmarks\": [{\"name\": \"%s\", \"run_type\": \"iteration\", "
		"\"iterations\": 1, \"real_time\": 10, \"cpu_time\": 10, \"time_unit\": \"ns\"}]}\n";
	FILE *f = fopen(ja, "w");
	cr_assert(f);
	fprintf(f, fmt, "BM_a");
	fclose(f);
	f = fopen(jb, "w");
	cr_assert(f);
	fprintf(f, fmt, "BM_b");
	fclose(f);
	tessera_run(&p, 60, (const char *const[]){"bench", "compare", ja, jb, NULL});
	cr_expect_eq(p.status, 2);
	cr_expect(strstr(p.err, "no metric in common"), "stderr: %s", p.err);
	tessera_free(&p);
}

Test(bench_lab, compare_reads_google_benchmark_json_from_google_benchmark, .timeout = 240)
{
	cr_assert_eq(sh("cat > '%s/gb.cc' <<'EOF'\n"
			"#include <benchmark/benchmark.h>\n"
			"#include <cstdlib>\n"
			/* Manual time: the iteration's real_time is what it declares (n ns), so the
			 * expected ratio is exact and a loaded host cannot move it; cpu_time is measured. */
			"static void BM_work(benchmark::State &s) {\n"
			"  long n = std::atol(std::getenv(\"WORK\"));\n"
			"  for (auto _ : s) { long x = 0; for (long i = 0; i < n; i++) "
			"benchmark::DoNotOptimize(x += i); s.SetIterationTime(n * 1e-9); }\n"
			"}\n"
			"BENCHMARK(BM_work)->UseManualTime();\n"
			"BENCHMARK_MAIN();\n"
			"EOF\n"
			"g++ -O2 -o '%s/gb' '%s/gb.cc' -lbenchmark -lpthread",
			dir, dir, dir),
		     0, "g++ with Debian's libbenchmark-dev");
	for (int k = 0; k < 2; k++)
		cr_assert_eq(sh("WORK=%d '%s/gb' --benchmark_repetitions=10 --benchmark_min_time=0.01 "
				"--benchmark_format=json > '%s/%d.json' 2>/dev/null",
				k ? 4000 : 1000, dir, dir, k),
			     0);
	char a[128], b[128];
	snprintf(a, sizeof(a), "%s/0.json", dir);
	snprintf(b, sizeof(b), "%s/1.json", dir);
	cr_assert(strstr(slurp(a), "\"aggregate_name\""), "Google Benchmark wrote no aggregates");
	json_t *r = compare_json(a, b, NULL, NULL);
	cr_expect_str_eq(verdict_of(r, "BM_work/manual_time/real_time"), "slower");
	cr_expect_str_neq(verdict_of(r, "BM_work/manual_time/cpu_time"), "(missing)");
	json_t *m = metric_of(r, "BM_work/manual_time/real_time");
	cr_assert_not_null(
		m, "no BM_work/manual_time/real_time metric (Google Benchmark names a manual-time run so)");
	cr_expect_eq(json_integer_value(json_object_get(m, "n_baseline")), 10,
		     "aggregates are not repetitions");
	/* 4000 ns against 1000 ns declared per iteration: exactly 4 (only the JSON's rounding). The
	 * measured cpu_time is not asserted: other tests' QEMUs share the CPUs. */
	double ratio = json_real_value(json_object_get(m, "ratio"));
	cr_expect(ratio > 3.99 && ratio < 4.01, "4x the declared time, ratio %g", ratio);
	json_decref(r);
	/* Not Google Benchmark JSON: FILE:LINE:COL and exit 2. */
	struct tessera_proc p;
	sh("printf '{\\n  \"benchmarks\": [\\n    {\"name\": \"x\", \"real_time\": 1}\\n  ]\\n}\\n' > "
	   "'%s/bad.json'",
	   dir);
	snprintf(b, sizeof(b), "%s/bad.json", dir);
	tessera_run(&p, 60, (const char *const[]){"bench", "compare", a, b, NULL});
	cr_expect_eq(p.status, 2);
	char want[160];
	snprintf(want, sizeof(want), "%s:3:5: benchmarks[0]: cpu_time", b);
	cr_expect(strstr(p.err, want), "wanted '%s' in: %s", want, p.err);
	tessera_free(&p);
	sh("printf '{\\n \"benchmarks\": [,]\\n}' > '%s/bad.json'", dir);
	tessera_run(&p, 60, (const char *const[]){"bench", "compare", a, b, NULL});
	cr_expect_eq(p.status, 2);
	snprintf(want, sizeof(want), "%s:2:", b);
	cr_expect(strstr(p.err, want), "wanted '%s' in: %s", want, p.err);
	tessera_free(&p);
}

/*
 * Boots are per workload: a configuration's three boots that each ran another workload give every metric
 * one boot a side, so each metric falls back to its iterations; a metric with three boots a side stays per
 * boot. The database is cut down by hand from a simulated one (every simulated boot runs all workloads).
 */
Test(bench_lab, compare_counts_boots_per_metric, .timeout = 120)
{
	char db[128];
	struct tessera_proc p;
	snprintf(db, sizeof(db), "%s/r.db", dir);
	run_ok(&p, (const char *const[]){"bench", "simulate", "-o", db, "--boots", "3", "--iterations", "8",
					 "A", "B=1.05", NULL});
	tessera_free(&p);
	/* cpu keeps the first boot of each configuration only. */
	cr_assert_eq(sh("sqlite3 '%s' \"DELETE FROM samples WHERE workload = 'cpu' AND boot_id NOT IN"
			" (SELECT min(id) FROM boots GROUP BY configuration)\"",
			db),
		     0);
	json_t *r = compare_json(db, NULL, "A", "B");
	json_t *m = metric_of(r, "cpu/time");
	cr_assert_not_null(m);
	cr_expect_str_eq(json_string_value(json_object_get(m, "observation")), "iteration");
	cr_expect_eq(json_integer_value(json_object_get(m, "n_baseline")), 8, "one boot's 8 iterations");
	cr_expect_eq(json_integer_value(json_object_get(m, "n_contender")), 8);
	m = metric_of(r, "ipc/throughput");
	cr_assert_not_null(m);
	cr_expect_str_eq(json_string_value(json_object_get(m, "observation")), "boot");
	cr_expect_eq(json_integer_value(json_object_get(m, "n_baseline")), 3, "three boots");
	cr_expect(strstr(json_string_value(json_object_get(r, "observation")), "iteration"));
	json_decref(r);
}

Test(bench_lab, google_benchmark_compare_py_reads_our_export, .timeout = 120)
{
	char db[128], a[128], b[128];
	struct tessera_proc p;
	snprintf(db, sizeof(db), "%s/r.db", dir);
	snprintf(a, sizeof(a), "%s/A.json", dir);
	snprintf(b, sizeof(b), "%s/B.json", dir);
	run_ok(&p, (const char *const[]){"bench", "simulate", "-o", db, "--boots", "4", "A", "B=1.2", NULL});
	tessera_free(&p);
	run_ok(&p, (const char *const[]){"bench", "export", db, "-o", a, "--config", "A", NULL});
	tessera_free(&p);
	run_ok(&p, (const char *const[]){"bench", "export", db, "-o", b, "--config", "B", NULL});
	tessera_free(&p);
	char out[128];
	snprintf(out, sizeof(out), "%s/compare.txt", dir);
	cr_assert_eq(sh("/usr/bin/python3 /usr/share/benchmark/compare.py benchmarks '%s' '%s' > '%s' 2>&1",
			a, b, out),
		     0, "compare.py: %s", slurp(out));
	const char *text = slurp(out);
	cr_expect(strstr(text, "cpu/time_median"), "no cpu/time median row in:\n%s", text);
	cr_expect(strstr(text, "cpu/time_pvalue"), "no U test row (repetitions) in:\n%s", text);
	/* +0.2 is compare.py's relative change of the median for the 1.2x contender. */
	cr_expect(strstr(text, "+0.2"), "no +0.2 change in:\n%s", text);
	/* Our own compare reads our export too. */
	json_t *r = compare_json(a, b, NULL, NULL);
	cr_expect_str_eq(verdict_of(r, "cpu/time/real_time"), "slower");
	/* A rate and a count round-trip through the export in their own units (tessera_unit): a 1.2x
	 * throughput is higher, so slower, not faster; instructions are not ns. */
	cr_expect_str_eq(verdict_of(r, "ipc/throughput"), "slower", "msgs/s: higher is better");
	cr_expect_str_eq(verdict_of(r, "hypercall/instructions"), "slower");
	json_t *m = metric_of(r, "ipc/throughput");
	cr_assert_not_null(m, "no ipc/throughput metric");
	cr_expect_str_eq(json_string_value(json_object_get(m, "unit")), "msgs/s");
	cr_expect(json_is_false(json_object_get(m, "lower_is_better")));
	m = metric_of(r, "hypercall/instructions");
	cr_assert_not_null(m, "no hypercall/instructions metric");
	cr_expect_str_neq(json_string_value(json_object_get(m, "unit")), "ns");
	cr_expect_null(metric_of(r, "ipc/throughput/real_time"), "a rate read as a time");
	json_decref(r);
}

static const char chromium[] =
	"timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
	"--disable-background-networking --disable-component-update --disable-sync "
	"--user-data-dir='%s/chrome' "
	"--enable-logging=stderr --v=0 --dump-dom 'file://%s' > '%s/dom.html' 2> '%s/chrome.log'";

/* The page's title after load (the report's script writes "figures N/M loaded") and console messages. */
static void render(const char *page, char *title, size_t len, bool *console)
{
	cr_assert_eq(sh(chromium, dir, page, dir, dir), 0, "chromium failed");
	char path[128];
	snprintf(path, sizeof(path), "%s/dom.html", dir);
	const char *dom = slurp(path), *t = strstr(dom, "<title>");
	cr_assert_not_null(t, "no title in the DOM");
	snprintf(title, len, "%.*s", (int)strcspn(t + 7, "<"), t + 7);
	snprintf(path, sizeof(path), "%s/chrome.log", dir);
	*console = strstr(slurp(path), ":CONSOLE") != NULL;
}

Test(bench_lab, the_report_renders_in_headless_chromium, .timeout = 240)
{
	char db[128], rep[128], page[160], title[128];
	bool console;
	struct tessera_proc p;
	snprintf(db, sizeof(db), "%s/r.db", dir);
	snprintf(rep, sizeof(rep), "%s/report", dir);
	run_ok(&p, (const char *const[]){"bench", "simulate", "-o", db, "--boots", "4", "A", "B=1.1", "C=0.9",
					 NULL});
	tessera_free(&p);
	run_ok(&p, (const char *const[]){"bench", "report", db, "-o", rep, "--baseline", "A", NULL});
	tessera_free(&p);
	snprintf(page, sizeof(page), "%s/index.html", rep);
	char *html = strdup(slurp(page)); /* slurp's buffer is reused by render */
	cr_assert_not_null(html);
	cr_expect(strstr(html, "B against A") && strstr(html, "C against A"),
		  "a comparison table is missing");
	cr_expect(strstr(html, "Run record") && strstr(html, "simulated"), "the run record is missing");
	/* A boot record a boot, its details folded: 3 configurations x 4 boots. */
	size_t nr_details = 0;
	for (const char *d = strstr(html, "<h2>Boot records</h2>"); d && (d = strstr(d, "<details>")); d++)
		nr_details++;
	cr_expect_eq(nr_details, 12, "the boot records section has %zu rows", nr_details);
	render(page, title, sizeof(title), &console);
	/* 3 metrics x (distributions, ratios, run order). */
	cr_expect_str_eq(title, "figures 9/9 loaded");
	snprintf(page, sizeof(page), "%s/chrome.log", dir);
	cr_expect_not(console, "console messages in:\n%s", slurp(page));
	/* The check itself: a page with a missing figure and a script error fails it. */
	snprintf(page, sizeof(page), "%s/broken.html", rep);
	FILE *f = fopen(page, "w");
	cr_assert_not_null(f);
	const char *script = strstr(html, "<script>"), *end = strstr(html, "</script>");
	cr_assert(script && end, "the report has no script");
	fprintf(f,
		"<html><head><title>t</title>%.*s</script></head><body><img src=\"missing.svg\">"
		"<script>undefined_call();</script></body></html>\n",
		(int)(end - script), script);
	fclose(f);
	free(html);
	render(page, title, sizeof(title), &console);
	cr_expect_str_eq(title, "figures 0/1 loaded");
	cr_expect(console, "the script error reached no console message");
}

Test(bench_lab, history_flags_a_planted_change_point, .timeout = 120)
{
	char db[128], seed[16], rev[16], cfg[16];
	struct tessera_proc p;
	snprintf(db, sizeof(db), "%s/h.db", dir);
	for (int i = 1; i <= 12; i++) {
		snprintf(seed, sizeof(seed), "%d", i);
		snprintf(rev, sizeof(rev), "rev%d", i);
		snprintf(cfg, sizeof(cfg), "main=%s", i >= 8 ? "1.06" : "1");
		run_ok(&p, (const char *const[]){"bench", "simulate", "-o", db, "--boots", "2", "--seed",
						 seed, "--revision", rev, cfg, NULL});
		tessera_free(&p);
	}
	run_ok(&p, (const char *const[]){"bench", "history", db, "cpu/time", NULL});
	expect_line(&p, "1 change point");
	cr_expect(strstr(p.out, "rev8 ") && strstr(strstr(p.out, "rev8 "), "<- change point"),
		  "the change is at rev8:\n%s", p.out);
	tessera_free(&p);
	tessera_run(&p, 60, (const char *const[]){"bench", "history", db, "no/such", NULL});
	cr_expect_eq(p.status, 2);
	tessera_free(&p);
	/* Out-of-range options say what is allowed (they once exited 2 in silence). */
	tessera_run(&p, 60,
		    (const char *const[]){"bench", "history", db, "cpu/time", "--permutations", "5", NULL});
	cr_expect_eq(p.status, 2);
	cr_expect(strstr(p.err, "19 to 100000"), "stderr: %s", p.err);
	tessera_free(&p);
	tessera_run(&p, 60,
		    (const char *const[]){"bench", "history", db, "cpu/time", "--min-size", "0", NULL});
	cr_expect_eq(p.status, 2);
	cr_expect(strstr(p.err, "2 to 1000"), "stderr: %s", p.err);
	tessera_free(&p);
}

/*
 * A scratch repository of 8 commits; the 5th makes the benchmark's loop 10 times longer. The machine is
 * shared with other tests' QEMUs, so load alone can make a step measurably slower: --min-change 100%
 * asks for a slowdown of at least 2x, which only the planted commit has.
 */
Test(bench_lab, bisect_names_the_planted_slow_commit, .timeout = 300)
{
	cr_assert_eq(
		sh("set -e; cd '%s'; mkdir repo; cd repo; git init -q; git config user.email t@t.invalid;"
		   " git config user.name t;"
		   " for i in 1 2 3 4 5 6 7 8; do w=1000; [ $i -ge 5 ] && w=10000;"
		   " printf '#include <benchmark/benchmark.h>\\nstatic void BM_loop(benchmark::State &s) {"
		   " for (auto _ : s) { long x = 0; for (long i = 0; i < %%s; i++)"
		   " benchmark::DoNotOptimize(x += i); } }\\nBENCHMARK(BM_loop);\\nBENCHMARK_MAIN();\\n' $w "
		   "> b.cc;"
		   " echo $i > n.txt; git add b.cc n.txt; git commit -qm \"commit $i\"; done;"
		   " printf '#!/bin/sh\\ng++ -O2 -o ../prog b.cc -lbenchmark -lpthread && ../prog"
		   " --benchmark_repetitions=8 --benchmark_min_time=0.01 --benchmark_format=json"
		   " > \"$TESSERA_BENCH_OUT\" 2>/dev/null\\n' > ../measure; chmod +x ../measure",
		   dir),
		0);
	char repo[128], measure[128], exe[PATH_MAX], expect[64];
	snprintf(repo, sizeof(repo), "%s/repo", dir);
	snprintf(measure, sizeof(measure), "%s/measure", dir);
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	cr_assert_gt(n, 0);
	exe[n] = 0;
	*strrchr(exe, '/') = 0;
	char path[128];
	snprintf(path, sizeof(path), "%s/bisect.out", dir);
	cr_assert_eq(sh("cd '%s' && '%s/tessera' bench bisect HEAD~7 HEAD --metric BM_loop/cpu_time "
			"--min-change 100%% -- '%s'"
			" > ../bisect.out 2>&1",
			repo, exe, measure),
		     0, "bisect failed:\n%s", slurp(path));
	const char *out = slurp(path);
	snprintf(expect, sizeof(expect), "first slower commit: ");
	const char *line = strstr(out, expect);
	cr_assert_not_null(line, "no answer in:\n%s", out);
	cr_expect(strstr(line, " commit 5\n"), "wanted commit 5:\n%s", out);
	/* The work tree is back on its branch, clean, with no bisect in progress. */
	cr_expect_eq(
		sh("cd '%s' && git symbolic-ref -q HEAD >/dev/null && test -z \"$(git status --porcelain)\""
		   " && ! git bisect log >/dev/null 2>&1",
		   repo),
		0);
	/* Between commits 1 and 4 nothing is slower: BAD is measured too, and not named (exit 1). */
	int st = sh("cd '%s' && '%s/tessera' bench bisect HEAD~7 HEAD~4 --metric BM_loop/cpu_time "
		    "--min-change 100%% -- '%s'"
		    " > ../bisect.out 2>&1",
		    repo, exe, measure);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "bisect of an unchanged range: %d\n%s", st,
		  slurp(path));
	out = slurp(path);
	cr_expect(strstr(out, "is not slower than GOOD: nothing to bisect"), "%s", out);
	cr_expect(!strstr(out, "first slower commit: "), "%s", out);
	/* A bad plan is bad input, found before any checkout: exit 2 at its line and column, and the
	 * work tree's HEAD has not moved (its reflog is as long as before). */
	cr_assert_eq(sh("cd '%s' && printf 'boots: 3\nno_such_key: 1\n' > bad-plan.yaml"
			" && git -C repo reflog | wc -l > reflog.before",
			dir),
		     0);
	st = sh("cd '%s' && '%s/tessera' bench bisect HEAD~7 HEAD ../bad-plan.yaml > ../bisect.out 2>&1",
		repo, exe);
	out = slurp(path);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 2, "a bad plan: %d\n%s", st, out);
	cr_expect(strstr(out, "bad-plan.yaml:2:"), "no FILE:LINE:COL in:\n%s", out);
	cr_expect_eq(sh("cd '%s' && git -C repo reflog | wc -l | cmp -s - reflog.before", dir), 0,
		     "bisect checked something out before checking the plan");
}
