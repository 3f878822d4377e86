/*
 * The results database's jobs and cases (schema version 2 on): a job goes in whole with its cases in order, a
 * bad case leaves no trace of the job, and a version-1 file is migrated in place with its runs kept.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "results_db.h"
#include "results_db_downgrade_test.h"
#include "results_db_tmp_test.h"

TestSuite(results_db_jobs, .init = results_db_tmp_make, .fini = results_db_tmp_remove);

/* The rows of one query, each as its columns joined by '\t', lines joined by '\n'. */
static char *query_text(const char *sql)
{
	static char out[8192];
	sqlite3 *db;
	sqlite3_stmt *st;

	out[0] = '\0';
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
		     sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *t = (const char *)sqlite3_column_text(st, i);
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? "\t" : "",
				 t ? t : "NULL");
		}
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "\n");
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static const struct rdb_case cases[] = {
	{"probe/b_second", "pass", NULL},
	{"probe/a_first", "fail", "not stopped"},
	{"probe/a_first", "pass", NULL}, /* a name may come twice (a test run twice): order keeps both */
};

Test(results_db_jobs, a_job_and_its_cases_go_in_whole_and_in_order)
{
	struct results_db r;
	int64_t job;
	static const char log[] = "line one\nline two\n";
	struct rdb_job j = {.source = "lava-run",
			    .name = "probe",
			    .lava_id = "4201",
			    .file = "/tmp/probe.yaml",
			    .health = "complete",
			    .duration_s = 3.5,
			    .log = log,
			    .log_len = sizeof(log) - 1};

	cr_assert_eq(results_db_open(&r, path), 0);
	cr_assert_eq(results_db_add_job(&r, &j, cases, 3, &job), 0);
	cr_expect_gt(job, 0);
	results_db_close(&r);
	cr_expect_str_eq(query_text("SELECT seq, name, result, detail FROM cases ORDER BY seq"),
			 "0\tprobe/b_second\tpass\tNULL\n1\tprobe/a_first\tfail\tnot stopped\n"
			 "2\tprobe/a_first\tpass\tNULL\n");
	cr_expect_str_eq(
		query_text("SELECT run_id, source, name, lava_id, health, duration_s, log FROM jobs"),
		"NULL\tlava-run\tprobe\t4201\tcomplete\t3.5\tline one\nline two\n\n");
}

Test(results_db_jobs, a_bad_case_leaves_no_part_of_the_job)
{
	struct results_db r;
	const struct rdb_case bad[] = {{"probe/a", "pass", NULL}, {"probe/b", "maybe", NULL}};

	cr_redirect_stderr();
	cr_assert_eq(results_db_open(&r, path), 0);
	cr_expect_neq(
		results_db_add_job(&r, &(struct rdb_job){.source = "regress", .name = "x"}, bad, 2, NULL), 0);
	cr_expect_neq(
		results_db_add_job(&r, &(struct rdb_job){.source = "elsewhere", .name = "y"}, cases, 1, NULL),
		0);
	results_db_close(&r);
	cr_expect_str_eq(query_text("SELECT count(*) FROM jobs"), "0\n");
	cr_expect_str_eq(query_text("SELECT count(*) FROM cases"), "0\n");
}

/* A file as version 1 left it (what later versions added taken away), user_version 1, a run recorded. */
static void make_version_1(void)
{
	struct results_db r;
	int64_t run;
	sqlite3 *db;

	cr_assert_eq(results_db_open(&r, path), 0);
	cr_assert_eq(results_db_run_begin(&r, &(struct rdb_run){.mode = "deterministic", .seed = 11}, &run),
		     0);
	results_db_close(&r);
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, results_db_downgrade_to_v1_sql, NULL, NULL, NULL), SQLITE_OK, "%s",
		     sqlite3_errmsg(db));
	sqlite3_close(db);
}

Test(results_db_jobs, a_version_1_file_is_migrated_in_place)
{
	struct results_db r;

	make_version_1();
	cr_expect_str_eq(query_text("SELECT count(*) FROM sqlite_master WHERE name IN ('jobs', 'cases')"),
			 "0\n");
	cr_assert_eq(results_db_open_existing(&r, path), 0);
	cr_assert_eq(results_db_add_job(&r, &(struct rdb_job){.source = "regress", .name = "probe"}, cases, 1,
					NULL),
		     0);
	results_db_close(&r);
	cr_expect_eq(atoi(query_text("PRAGMA user_version")), RESULTS_DB_SCHEMA_VERSION);
	cr_expect_str_eq(query_text("SELECT seed FROM runs"), "11\n", "the run of version 1 is kept");
	cr_expect_str_eq(query_text("SELECT name FROM cases"), "probe/b_second\n");
	/* The same schema as a new file's. */
	char migrated[8192];
	snprintf(migrated, sizeof(migrated), "%s",
		 query_text("SELECT type, name, sql FROM sqlite_master ORDER BY name"));
	unlink(path);
	cr_assert_eq(results_db_open(&r, path), 0);
	results_db_close(&r);
	cr_expect_str_eq(query_text("SELECT type, name, sql FROM sqlite_master ORDER BY name"), migrated);
}
