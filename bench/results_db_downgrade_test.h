/*
 * For the migration tests: take a file of the current schema back to version 1 by dropping what every
 * later migration step added (SQLite 3.35 drops columns), so each test starts from what version 1 wrote.
 * A new step adds its own undo here.
 */
#ifndef TESSERA_BENCH_RESULTS_DB_DOWNGRADE_TEST_H
#define TESSERA_BENCH_RESULTS_DB_DOWNGRADE_TEST_H

static const char results_db_downgrade_to_v1_sql[] =
	/* 4: campaigns */
	"DROP TABLE campaigns;"
	"ALTER TABLE experiments DROP COLUMN model; ALTER TABLE experiments DROP COLUMN site;"
	"ALTER TABLE experiments DROP COLUMN point; ALTER TABLE experiments DROP COLUMN inject_at;"
	"ALTER TABLE experiments DROP COLUMN detail; ALTER TABLE experiments DROP COLUMN exit_status;"
	"ALTER TABLE experiments DROP COLUMN trace_sha256; ALTER TABLE experiments DROP COLUMN interruptions;"
	"ALTER TABLE experiments DROP COLUMN plan; ALTER TABLE experiments DROP COLUMN config_hash;"
	"ALTER TABLE experiments DROP COLUMN image_hash; ALTER TABLE experiments DROP COLUMN qemu_cmdline;"
	"ALTER TABLE experiments DROP COLUMN repeat;"
	/* 3: bench run */
	"ALTER TABLE boots DROP COLUMN workload; ALTER TABLE boots DROP COLUMN record;"
	"ALTER TABLE runs DROP COLUMN plan_sha256; ALTER TABLE runs DROP COLUMN margin;"
	/* 2: jobs and cases */
	"DROP INDEX cases_name; DROP TABLE cases; DROP TABLE jobs;"
	"PRAGMA user_version = 1;";

#endif
