/*
 * The results database on temporary files: schema and version, WAL, boots with their samples, experiments,
 * and a writer killed with SIGKILL mid-way that loses no completed boot and leaves none partial.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compare_db.h"
#include "plan.h"
#include "results_db.h"
#include "results_db_downgrade_test.h"
#include "results_db_tmp_test.h"

/*
 * Tests that provoke the database's error messages capture stderr (so `./tessera test` shows no error
 * lines that are not failures) and check what was said.
 */
static void expect_said(const char *needle)
{
	static char text[4096];
	fflush(stderr);
	size_t n = fread(text, 1, sizeof(text) - 1, cr_get_redirected_stderr());
	text[n] = '\0';
	cr_expect(strstr(text, needle), "no \"%s\" in stderr: %s", needle, text);
}

TestSuite(results_db, .init = results_db_tmp_make, .fini = results_db_tmp_remove);

static long long query_int(const char *db_path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;
	cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
		     sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

#define SAMPLES_PER_BOOT 300

static int add_boot(struct results_db *r, int64_t run, const char *config, unsigned int index)
{
	static struct rdb_sample s[SAMPLES_PER_BOOT];
	for (unsigned int i = 0; i < SAMPLES_PER_BOOT; i++)
		s[i] = (struct rdb_sample){.workload = "cpu",
					   .metric = "time",
					   .unit = "ns",
					   .iteration = i,
					   .value = 1000 + i,
					   .warmup = i < 2};
	struct rdb_boot b = {
		.configuration = config, .boot_index = index, .run_order = index, .status = "done"};
	return results_db_add_boot(r, run, &b, s, SAMPLES_PER_BOOT, NULL);
}

Test(results_db, creates_a_versioned_wal_schema_and_records_a_run)
{
	struct results_db r;
	int64_t run;
	cr_assert_eq(results_db_open(&r, path), 0);
	cr_assert_eq(results_db_run_begin(&r, &(struct rdb_run){.mode = "deterministic", .seed = 7}, &run),
		     0);
	cr_assert_eq(add_boot(&r, run, "A", 0), 0);
	cr_expect(results_db_has_boot(&r, run, "A", 0));
	cr_expect_not(results_db_has_boot(&r, run, "A", 1));
	cr_assert_eq(results_db_run_end(&r, run, "done"), 0);
	cr_redirect_stderr();
	cr_expect_eq(results_db_latest_run(&r), run);
	expect_said("run 1 (the newest finished bench run)");
	results_db_close(&r);

	cr_expect_eq(query_int(path, "PRAGMA user_version"), RESULTS_DB_SCHEMA_VERSION);
	cr_expect_eq(query_int(path, "SELECT count(*) FROM samples"), SAMPLES_PER_BOOT);
	cr_expect_eq(query_int(path, "SELECT count(*) FROM samples WHERE warmup"), 2);
	cr_expect_eq(query_int(path, "SELECT seed FROM runs"), 7);
	cr_expect_eq(query_int(path, "SELECT count(*) FROM runs WHERE status = 'done' AND ended IS NOT NULL"
				     " AND host_cpu IS NOT NULL AND host_kernel IS NOT NULL"),
		     1);
	/* Reopening keeps the data and WAL mode. */
	cr_assert_eq(results_db_open_existing(&r, path), 0);
	results_db_close(&r);
	sqlite3 *db;
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_expect_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

Test(results_db, a_duplicate_boot_is_refused_whole)
{
	struct results_db r;
	int64_t run;
	cr_redirect_stderr();
	cr_assert_eq(results_db_open(&r, path), 0);
	cr_assert_eq(results_db_run_begin(&r, &(struct rdb_run){0}, &run), 0);
	cr_assert_eq(add_boot(&r, run, "A", 0), 0);
	cr_expect_neq(add_boot(&r, run, "A", 0), 0, "the same boot twice");
	expect_said("cannot record the boot: UNIQUE constraint failed");
	results_db_close(&r);
	cr_expect_eq(query_int(path, "SELECT count(*) FROM samples"), SAMPLES_PER_BOOT);
}

Test(results_db, refuses_another_schema_version)
{
	struct results_db r;
	cr_redirect_stderr();
	cr_assert_eq(results_db_open(&r, path), 0);
	results_db_close(&r);
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	cr_expect_neq(results_db_open(&r, path), 0);
	cr_expect_neq(results_db_open_existing(&r, "/nonexistent/x.db"), 0);
	fflush(stderr);
	static char text[4096];
	size_t n = fread(text, 1, sizeof(text) - 1, cr_get_redirected_stderr());
	text[n] = '\0';
	char want[96];
	snprintf(want, sizeof(want), "schema version 99, this tessera reads version %d",
		 RESULTS_DB_SCHEMA_VERSION);
	cr_expect(strstr(text, want), "stderr: %s", text);
	cr_expect(strstr(text, "/nonexistent/x.db: no such results database"), "stderr: %s", text);
}

/* A file of version 1 (before bench run) is migrated in place: its rows stay, the new columns appear. */
Test(results_db, a_version_1_file_is_migrated_keeping_its_rows)
{
	static const char v1[] =
		"CREATE TABLE runs (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, plan TEXT, git_revision TEXT,"
		" config_hash TEXT, image_hash TEXT, qemu_version TEXT, qemu_cmdline TEXT, hv_cmdline TEXT,"
		" seed INTEGER NOT NULL DEFAULT 0, mode TEXT NOT NULL, host_cpu TEXT, host_kernel TEXT,"
		" load_start REAL, load_end REAL, started TEXT NOT NULL, ended TEXT, status TEXT NOT NULL);"
		"CREATE TABLE boots (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs (id),"
		" configuration TEXT NOT NULL, boot_index INTEGER NOT NULL, run_order INTEGER NOT NULL,"
		" status TEXT NOT NULL, started TEXT, ended TEXT, load_start REAL, load_end REAL,"
		" UNIQUE (run_id, configuration, boot_index));"
		"CREATE TABLE samples (boot_id INTEGER NOT NULL, workload TEXT NOT NULL, metric TEXT NOT "
		"NULL,"
		" unit TEXT NOT NULL, iteration INTEGER NOT NULL, value REAL NOT NULL,"
		" warmup INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (boot_id, workload, metric, iteration));"
		"CREATE TABLE experiments (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, campaign TEXT "
		"NOT NULL,"
		" experiment_index INTEGER NOT NULL, fault TEXT NOT NULL, seed INTEGER NOT NULL DEFAULT 0,"
		" weight REAL NOT NULL DEFAULT 1, outcome TEXT, status TEXT NOT NULL, started TEXT, ended "
		"TEXT,"
		" duration_ns INTEGER, trace_excerpt TEXT, UNIQUE (run_id, experiment_index));"
		"INSERT INTO runs (kind, mode, started, status) VALUES ('bench', 'wallclock', 'then', "
		"'done');"
		"INSERT INTO boots (run_id, configuration, boot_index, run_order, status)"
		" VALUES (1, 'A', 0, 0, 'done');"
		"PRAGMA user_version = 1;";
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, v1, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);

	struct results_db r;
	cr_assert_eq(results_db_open(&r, path), 0);
	int64_t run;
	struct rdb_boot b = {.configuration = "B", .workload = "cpuint", .record = "{}"};
	cr_assert_eq(results_db_run_begin(&r, &(struct rdb_run){.plan_sha256 = "abc", .margin = 0.03}, &run),
		     0);
	cr_assert_eq(results_db_add_boot(&r, run, &b, NULL, 0, NULL), 0);
	char hash[80];
	cr_expect_eq(results_db_unfinished_run(&r, hash, sizeof(hash)), run);
	cr_expect_str_eq(hash, "abc");
	results_db_close(&r);
	cr_expect_eq(query_int(path, "PRAGMA user_version"), RESULTS_DB_SCHEMA_VERSION);
	cr_expect_eq(query_int(path, "SELECT count(*) FROM boots WHERE configuration = 'A'"), 1);
	cr_expect_eq(
		query_int(path, "SELECT count(*) FROM boots WHERE workload = 'cpuint' AND record = '{}'"), 1);
	cr_expect_eq(query_int(path, "SELECT count(*) FROM runs WHERE plan_sha256 = 'abc' AND margin = 0.03"),
		     1);
}

Test(results_db, experiments_move_from_planned_to_done_once)
{
	struct results_db r;
	int64_t run;
	cr_assert_eq(results_db_open(&r, path), 0);
	cr_assert_eq(results_db_run_begin(&r, &(struct rdb_run){.kind = "campaign"}, &run), 0);
	struct rdb_experiment e = {.campaign = "regflip",
				   .index = 3,
				   .fault = "rax bit 5 at insn 1000",
				   .weight = 12,
				   .status = "planned",
				   .duration_ns = -1};
	cr_assert_eq(results_db_put_experiment(&r, run, &e), 0);
	e.status = "interrupted";
	cr_assert_eq(results_db_put_experiment(&r, run, &e), 0);
	e.status = "done";
	e.outcome = "sdc";
	e.duration_ns = 5000;
	cr_assert_eq(results_db_put_experiment(&r, run, &e), 0);
	results_db_close(&r);
	cr_expect_eq(query_int(path, "SELECT count(*) FROM experiments"), 1);
	cr_expect_eq(query_int(path,
			       "SELECT count(*) FROM experiments WHERE status = 'done' AND outcome = 'sdc'"
			       " AND weight = 12 AND duration_ns = 5000"),
		     1);
}

Test(results_db, resume_marks_the_experiment_cut_short_interrupted)
{
	struct results_db r;
	int64_t run;
	cr_assert_eq(results_db_open(&r, path), 0);
	cr_assert_eq(results_db_run_begin(&r, &(struct rdb_run){.kind = "campaign"}, &run), 0);
	static const char *const status[] = {"done", "running", "planned", "done"};
	for (unsigned int i = 0; i < 4; i++)
		cr_assert_eq(results_db_put_experiment(&r, run,
						       &(struct rdb_experiment){.campaign = "c",
										.index = i,
										.fault = "f",
										.weight = 1,
										.status = status[i],
										.duration_ns = -1}),
			     0);
	cr_assert_eq(results_db_run_end(&r, run, "interrupted"), 0);
	cr_expect_eq(results_db_resume(&r, run), 1);
	cr_expect_eq(results_db_resume(&r, run), 0, "resuming twice interrupts nothing more");
	results_db_close(&r);
	cr_expect_eq(query_int(path, "SELECT experiment_index FROM experiments WHERE status = 'interrupted'"),
		     1);
	cr_expect_eq(query_int(path, "SELECT count(*) FROM experiments WHERE status = 'done'"), 2);
	cr_expect_eq(query_int(path, "SELECT count(*) FROM runs WHERE status = 'running' AND ended IS NULL"),
		     1);
}

/* Start a writer that adds boots from `first` on, reporting each committed index on fd. */
static pid_t start_writer(int64_t run, unsigned int first, int fd)
{
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid)
		return pid;
	struct results_db r;
	if (results_db_open(&r, path))
		_exit(3);
	for (unsigned int i = first;; i++) {
		if (add_boot(&r, run, "A", i))
			_exit(4);
		if (write(fd, &i, sizeof(i)) != sizeof(i))
			_exit(5);
	}
}

/*
 * Five times: a writer adds boots as fast as it can and is killed with SIGKILL a few milliseconds after
 * its n-th commit (so, with high probability, inside the next transaction); then every boot it reported
 * committed must be there with all its samples, no boot may be partial, and a new writer resumes after
 * the last complete boot.
 */
Test(results_db, sigkill_of_the_writer_loses_no_completed_boot, .timeout = 120)
{
	struct results_db r;
	int64_t run;
	cr_assert_eq(results_db_open(&r, path), 0);
	cr_assert_eq(results_db_run_begin(&r, &(struct rdb_run){0}, &run), 0);
	results_db_close(&r);

	for (int round = 0; round < 5; round++) {
		long long before = query_int(path, "SELECT count(*) FROM boots");
		int fds[2];
		cr_assert_eq(pipe(fds), 0);
		pid_t pid = start_writer(run, (unsigned int)before, fds[1]);
		close(fds[1]);
		unsigned int last = 0, got;
		bool any = false;
		for (int n = 0; n < 3 + 2 * round && read(fds[0], &got, sizeof(got)) == sizeof(got); n++) {
			last = got;
			any = true;
		}
		struct timespec pause = {0, (1 + round) * 1000 * 1000};
		nanosleep(&pause, NULL);
		kill(pid, SIGKILL);
		int status;
		waitpid(pid, &status, 0);
		cr_assert(WIFSIGNALED(status), "round %d: the writer ended on its own (status %d)", round,
			  status);
		while (read(fds[0], &got, sizeof(got)) == sizeof(got)) {
			last = got;
			any = true;
		}
		close(fds[0]);
		cr_assert(any, "round %d: the writer committed nothing", round);

		long long boots = query_int(path, "SELECT count(*) FROM boots");
		cr_expect_geq(boots, last + 1, "round %d: boot %u was committed, %lld boots survive", round,
			      last, boots);
		cr_expect_eq(query_int(path,
				       "SELECT count(*) FROM boots b WHERE (SELECT count(*) FROM samples s"
				       " WHERE s.boot_id = b.id) <> 300"),
			     0, "round %d: a partial boot survived", round);
		cr_expect_eq(query_int(path, "SELECT count(*) FROM samples"), boots * SAMPLES_PER_BOOT);
		cr_expect_eq(query_int(path, "SELECT count(DISTINCT boot_index) FROM boots"), boots,
			     "a boot counted twice");
		cr_expect_eq(query_int(path, "SELECT max(boot_index) FROM boots"), boots - 1,
			     "a boot is missing");
	}
	cr_assert_eq(results_db_open(&r, path), 0);
	long long boots = query_int(path, "SELECT count(*) FROM boots");
	cr_expect(results_db_has_boot(&r, run, "A", (unsigned int)boots - 1));
	cr_expect_not(results_db_has_boot(&r, run, "A", (unsigned int)boots));
	results_db_close(&r);
}

Test(results_db, a_version_1_file_is_migrated_and_keeps_its_rows)
{
	struct results_db r;
	int64_t run;
	cr_assert_eq(results_db_open(&r, path), 0);
	cr_assert_eq(results_db_run_begin(&r, &(struct rdb_run){.mode = "wallclock"}, &run), 0);
	cr_assert_eq(results_db_put_experiment(&r, run,
					       &(struct rdb_experiment){.campaign = "c",
									.fault = "f",
									.status = "done",
									.outcome = "benign",
									.weight = 1,
									.duration_ns = -1}),
		     0);
	results_db_close(&r);
	/* Back to version 1: what the later migration steps added goes. */
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, results_db_downgrade_to_v1_sql, NULL, NULL, NULL), SQLITE_OK, "%s",
		     sqlite3_errmsg(db));
	sqlite3_close(db);
	cr_assert_eq(query_int(path, "PRAGMA user_version"), 1);
	cr_assert_eq(results_db_open(&r, path), 0);
	results_db_close(&r);
	cr_expect_eq(query_int(path, "PRAGMA user_version"), RESULTS_DB_SCHEMA_VERSION);
	cr_expect_eq(
		query_int(path,
			  "SELECT count(*) FROM experiments WHERE outcome = 'benign' AND interruptions = 0"),
		1);
	cr_expect_eq(query_int(path, "SELECT count(*) FROM campaigns"), 0);
}

Test(results_db, latest_run_is_the_newest_finished_bench_run_not_a_later_campaign)
{
	struct results_db r;
	int64_t bench, running, campaign;
	cr_assert_eq(results_db_open(&r, path), 0);
	cr_assert_eq(results_db_run_begin(&r, &(struct rdb_run){.mode = "deterministic", .seed = 1}, &bench),
		     0);
	cr_assert_eq(results_db_run_end(&r, bench, "done"), 0);
	cr_assert_eq(
		results_db_run_begin(&r, &(struct rdb_run){.mode = "deterministic", .seed = 2}, &running), 0);
	cr_assert_eq(results_db_run_begin(
			     &r, &(struct rdb_run){.kind = "campaign", .mode = "deterministic", .seed = 3},
			     &campaign),
		     0);
	cr_assert_eq(results_db_run_end(&r, campaign, "done"), 0);
	cr_expect_gt(campaign, bench);
	cr_redirect_stderr();
	cr_expect_eq(results_db_latest_run(&r), bench, "a later campaign or an unfinished run was picked");
	/* With no bench run finished, the newest bench run of any status. */
	cr_assert_eq(results_db_run_end(&r, bench, "failed"), 0);
	cr_expect_eq(results_db_latest_run(&r), running);
	results_db_close(&r);
	expect_said("run 1 (the newest finished bench run)");
}

/* report's and compare's default baseline: the configuration the run's plan names first, not the first booted. */
Test(results_db, the_default_baseline_is_the_plans_first_configuration)
{
	char plan_path[160];
	snprintf(plan_path, sizeof(plan_path), "%s/p.yaml", dir);
	FILE *f = fopen(plan_path, "w");
	cr_assert(f);
	fputs("mode: deterministic\nseed: 1\nboots: 2\niterations: 5\nworkloads: [exitloop]\n"
	      "configurations:\n  - name: A\n  - name: B\n",
	      f);
	fclose(f);
	struct plan p;
	struct config_diag d;
	cr_assert_eq(plan_load(plan_path, &p, &d), 0, "%s", d.message);
	struct results_db r;
	int64_t run;
	cr_assert_eq(results_db_open(&r, path), 0);
	cr_assert_eq(results_db_run_begin(&r,
					  &(struct rdb_run){.mode = "deterministic",
							    .seed = 1,
							    .plan = plan_path,
							    .plan_sha256 = p.sha256},
					  &run),
		     0);
	plan_free(&p);
	cr_assert_eq(add_boot(&r, run, "B", 0), 0); /* B is booted first */
	cr_assert_eq(add_boot(&r, run, "A", 1), 0);
	char names[DBSET_MAX_CONFIGS][256];
	size_t n = dbset_configurations(&r, run, names, DBSET_MAX_CONFIGS);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(names[0], "B");
	cr_expect_str_eq(names[dbset_plan_first(&r, run, names, n)], "A");
	/* A plan file changed since the run: the first booted. */
	f = fopen(plan_path, "a");
	cr_assert(f);
	fputs("# edited\n", f);
	fclose(f);
	cr_expect_str_eq(names[dbset_plan_first(&r, run, names, n)], "B");
	results_db_close(&r);
}
