/*
 * `tessera bench run` end to end (docs/bench.md, "Plans"): the shipped known-effect plan's verdicts in
 * both modes (bench_exit_work=1000 is slower by exactly 109 + 2 x 1000 instructions per exit under
 * -icount; A against A under another name is not different), SIGKILL then --resume (no completed boot
 * lost, none counted twice, the samples those of an uninterrupted run), and plan errors that exit 2 with
 * FILE:LINE:COL before anything boots.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* core/include/tessera/bench_exit_work.h: what every exit pays for the option beyond its 2 x N */
#define EXIT_WORK_FIXED 109
#define EXIT_WORK_N	1000

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tessera-benchrun-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	sh("rm -rf '%s'", dir);
}

TestSuite(bench_run, .init = make_dir, .fini = remove_dir);

static long long query_int(const char *db_path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return v;
}

/* Every row of sql as "a|b|c\n" lines (malloc'd). */
static char *query_text(const char *db_path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t cap = 1 << 20, len = 0;
	char *out = calloc(1, cap);

	cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const unsigned char *t = sqlite3_column_text(st, i);
			cr_assert_lt(len + 256, cap);
			len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "|" : "",
						t ? (const char *)t : "NULL");
		}
		out[len++] = '\n';
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static void run_plan(const char *plan, const char *db, int limit_s)
{
	struct tessera_proc p;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", TESSERA_SOURCE_ROOT, plan);
	tessera_run(&p, limit_s, (const char *const[]){"bench", "run", path, "-o", db, "--no-compare", NULL});
	cr_assert_eq(p.status, 0, "bench run %s: exit %d\n%s\n%s", plan, p.status, p.out, p.err);
	tessera_free(&p);
}

static json_t *compare_json_at(const char *db, const char *baseline, const char *contender, const char *alpha)
{
	struct tessera_proc p;

	tessera_run(&p, 120,
		    (const char *const[]){"bench", "compare", db, "--baseline", baseline, "--contender",
					  contender, "--format", "json", "--alpha", alpha, NULL});
	cr_assert_eq(p.status, 0, "compare: exit %d\n%s\n%s", p.status, p.out, p.err);
	json_error_t e;
	json_t *root = json_loads(p.out, 0, &e);
	cr_assert_not_null(root, "compare's JSON: %s\n%s", e.text, p.out);
	tessera_free(&p);
	return root;
}

static json_t *compare_json(const char *db, const char *baseline, const char *contender)
{
	return compare_json_at(db, baseline, contender, "0.05");
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
	cr_assert_fail("no metric %s", metric);
	return NULL;
}

static double num(json_t *m, const char *key)
{
	return json_number_value(json_object_get(m, key));
}

static double ci(json_t *m, int i)
{
	json_t *v = json_array_get(json_object_get(m, "ratio_ci95"), (size_t)i);
	return json_is_number(v) ? json_number_value(v) : (i ? 1e300 : -1e300);
}

static const char *verdict(json_t *m)
{
	return json_string_value(json_object_get(m, "verdict"));
}

/* exitloop's metrics that take an exit per sample, and those that take none */
static const char *const exiting[] = {"exitloop/cpuid", "exitloop/hypercall", "exitloop/vlapic_read"};
static const char *const not_exiting[] = {"exitloop/empty", "exitloop/pio_granted"};
#define NR(a) (sizeof(a) / sizeof((a)[0]))

/* Every boot done, in an interleaved order that numbers them 0..n-1 once each. */
static void expect_run_complete(const char *db, long long boots)
{
	cr_expect_eq(query_int(db, "SELECT count(*) FROM boots WHERE status = 'done'"), boots);
	cr_expect_eq(query_int(db, "SELECT count(DISTINCT run_order) FROM boots"), boots);
	cr_expect_eq(query_int(db, "SELECT max(run_order) FROM boots"), boots - 1);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM runs WHERE status = 'done'"), 1);
	cr_expect_eq(
		query_int(db, "SELECT count(*) FROM boots WHERE record IS NULL OR workload != 'exitloop'"),
		0);
}

Test(bench_run, known_effect_deterministic_is_exactly_slower_and_a_vs_a_the_same, .timeout = 400)
{
	char db[128];

	snprintf(db, sizeof(db), "%s/known.db", dir);
	run_plan("configs/bench/plans/ci/known-effect.yaml", db, 380);
	expect_run_complete(db, 6);

	json_t *slow = compare_json(db, "A", "exit-work");
	cr_expect_str_eq(json_string_value(json_object_get(slow, "observation")), "boot");
	for (size_t i = 0; i < NR(exiting); i++) {
		json_t *m = metric_of(slow, exiting[i]);
		double base = num(m, "median_baseline"),
		       want = (base + EXIT_WORK_FIXED + 2 * EXIT_WORK_N) / base;
		cr_expect_str_eq(verdict(m), "slower", "%s", exiting[i]);
		cr_expect(json_is_true(json_object_get(m, "exact")), "%s: not compared exactly", exiting[i]);
		cr_expect_eq(num(m, "median_contender"), base + EXIT_WORK_FIXED + 2 * EXIT_WORK_N,
			     "%s: %g, want %g + %d", exiting[i], num(m, "median_contender"), base,
			     EXIT_WORK_FIXED + 2 * EXIT_WORK_N);
		cr_expect_float_eq(num(m, "ratio"), want, 1e-12, "%s: ratio %g, want %g", exiting[i],
				   num(m, "ratio"), want);
		cr_expect(ci(m, 0) <= want * (1 + 1e-12) && want <= ci(m, 1) * (1 + 1e-12),
			  "%s: %g outside [%g, %g]", exiting[i], want, ci(m, 0), ci(m, 1));
	}
	for (size_t i = 0; i < NR(not_exiting); i++)
		cr_expect_str_eq(verdict(metric_of(slow, not_exiting[i])), "same", "%s", not_exiting[i]);
	json_decref(slow);

	/*
	 * A against itself at 0.001, not 0.05: at 0.05 a comparison of equals calls a difference in up to
	 * one run in 20 by design (one CI run in ten did). With 8 boots a side a call at 0.001 needs the two
	 * to be wholly apart in a metric: a bias of the order of boots, not chance (see the plan).
	 */
	json_t *same = compare_json_at(db, "A", "A-again", "0.001");
	cr_expect_float_eq(json_real_value(json_object_get(same, "alpha")), 0.001, 1e-12);
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(same, "metrics"), i, m)
	{
		cr_expect_str_eq(verdict(m), "same", "A vs A-again: %s",
				 json_string_value(json_object_get(m, "metric")));
		cr_expect(json_is_true(json_object_get(m, "exact")));
	}
	cr_expect_eq(json_array_size(json_object_get(same, "metrics")), 5);
	json_decref(same);
}

/*
 * The boot medians of one configuration for one metric: each boot's median is the mean of the middle two
 * of its 50 warm-up-free samples (ci/known-effect-wallclock.yaml: iterations 50).
 */
#define BOOT_MEDIANS(cfg)                                                                                    \
	"(SELECT (SELECT avg(value) FROM (SELECT s.value FROM samples s WHERE s.boot_id = b.id AND s.metric" \
	" = '%s' AND NOT s.warmup ORDER BY s.value LIMIT 2 OFFSET 24)) AS m FROM boots b"                    \
	" WHERE b.configuration = '" cfg "')"
/*
 * 1e9 x the k-th smallest of the 64 pairwise ratios exit-work/A of boot medians. compare's CI at this
 * size is the Hodges-Lehmann CI of log(y) - log(x), exponentiated: its point estimate is the median of
 * these ratios, so the middle two of them must lie inside it. A mean of boot medians is not what that
 * CI is of: one slow boot moves a mean of 8 out of a rank CI (a CI run on a busy host did, in all three
 * exiting metrics).
 */
#define PAIR_RATIO_SQL                                                                         \
	"SELECT CAST(1e9 * y.m / x.m AS INTEGER) FROM " BOOT_MEDIANS("A") " x, " BOOT_MEDIANS( \
		"exit-work") " y ORDER BY 1 LIMIT 1 OFFSET %d"
#define WARM_SAMPLES_PER_BOOT_SQL                                                                         \
	"SELECT CASE WHEN count(DISTINCT n) = 1 THEN max(n) ELSE -1 END FROM (SELECT count(*) AS n FROM " \
	"samples WHERE metric = '%s' AND NOT warmup GROUP BY boot_id)"

Test(bench_run, known_effect_wallclock_is_slower_and_a_vs_a_not_different, .timeout = 400)
{
	char db[128], sql[2048];

	snprintf(db, sizeof(db), "%s/known-wc.db", dir);
	run_plan("configs/bench/plans/ci/known-effect-wallclock.yaml", db, 380);
	expect_run_complete(db, 24);

	json_t *slow = compare_json(db, "A", "exit-work");
	cr_expect_str_eq(json_string_value(json_object_get(slow, "observation")), "boot");
	for (size_t i = 0; i < NR(exiting); i++) {
		json_t *m = metric_of(slow, exiting[i]);
		cr_expect_str_eq(verdict(m), "slower", "%s", exiting[i]);
		cr_expect_gt(ci(m, 0), 1, "%s: the CI [%g, %g] does not exclude 1", exiting[i], ci(m, 0),
			     ci(m, 1));
		/*
		 * The true ratio in wall-clock time is not known in advance; its independent estimate here is
		 * the median of the pairwise ratios of boot medians, computed from the raw samples by SQL, not
		 * by compare.
		 */
		const char *metric = strchr(exiting[i], '/') + 1;
		snprintf(sql, sizeof(sql), WARM_SAMPLES_PER_BOOT_SQL, metric);
		cr_assert_eq(query_int(db, sql), 50, "%s: not 50 warm-up-free samples in every boot",
			     exiting[i]);
		double mid[2];
		for (int k = 0; k < 2; k++) {
			snprintf(sql, sizeof(sql), PAIR_RATIO_SQL, metric, metric, 31 + k);
			mid[k] = (double)query_int(db, sql) / 1e9;
		}
		cr_assert_gt(mid[0], 0, "%s: the SQL estimate failed", exiting[i]);
		cr_expect(ci(m, 0) <= mid[0] && mid[1] <= ci(m, 1),
			  "%s: the median pairwise ratio [%g, %g] outside [%g, %g]", exiting[i], mid[0],
			  mid[1], ci(m, 0), ci(m, 1));
		cr_expect_str_eq(json_string_value(json_object_get(m, "ci_method")), "exact-rank", "%s",
				 exiting[i]);
	}
	json_decref(slow);

	/*
	 * A against itself at 0.001, not 0.05: at 0.05 a comparison of equals calls a difference in up to
	 * one run in 20 by design (one CI run in ten did). With 8 boots a side a call at 0.001 needs the two
	 * to be wholly apart in a metric: a bias of the order of boots, not chance (see the plan).
	 */
	json_t *same = compare_json_at(db, "A", "A-again", "0.001");
	cr_expect_float_eq(json_real_value(json_object_get(same, "alpha")), 0.001, 1e-12);
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(same, "metrics"), i, m)
	{
		const char *v = verdict(m);
		cr_expect(strcmp(v, "slower") && strcmp(v, "faster"), "A vs A-again: %s called %s",
			  json_string_value(json_object_get(m, "metric")), v);
	}
	json_decref(same);
}

#define RESUME_PLAN "tests/integration/plans/bench-resume.yaml"
#define SAMPLES_SQL                                                                                       \
	"SELECT b.configuration, b.boot_index, b.run_order, b.status, s.workload, s.metric, s.iteration," \
	" s.value, s.warmup FROM boots b JOIN samples s ON s.boot_id = b.id ORDER BY 1, 2, 5, 6, 7"

Test(bench_run, sigkill_then_resume_loses_no_boot_and_counts_none_twice, .timeout = 400)
{
	char ref[128], db[128], plan[256], other[160];
	struct tessera_proc p;

	snprintf(ref, sizeof(ref), "%s/ref.db", dir);
	snprintf(db, sizeof(db), "%s/killed.db", dir);
	snprintf(plan, sizeof(plan), "%s/%s", TESSERA_SOURCE_ROOT, RESUME_PLAN);
	run_plan(RESUME_PLAN, ref, 200);
	expect_run_complete(ref, 4);
	/* with no names, the baseline is the plan's first configuration (A), though 'work' booted first */
	tessera_run(&p, 60, (const char *const[]){"bench", "compare", ref, NULL});
	cr_expect_eq(p.status, 0, "%s", p.err);
	cr_expect(strstr(p.out, "baseline: A\ncontender: work\n"), "%s", p.out);
	tessera_free(&p);

	/* a SIGKILLed run cannot remove its scratch directories: let them be made in ours */
	setenv("TMPDIR", dir, 1);
	tessera_start(&p, (const char *const[]){"bench", "run", plan, "-o", db, "--no-compare", NULL});
	unsetenv("TMPDIR");
	long long committed = 0;
	for (int i = 0; i < 1800 && committed < 2; i++) {
		nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
		committed = access(db, R_OK) ? 0 : query_int(db, "SELECT count(*) FROM boots");
	}
	cr_assert_eq(committed, 2, "no two boots committed in time");
	pid_t qemu = tessera_wait_for_qemu(&p, 60); /* the third boot's */
	cr_assert_eq(kill(p.pid, SIGKILL), 0);
	tessera_wait(&p, 30);
	cr_expect_eq(p.status, 128 + SIGKILL);
	tessera_free(&p);
	for (int i = 0; i < 100 && qemu > 0 && process_exists(qemu); i++)
		nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
	cr_expect(qemu <= 0 || !process_exists(qemu), "QEMU %d outlived its killed tessera", (int)qemu);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM boots"), 2, "a boot was lost or half-written");
	cr_expect_eq(query_int(db, "SELECT count(*) FROM runs WHERE status = 'running'"), 1);

	/* --resume with another plan is refused before anything boots */
	snprintf(other, sizeof(other), "%s/other.yaml", dir);
	sh("sed 's/seed: 5/seed: 6/' '%s' > '%s'", plan, other);
	tessera_run(&p, 60, (const char *const[]){"bench", "run", other, "-o", db, "--resume", NULL});
	cr_expect_eq(p.status, 2, "exit %d\n%s", p.status, p.err);
	cr_expect(strstr(p.err, "is of another plan"), "%s", p.err);
	tessera_free(&p);

	tessera_run(&p, 200,
		    (const char *const[]){"bench", "run", plan, "-o", db, "--resume", "--no-compare", NULL});
	cr_assert_eq(p.status, 0, "resume: exit %d\n%s", p.status, p.err);
	cr_expect(strstr(p.err, "2 of 4 boots recorded, 2 to go"), "%s", p.err);
	tessera_free(&p);
	expect_run_complete(db, 4);
	cr_expect_eq(
		query_int(db, "SELECT count(*) FROM (SELECT DISTINCT configuration, boot_index FROM boots)"),
		4);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM runs"), 1);
	char *a = query_text(ref, SAMPLES_SQL), *b = query_text(db, SAMPLES_SQL);
	cr_expect_gt(strlen(a), 100);
	cr_expect_str_eq(b, a, "the resumed run's samples differ from an uninterrupted run's");
	free(a);
	free(b);

	tessera_run(&p, 60, (const char *const[]){"bench", "run", plan, "-o", db, "--resume", NULL});
	cr_expect_eq(p.status, 2);
	cr_expect(strstr(p.err, "no unfinished run to resume"), "%s", p.err);
	tessera_free(&p);
}

/* A plan with a mistake: exit 2, the mistake's place, no database, no QEMU. */
static void expect_plan_error(const char *text, const char *where)
{
	char plan[128], db[128], want[256];
	struct tessera_proc p;

	snprintf(plan, sizeof(plan), "%s/bad.yaml", dir);
	snprintf(db, sizeof(db), "%s/never.db", dir);
	FILE *f = fopen(plan, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	tessera_run(&p, 60, (const char *const[]){"bench", "run", plan, "-o", db, NULL});
	snprintf(want, sizeof(want), "tessera: %s:%s: ", plan, where);
	cr_expect_eq(p.status, 2, "exit %d\n%s", p.status, p.err);
	cr_expect(strstr(p.err, want), "no '%s' in:\n%s", want, p.err);
	cr_expect_eq(p.qemu_pid, 0, "a QEMU was started");
	cr_expect(access(db, F_OK), "the database was created");
	tessera_free(&p);
}

Test(bench_run, plan_errors_exit_2_at_their_place_before_anything_boots, .timeout = 60)
{
	static const char head[] =
		"mode: wallclock\nseed: 1\nboots: 2\niterations: 5\nworkloads: [exitloop]\n";
	char text[512];

	snprintf(text, sizeof(text), "%sconfigurations:\n  - name: A\n    tracing: sometimes\n", head);
	expect_plan_error(text, "8:14");
	snprintf(text, sizeof(text), "%sconfigurations:\n  - name: A\n    system: nowhere/{workload}.yaml\n",
		 head);
	expect_plan_error(text, "8:13");
	snprintf(text, sizeof(text), "%sconfigurations:\n  - name: A\n    neighbours: on\n", head);
	expect_plan_error(text, "7:11");
	expect_plan_error("mode: wallclock\nseed: [1]\n", "2:7");
	/* hypervisor options are checked against the hypervisor's table, not found out by a boot */
	snprintf(text, sizeof(text),
		 "%sconfigurations:\n  - name: A\n    hypervisor: \"nosuch_option=3 bench_exit_work=abc\"\n",
		 head);
	expect_plan_error(text, "8:17");
}

/* A boot that fails is a result: recorded as failed with why, never dropped, and the run exits 1. */
Test(bench_run, a_failed_boot_is_recorded_as_failed, .timeout = 120)
{
	char plan[128], db[128];
	struct tessera_proc p;

	snprintf(plan, sizeof(plan), "%s/fails.yaml", dir);
	snprintf(db, sizeof(db), "%s/fails.db", dir);
	FILE *f = fopen(plan, "w");
	cr_assert_not_null(f);
	/* test_fault= stops the machine with a fault on purpose before a cell runs (a malformed option
	 * would be refused by the plan check, exit 2, before any boot) */
	fputs("mode: wallclock\nseed: 3\nboots: 1\niterations: 5\nworkloads: [exitloop]\nconfigurations:\n"
	      "  - name: good\n    host_cpus: [0]\n  - name: broken\n    hypervisor: test_fault=pagefault\n",
	      f);
	fclose(f);
	tessera_run(&p, 100, (const char *const[]){"bench", "run", plan, "-o", db, "--no-compare", NULL});
	cr_expect_eq(p.status, 1, "exit %d\n%s", p.status, p.err);
	cr_expect(strstr(p.err, "failed (recorded as failed)"), "%s", p.err);
	tessera_free(&p);
	cr_expect_eq(
		query_int(db, "SELECT count(*) FROM boots WHERE configuration = 'good' AND status = 'done'"),
		1);
	cr_expect_eq(
		query_int(db,
			  "SELECT count(*) FROM boots WHERE configuration = 'broken' AND status = 'failed'"
			  " AND record LIKE '%\"failure\":%'"),
		1);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM samples s JOIN boots b ON b.id = s.boot_id"
				   " WHERE b.status = 'failed'"),
		     0);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM runs WHERE status = 'failed'"), 1);
	/* the placement is part of the boot's record */
	cr_expect_eq(query_int(db, "SELECT count(*) FROM boots WHERE configuration = 'good'"
				   " AND record LIKE '%\"host_cpus\":[0]%'"),
		     1);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM boots WHERE configuration = 'broken'"
				   " AND record LIKE '%\"host_cpus\":null%'"),
		     1);
}

/* SIGTERM mid-boot: QEMU is ended, the boot in progress is not recorded, the run is "interrupted". */
Test(bench_run, sigterm_interrupts_the_run_and_leaves_no_qemu, .timeout = 120)
{
	char db[128], plan[256];
	struct tessera_proc p;

	snprintf(db, sizeof(db), "%s/term.db", dir);
	snprintf(plan, sizeof(plan), "%s/%s", TESSERA_SOURCE_ROOT, RESUME_PLAN);
	tessera_start(&p, (const char *const[]){"bench", "run", plan, "-o", db, NULL});
	pid_t qemu = tessera_wait_for_qemu(&p, 60);
	cr_assert_gt(qemu, 0, "no QEMU started");
	cr_assert_eq(kill(p.pid, SIGTERM), 0);
	tessera_wait(&p, 60);
	cr_expect_eq(p.status, 143, "exit %d\n%s", p.status, p.err);
	tessera_free(&p);
	cr_expect(!process_exists(qemu), "QEMU %d outlived the run", (int)qemu);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM runs WHERE status = 'interrupted'"), 1);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM boots WHERE status != 'done'"), 0);
}
