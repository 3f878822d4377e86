/*
 * For the results database's tests: each test gets a directory of its own under /tmp holding `path`
 * (results.db and its WAL files), removed whole after the test. Use as a suite's .init and .fini:
 * TestSuite(name, .init = results_db_tmp_make, .fini = results_db_tmp_remove).
 */
#ifndef TESSERA_BENCH_RESULTS_DB_TMP_TEST_H
#define TESSERA_BENCH_RESULTS_DB_TMP_TEST_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

static char dir[64], path[128];

static void results_db_tmp_make(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tessera-rdb-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/results.db", dir);
}

static void results_db_tmp_remove(void)
{
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

#endif
