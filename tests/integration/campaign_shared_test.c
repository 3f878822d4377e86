/*
 * Many experiments per boot (docs/fault-campaigns.md, "Boots"): campaign 1's CI points plus an
 * experiment that hangs its boot run in fewer boots than experiments, each experiment ends exactly once,
 * the hang ends only its own boot; and a SIGKILL of a shared campaign resumes with every experiment
 * ending exactly once, nothing left running.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define ROOT TESSERA_SOURCE_ROOT

/* A path in a directory of this test process's own (two suites side by side never share a database). */
static const char *tmp_path(const char *name)
{
	static char dir[64];
	char *path;

	if (!dir[0]) {
		strcpy(dir, "/tmp/tessera-it-shared-XXXXXX");
		cr_assert_not_null(mkdtemp(dir));
	}
	cr_assert_gt(asprintf(&path, "%s/%s", dir, name), 0);
	return path;
}

static int query_int(const char *db, const char *sql)
{
	sqlite3 *s;
	sqlite3_stmt *st;
	int v = -1;

	cr_assert_eq(sqlite3_open(db, &s), SQLITE_OK);
	if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(s);
	return v;
}

/* The outcome of experiment i, or "" (a static buffer). */
static const char *outcome_of(const char *db, int i)
{
	static char buf[64];
	sqlite3 *s;
	sqlite3_stmt *st;

	buf[0] = '\0';
	cr_assert_eq(sqlite3_open(db, &s), SQLITE_OK);
	if (sqlite3_prepare_v2(s, "SELECT outcome FROM experiments WHERE experiment_index = ?", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_int(st, 1, i);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(buf, sizeof(buf), "%s", (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	sqlite3_close(s);
	return buf;
}

static void remove_db(const char *db)
{
	sh("rm -f '%s' '%s-wal' '%s-shm'", db, db, db);
}

/* Experiments i and k ran in the same boot: the same QEMU command line (its channel path is per boot). */
static int same_boot(const char *db, int i, int k)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "SELECT a.qemu_cmdline = b.qemu_cmdline FROM experiments a, experiments b"
		 " WHERE a.experiment_index = %d AND b.experiment_index = %d",
		 i, k);
	return query_int(db, sql);
}

/*
 * tests/campaigns/shared-hang.yaml's outcomes, however its experiments shared boots: every planned one
 * ended exactly once with a verdict; campaign 1's CI exit points benign and silent data corruption;
 * canary-a's lost timer a hang at the time limit (exit status 124).
 */
static void expect_shared_hang_outcomes(const char *db)
{
	cr_expect_eq(query_int(db, "SELECT count(*) FROM experiments WHERE status = 'done'"), 4);
	cr_expect_eq(query_int(db, "SELECT count(DISTINCT experiment_index) FROM experiments"), 4);
	cr_expect_eq(query_int(db, "SELECT sum(interruptions) FROM experiments"), 0);
	cr_expect_str_eq(outcome_of(db, 0), "benign");
	cr_expect_str_eq(outcome_of(db, 1), "sdc");
	cr_expect_str_eq(outcome_of(db, 3), "sdc");
	cr_expect_str_eq(outcome_of(db, 2), "hang");
	cr_expect_eq(query_int(db, "SELECT exit_status FROM experiments WHERE experiment_index = 2"), 124);
}

Test(campaign_shared, experiments_share_boots_and_a_hang_ends_only_its_own, .timeout = 900)
{
	const char *db = tmp_path("hang.db");
	struct tessera_proc p;

	remove_db(db);
	const char *run[] = {"fi", "campaign", "run", ROOT "tests/campaigns/shared-hang.yaml", "-o", db,
			     "-j", "1",	       NULL};
	tessera_run(&p, 800, run);
	cr_assert_eq(p.status, 0, "exit %d\n%s%s", p.status, p.out, p.err);
	cr_expect(has_line_with(p.err, "2 boots (many experiments per boot)"), "%s", p.err);
	tessera_free(&p);

	expect_shared_hang_outcomes(db);
	/* canary-a's lost timer: the time limit, which ends that boot; the next one ran in a new boot */
	cr_expect_eq(query_int(db, "SELECT count(DISTINCT qemu_cmdline) FROM experiments"), 2,
		     "QEMU booted as often as there were experiments (or more)");
	cr_expect_eq(same_boot(db, 0, 1), 1, "experiments 0 and 1 did not share a boot");
	cr_expect_eq(same_boot(db, 1, 2), 1, "the hang did not run in the shared boot");
	cr_expect_eq(same_boot(db, 2, 3), 0, "the experiment after the hang ran in the hung boot");
	remove_db(db);
}

/*
 * --batch: the same campaign as a batch the hypervisor reads from a boot module and runs with no host
 * attached (no host channel on QEMU's command line). The hypervisor keeps each experiment's time limit
 * itself, so the hang ends only its own experiment: all four in one boot, with the outcomes the
 * host-driven run above gives.
 */
Test(campaign_shared, a_batch_runs_with_no_host_and_a_hang_ends_only_its_experiment, .timeout = 900)
{
	const char *db = tmp_path("batch.db");
	struct tessera_proc p;

	remove_db(db);
	tessera_run(&p, 800,
		    (const char *const[]){"fi", "campaign", "run", ROOT "tests/campaigns/shared-hang.yaml",
					  "-o", db, "--batch", NULL});
	cr_assert_eq(p.status, 0, "exit %d\n%s%s", p.status, p.out, p.err);
	cr_expect(
		has_line_with(p.err, "1 boots (experiment batches run by the hypervisor, no host attached)"),
		"%s", p.err);
	tessera_free(&p);
	expect_shared_hang_outcomes(db);
	cr_expect_eq(query_int(db, "SELECT count(DISTINCT qemu_cmdline) FROM experiments"), 1, "one boot");
	cr_expect_eq(query_int(db, "SELECT count(*) FROM experiments WHERE qemu_cmdline LIKE '%ivshmem%'"), 0,
		     "the batch's boot had a host channel");
	remove_db(db);

	/* What cannot be a batch is refused before anything boots. */
	static const char *const bad[][2] = {{"-j", "2"}, {"--per-experiment-boots", NULL}};
	for (int i = 0; i < 2; i++) {
		tessera_run(&p, 60,
			    (const char *const[]){"fi", "campaign", "run",
						  ROOT "tests/campaigns/shared-hang.yaml", "-o", db,
						  "--batch", bad[i][0], bad[i][1], NULL});
		cr_expect_eq(p.status, 2, "--batch %s: exit %d\n%s", bad[i][0], p.status, p.err);
		cr_expect(strstr(p.err, "--batch: "), "%s", p.err);
		tessera_free(&p);
	}
	cr_expect_neq(access(db, F_OK), 0, "a refused --batch wrote a database");
}

/*
 * A batch's experiments replay byte for byte: the hypervisor alone decides when each restarts, so under
 * -icount the experiments that ran before one in its boot, run again, give it the same slice; and the
 * `tessera run --batch` command replay prints boots that prefix by hand.
 */
Test(campaign_shared, a_batchs_experiments_replay_with_identical_traces, .timeout = 900)
{
	const char *db = tmp_path("batch-replay.db");
	struct tessera_proc p;

	remove_db(db);
	tessera_run(&p, 600,
		    (const char *const[]){"fi", "campaign", "run", ROOT "tests/campaigns/resume-shared.yaml",
					  "-o", db, "--batch", NULL});
	cr_assert_eq(p.status, 0, "exit %d\n%s%s", p.status, p.out, p.err);
	tessera_free(&p);
	cr_assert_eq(query_int(db, "SELECT count(DISTINCT qemu_cmdline) FROM experiments"), 1,
		     "one batch boot");
	char by_hand[4096] = "";
	for (int i = 0; i < 5; i++) {
		char n[8];
		snprintf(n, sizeof(n), "%d", i);
		tessera_run(&p, 300, (const char *const[]){"fi", "campaign", "replay", db, n, NULL});
		cr_expect_eq(p.status, 0, "replay %d: exit %d\n%s%s", i, p.status, p.out, p.err);
		cr_expect(has_line_with(p.out, "  same outcome, identical trace"), "replay %d:\n%s", i,
			  p.out);
		const char *h = strstr(p.out, "by hand: ");
		if (i == 4 && h)
			snprintf(by_hand, sizeof(by_hand), "%.*s", (int)strcspn(h + 9, "#\n"), h + 9);
		tessera_free(&p);
	}
	cr_assert(strstr(by_hand, " --batch ") && strstr(by_hand, ".experiment-4.batch/batch.blob"), "%s",
		  by_hand);
	cr_expect_eq(sh("timeout 300 %s 2>&1 | grep -q 'batch: experiment 4 ends ('", by_hand), 0,
		     "the command replay printed runs the batch up to experiment 4: %s", by_hand);
	sh("rm -rf '%s'.experiment-*.batch", db);
	remove_db(db);
}

/*
 * --append: more hypervisor command line for every boot of a campaign (here a batch's), kept with the
 * run; a word the hypervisor would not take is refused before anything boots.
 */
Test(campaign_shared, append_reaches_every_boot_and_stays_with_the_run, .timeout = 600)
{
	const char *db = tmp_path("append.db");
	struct tessera_proc p;

	remove_db(db);
	tessera_run(&p, 60,
		    (const char *const[]){"fi", "campaign", "run",
					  ROOT "configs/campaigns/ci/mce-fiself.yaml", "-o", db, "--append",
					  "bench_exit_work=10 frobnicate", NULL});
	cr_expect_eq(p.status, 2, "exit %d\n%s", p.status, p.err);
	cr_expect(strstr(p.err, "'frobnicate': unknown option"), "%s", p.err);
	cr_expect_neq(access(db, F_OK), 0, "a refused --append wrote a database");
	tessera_free(&p);

	tessera_run(&p, 500,
		    (const char *const[]){"fi", "campaign", "run",
					  ROOT "configs/campaigns/ci/mce-fiself.yaml", "-o", db, "--batch",
					  "--append", "bench_exit_work=10", NULL});
	cr_assert_eq(p.status, 0, "exit %d\n%s%s", p.status, p.out, p.err);
	tessera_free(&p);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM experiments WHERE status = 'done' AND qemu_cmdline "
				   "LIKE '%bench_exit_work=10%'"),
		     5, "every experiment's boot had the option");
	cr_expect_eq(query_int(db, "SELECT count(*) FROM campaigns WHERE source LIKE "
				   "'%# fi campaign run --append: bench_exit_work=10%'"),
		     1, "the run keeps its --append");
	remove_db(db);
}

/* The processes this test started that are still there (every one carries the mark in its environment). */
static int leftovers(const char *mark)
{
	pid_t pids[64];

	for (int t = 0; t < 300; t++) {
		if (!pids_with_env(mark, pids, 64))
			return 0;
		usleep(100 * 1000);
	}
	return pids_with_env(mark, pids, 64);
}

Test(campaign_shared, a_sigkill_then_resume_ends_every_experiment_exactly_once, .timeout = 900)
{
	const char *db = tmp_path("kill.db");
	const char *file = ROOT "tests/campaigns/resume-shared.yaml";
	char mark[64];
	struct tessera_proc p;
	unsigned int seed = (unsigned int)time(NULL);

	snprintf(mark, sizeof(mark), "TESSERA_SHARED_KILL_%d", (int)getpid());
	setenv(mark, "1", 1); /* every process the runs start carries it */
	strcat(mark, "=1");
	remove_db(db);
	const char *run[] = {"fi", "campaign", "run", file, "-o", db, "-j", "2", NULL};
	tessera_start(&p, run);
	for (int t = 0; t < 3000 && query_int(db, "SELECT count(*) FROM campaigns WHERE golden_console IS NOT"
						  " NULL") != 1;
	     t++)
		usleep(100 * 1000);
	srand(seed);
	int ms = 500 + rand() % 4000; /* the boots come up, some experiments run: a random moment */
	usleep((useconds_t)ms * 1000);
	kill(p.pid, SIGKILL);
	fprintf(stderr, "shared kill test: SIGKILL %d ms after the golden run (seed %u)\n", ms, seed);
	tessera_wait(&p, 120);
	cr_assert_eq(p.status, 128 + SIGKILL, "exit %d (ended before the kill?)\n%s", p.status, p.err);
	cr_expect_eq(leftovers(mark), 0, "processes left running after the kill");
	tessera_free(&p);
	const char *resume[] = {"fi", "campaign", "run", file, "-o", db, "-j", "2", "--resume", NULL};
	tessera_run(&p, 800, resume);
	cr_assert_eq(p.status, 0, "exit %d\n%s%s", p.status, p.out, p.err);
	cr_expect(has_line_with(p.out, "5 of 5 planned experiments judged"), "%s", p.out);
	tessera_free(&p);
	cr_expect_eq(leftovers(mark), 0, "processes left running after the resume");
	*strchr(mark, '=') = '\0';
	unsetenv(mark);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM experiments WHERE status = 'done'"), 5);
	cr_expect_eq(query_int(db, "SELECT count(DISTINCT experiment_index) FROM experiments"), 5);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM runs"), 1, "a resume made a new run");
	cr_expect_eq(query_int(db, "SELECT count(*) FROM experiments WHERE outcome IN ('infrastructure',"
				   " 'no_verdict')"),
		     0);
	remove_db(db);
}
