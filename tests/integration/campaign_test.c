/*
 * Fault-injection campaigns end to end (docs/fault-campaigns.md): a bad campaign file is refused before
 * anything boots; a campaign killed with SIGKILL at random moments and resumed ends with the same table
 * as an uninterrupted run of the same seed, every experiment exactly once; stored experiments replay to
 * the same outcome and a byte-identical trace.
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

#define ROOT	 TESSERA_SOURCE_ROOT
#define CAMPAIGN ROOT "tests/campaigns/resume.yaml"
#define PLANNED	 5
#define KILLS	 5

/*
 * A path of this test's own: every file lives in a directory made for this test process, so two test
 * suites run side by side (or two runs of one test) never share a database.
 */
static const char *tmp_path(const char *name)
{
	static char dir[64];
	char *path;

	if (!dir[0]) {
		strcpy(dir, "/tmp/tessera-it-campaign-XXXXXX");
		cr_assert_not_null(mkdtemp(dir));
	}
	cr_assert_gt(asprintf(&path, "%s/%s", dir, name), 0);
	return path;
}

Test(campaign, a_bad_campaign_file_is_refused_before_boot, .timeout = 60)
{
	char path[] = "/tmp/tessera-it-campaign-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct tessera_proc p;

	fprintf(f,
		"name: bad\nconfig: %sconfigs/fi/selfcheck.yaml\ntarget: fiself\nfaults:\n"
		"  - model: register_flip\n    params:\n      - {key: reg, values: [rax, xmm0]}\n"
		"      - {key: bit, values: [1]}\n    trigger: {kind: icount, values: [1000]}\n",
		ROOT);
	fclose(f);
	const char *never = tmp_path("never.db");
	const char *args[] = {"fi", "campaign", "run", path, "-o", never, NULL};
	tessera_run(&p, 30, args);
	cr_expect_eq(p.status, 2, "exit %d, stderr:\n%s", p.status, p.err);
	char want[128];
	snprintf(want, sizeof(want), "%s:5:5: point 1 of this fault:", path);
	cr_expect(has_line_with(p.err, want), "stderr:\n%s", p.err);
	cr_expect(has_line_with(p.err, "xmm0"), "stderr:\n%s", p.err);
	cr_expect_eq(access(never, F_OK), -1, "a database was created");
	tessera_free(&p);
	unlink(path);
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

/* "index|fault|outcome|trace\n" per experiment, the table two runs must agree on. */
static char *table(const char *db, const char *extra)
{
	sqlite3 *s;
	sqlite3_stmt *st;
	char *out = NULL, sql[512];
	size_t size = 0;
	FILE *m = open_memstream(&out, &size);

	cr_assert_eq(sqlite3_open(db, &s), SQLITE_OK);
	snprintf(sql, sizeof(sql),
		 "SELECT experiment_index, fault, status, outcome, trace_sha256%s FROM experiments"
		 " ORDER BY experiment_index",
		 extra);
	cr_assert_eq(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(s));
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++)
			fprintf(m, "%s%s", i ? "|" : "",
				sqlite3_column_text(st, i) ? (const char *)sqlite3_column_text(st, i)
							   : "NULL");
		fputc('\n', m);
	}
	sqlite3_finalize(st);
	sqlite3_close(s);
	fclose(m);
	return out;
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

static bool golden_recorded(const char *db)
{
	return access(db, F_OK) == 0 &&
	       query_int(db, "SELECT count(*) FROM campaigns WHERE golden_console IS NOT NULL") == 1;
}

static void remove_db(const char *db)
{
	sh("rm -f '%s' '%s-wal' '%s-shm' '%s'.experiment-*.yaml", db, db, db, db);
}

static void replay_all(const char *db)
{
	for (int i = 0; i < PLANNED; i += 2) {
		struct tessera_proc p[2];
		char idx[2][8];
		for (int k = 0; k < 2 && i + k < PLANNED; k++) {
			snprintf(idx[k], sizeof(idx[k]), "%d", i + k);
			const char *args[] = {"fi", "campaign", "replay", db, idx[k], NULL};
			tessera_start(&p[k], args);
		}
		for (int k = 0; k < 2 && i + k < PLANNED; k++) {
			tessera_wait(&p[k], 240);
			cr_expect_eq(p[k].status, 0, "replay %s of %s: exit %d\n%s%s", idx[k], db,
				     p[k].status, p[k].out, p[k].err);
			cr_expect(has_line_with(p[k].out, "same outcome, identical trace"), "%s", p[k].out);
			cr_expect(has_line_with(p[k].out, "by hand: ") &&
					  has_line_with(p[k].out, " run --config "),
				  "%s", p[k].out);
			tessera_free(&p[k]);
		}
	}
}

Test(campaign, sigkill_at_five_random_points_then_resume_equals_an_uninterrupted_run_and_replays,
     .timeout = 900)
{
	const char *whole = tmp_path("whole.db"), *cut = tmp_path("cut.db");
	char mark[64];
	struct tessera_proc p;
	unsigned int seed = (unsigned int)time(NULL);

	snprintf(mark, sizeof(mark), "TESSERA_CAMPAIGN_TEST_%d=1", (int)getpid());
	*strchr(mark, '=') = '\0';
	setenv(mark, "1", 1); /* every process the runs start carries it */
	mark[strlen(mark)] = '=';
	remove_db(whole);
	remove_db(cut);
	const char *run_whole[] = {"fi", "campaign", "run", CAMPAIGN, "-o", whole, "-j", "2", NULL};
	tessera_run(&p, 600, run_whole);
	cr_assert_eq(p.status, 0, "exit %d\n%s%s", p.status, p.out, p.err);
	cr_expect(has_line_with(p.out, "5 of 5 planned experiments judged"), "%s", p.out);
	tessera_free(&p);

	/* Killed at five random moments (the seed is printed to repeat a failure), resumed each time. */
	srand(seed);
	fprintf(stderr, "campaign kill test: seed %u\n", seed);
	for (int k = 0; k <= KILLS; k++) {
		const char *run_cut[] = {
			"fi", "campaign", "run", CAMPAIGN, "-o", cut, "-j", "2", k ? "--resume" : NULL, NULL};
		tessera_start(&p, run_cut);
		if (k < KILLS) {
			/* Random moments among the experiments: the golden run is kept once recorded, so
			 * the first kill waits for it, and every kill then cuts experiments. */
			for (int t = 0; t < 3000 && !k && !golden_recorded(cut); t++)
				usleep(100 * 1000);
			int ms = 1000 + rand() % 9000;
			usleep((useconds_t)ms * 1000);
			kill(p.pid, SIGKILL);
			fprintf(stderr, "campaign kill test: SIGKILL %d ms after %s\n", ms,
				k ? "the resume started" : "the golden run");
		}
		tessera_wait(&p, 600);
		cr_assert_eq(leftovers(mark), 0, "processes left running after the kill");
		cr_assert(k < KILLS ? p.status == 128 + SIGKILL : p.status == 0,
			  "kill %d: exit %d (the campaign ended before the kill?)\n%s%s", k, p.status, p.out,
			  p.err);
		tessera_free(&p);
	}
	unsetenv(strtok(mark, "="));

	char *a = table(whole, ""), *b = table(cut, "");
	cr_expect_str_eq(b, a, "the resumed run's table differs from the uninterrupted one's");
	cr_expect_eq(query_int(cut, "SELECT count(*) FROM experiments WHERE status = 'done'"), PLANNED);
	cr_expect_eq(query_int(cut, "SELECT count(DISTINCT experiment_index) FROM experiments"), PLANNED);
	cr_expect_eq(query_int(cut, "SELECT count(*) FROM runs"), 1, "a resume made a new run");
	int cuts = query_int(cut, "SELECT sum(interruptions) FROM experiments");
	fprintf(stderr, "campaign kill test: %d interruptions recorded\n", cuts);
	cr_expect_geq(cuts, 1, "no kill cut an experiment short");
	free(a);
	free(b);

	replay_all(whole);
	replay_all(cut);
	remove_db(whole);
	remove_db(cut);
}

Test(campaign, sigint_stops_the_workers_and_records_their_experiments_interrupted, .timeout = 600)
{
	const char *db = tmp_path("int.db");
	char mark[64];
	struct tessera_proc p;

	snprintf(mark, sizeof(mark), "TESSERA_CAMPAIGN_INT_%d", (int)getpid());
	setenv(mark, "1", 1);
	strcat(mark, "=1");
	remove_db(db);
	const char *run[] = {"fi", "campaign", "run", CAMPAIGN, "-o", db, "-j", "2", NULL};
	tessera_start(&p, run);
	for (int t = 0; t < 3000 && !golden_recorded(db); t++)
		usleep(100 * 1000);
	sleep(3);
	kill(p.pid, SIGINT);
	tessera_wait(&p, 120);
	cr_expect_eq(p.status, 130, "exit %d\n%s", p.status, p.err);
	cr_expect_eq(leftovers(mark), 0, "processes left running after Ctrl-C");
	*strchr(mark, '=') = '\0';
	unsetenv(mark);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM experiments WHERE status = 'running'"), 0);
	cr_expect_geq(query_int(db, "SELECT count(*) FROM experiments WHERE status = 'interrupted'"), 1);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM runs WHERE status = 'interrupted'"), 1);
	tessera_free(&p);
	remove_db(db);
}

/* Run a campaign file into a fresh database and return the count of each outcome from its JSON report. */
static void run_campaign_with(const char *file, const char *db, const char *jobs, const char *option,
			      int counts[16], const char **names)
{
	struct tessera_proc p;

	remove_db(db);
	const char *run[] = {"fi", "campaign", "run", file, "-o", db, "-j", jobs, option, NULL};
	tessera_run(&p, 800, run);
	cr_assert_eq(p.status, 0, "exit %d\n%s%s", p.status, p.out, p.err);
	tessera_free(&p);
	const char *report[] = {"fi", "campaign", "report", db, "--format", "json", NULL};
	tessera_run(&p, 60, report);
	cr_assert_eq(p.status, 0, "exit %d\n%s", p.status, p.err);
	for (int i = 0; names[i]; i++) {
		char key[64];
		snprintf(key, sizeof(key), "\"%s\": {\n      \"n\": ", names[i]);
		const char *at = strstr(p.out, key);
		cr_assert(at, "no %s in the report:\n%s", names[i], p.out);
		counts[i] = atoi(at + strlen(key));
	}
	tessera_free(&p);
}

static void run_campaign(const char *file, const char *db, const char *jobs, int counts[16],
			 const char **names)
{
	run_campaign_with(file, db, jobs, NULL, counts, names);
}

static const char *names[] = {
	"sdc",	  "detected", "isolation_break", "hv_panic", "infrastructure", "no_verdict",
	"benign", "hang",     "cell_crash",	 NULL};
enum { SDC, DETECTED, ISOLATION, PANIC, INFRA, NO_VERDICT, BENIGN, HANG, CRASH };

/* The outcome of each experiment of a campaign run, "site=outcome;..." in experiment order. */
static void outcomes(const char *db, char *buf, size_t len)
{
	sqlite3 *h;
	sqlite3_stmt *st;

	buf[0] = '\0';
	cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h,
					"SELECT site, outcome FROM experiments WHERE status = 'done' "
					"ORDER BY experiment_index",
					-1, &st, NULL),
		     SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s=%s;", sqlite3_column_text(st, 0),
			 sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	sqlite3_close(h);
}

Test(campaign, shipped_campaign_1_reduced_finds_sdc_and_detected_errors, .timeout = 900)
{
	int n[16];

	const char *db = tmp_path("1.db");

	run_campaign(ROOT "configs/campaigns/ci/regflip-fiself.yaml", db, "2", n, names);
	cr_expect_geq(n[SDC], 1, "no silent data corruption found");
	cr_expect_geq(n[DETECTED], 1, "no detected error found");
	cr_expect_eq(n[INFRA] + n[NO_VERDICT], 0, "experiments without a real verdict");
	/* many per boot (the default): fewer boots (each its own QEMU command line) than experiments */
	cr_expect_lt(query_int(db, "SELECT count(DISTINCT qemu_cmdline) FROM experiments"),
		     query_int(db, "SELECT count(*) FROM experiments"));
	/* ...but the icount points booted alone (exact only in a fresh machine), each its own boot */
	cr_expect_eq(query_int(db, "SELECT count(DISTINCT qemu_cmdline) FROM experiments WHERE fault LIKE "
				   "'%icount%' AND repeat NOT LIKE 'many-per-boot%'"),
		     2);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM experiments WHERE fault NOT LIKE '%icount%' AND "
				   "repeat LIKE 'many-per-boot%'"),
		     4);
	remove_db(db);
}

/*
 * Campaign 2 (ping's 100th doorbell dropped, duplicated or delayed by 2 exits): the IVC protocol loses no
 * message at these points, so all three are benign, and many experiments per boot give each experiment
 * the outcome a boot of its own gives it. That failed while the shared boots restarted ping's peer
 * before ping and kept the shared queues of the previous run: the drop was "detected" and the delay
 * hung, both artefacts of the restart, not of the fault.
 */
Test(campaign, shipped_campaign_2_reduced_loses_no_message_in_either_boot_mode, .timeout = 900)
{
	int n[16], m[16];
	char shared[256], own[256];
	const char *db = tmp_path("2.db"), *db1 = tmp_path("2p.db");

	run_campaign(ROOT "configs/campaigns/ci/irq-pingpong.yaml", db, "2", n, names);
	cr_expect_eq(n[BENIGN], 3, "a doorbell fault lost a message (or the restart did)");
	cr_expect_eq(n[INFRA] + n[NO_VERDICT], 0, "experiments without a real verdict");
	run_campaign_with(ROOT "configs/campaigns/ci/irq-pingpong.yaml", db1, "2", "--per-experiment-boots",
			  m, names);
	outcomes(db, shared, sizeof(shared));
	outcomes(db1, own, sizeof(own));
	char *rows_shared = table(db, ", exit_status, detail"),
	     *rows_own = table(db1, ", exit_status, detail");
	cr_expect_str_eq(shared, own,
			 "many per boot and one boot each differ:\nshared:\n%s\none boot each:\n%s",
			 rows_shared, rows_own);
	free(rows_shared);
	free(rows_own);
	cr_expect_lt(query_int(db, "SELECT count(DISTINCT qemu_cmdline) FROM experiments"), 3);
	cr_expect_eq(query_int(db1, "SELECT count(DISTINCT qemu_cmdline) FROM experiments"), 3);
	remove_db(db);
	remove_db(db1);
}

/*
 * Campaign 3 (each machine-check severity once, software path, bank 1): the corrected error is benign,
 * every uncorrected one is detected and attributed to fiself (its policy applied), the canaries unharmed.
 */
Test(campaign, shipped_campaign_3_reduced_attributes_every_uncorrected_error_to_its_cell, .timeout = 900)
{
	int n[16];
	const char *db = tmp_path("3.db");

	run_campaign(ROOT "configs/campaigns/ci/mce-fiself.yaml", db, "2", n, names);
	cr_expect_eq(n[BENIGN], 1, "the corrected error");
	cr_expect_eq(n[DETECTED], 4, "the four uncorrected classes");
	cr_expect_eq(n[ISOLATION] + n[PANIC] + n[INFRA] + n[NO_VERDICT], 0);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM experiments WHERE outcome = 'detected' AND detail "
				   "LIKE 'cell ''fiself'' failed: machine check (%, bank 1, %'"),
		     4, "an uncorrected error not attributed to fiself");
	cr_expect_eq(query_int(db, "SELECT count(*) FROM experiments WHERE outcome = 'benign' AND site = "
				   "'status=0x9000000000000000'"),
		     1, "the corrected error is not the benign one");
	remove_db(db);
}

/*
 * Run a campaign 4 form: never a panic, every experiment judged (no hang either), its outcomes per site
 * in experiment order as `expected`, and `detected` of them reported as fiself's failure.
 */
static void expect_fail_point_campaign(const char *file, const char *db, const char *expected, int detected)
{
	int n[16];
	char got[1024];

	run_campaign(file, db, "2", n, names);
	/* every experiment's row when one is off: a loaded host's flake must say what it was */
	char *rows = table(db, ", exit_status, duration_ns / 1000000, detail");
	cr_expect_eq(n[PANIC], 0, "a fail point panicked the hypervisor:\n%s", rows);
	cr_expect_eq(
		n[ISOLATION] + n[INFRA] + n[NO_VERDICT] + n[HANG], 0,
		"experiments without their verdict (index|fault|status|outcome|trace|exit|ms|detail):\n%s",
		rows);
	outcomes(db, got, sizeof(got));
	cr_expect_str_eq(got, expected, "per site:\n%s", rows);
	free(rows);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM experiments WHERE outcome = 'detected' AND detail "
				   "LIKE 'cell ''fiself'' failed: %'"),
		     detected, "a failure not reported as fiself's");
}

/*
 * Campaign 4 (the first call of every fail site during fiself's start): never a panic, and every failure
 * that stops the start is reported as the cell's failure (detected). The failed guest copy loses
 * fiself's first console line: an SDC, a finding about the workload (docs/fault-campaigns.md).
 */
Test(campaign, shipped_campaign_4_reduced_reports_every_failed_start_and_never_panics, .timeout = 900)
{
	const char *db = tmp_path("4.db");

	expect_fail_point_campaign(
		ROOT "configs/campaigns/ci/failnth-cellstart.yaml", db,
		"site=page_alloc=detected;site=pgtable_map=detected;site=guest_copy=sdc;"
		"site=image_load=detected;site=vcpu_reset=detected;site=cell_start=detected;",
		5);
	remove_db(db);
}

/*
 * Campaign 4's restart half, many per boot: the first call of every fail site counted from the restart.
 * A restart allocates and maps nothing (benign); the rest are reported as fiself's failure, the failed
 * guest copy an SDC as at boot; and each N=1000 experiment, which runs after a failed restart in the same
 * boot, is benign: the failure left the cell restartable. Per site the same outcome whichever boot and
 * place an experiment had: the first experiment of a boot once failed on page_alloc (the vCPU's state
 * was allocated at its first start).
 */
Test(campaign, shipped_campaign_4_restart_reduced_reports_every_failed_restart, .timeout = 900)
{
	const char *db = tmp_path("4r.db");

	expect_fail_point_campaign(ROOT "configs/campaigns/ci/failnth-cellrestart.yaml", db,
				   "site=page_alloc=benign;site=page_alloc=benign;site=pgtable_map=benign;"
				   "site=pgtable_map=benign;site=guest_copy=sdc;site=guest_copy=benign;"
				   "site=image_load=detected;site=image_load=benign;site=vcpu_reset=detected;"
				   "site=vcpu_reset=benign;site=cell_start=detected;site=cell_start=benign;",
				   3);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM experiments WHERE repeat LIKE 'many-per-boot%'"), 12,
		     "not every experiment shared a boot");
	cr_expect_lt(query_int(db, "SELECT count(DISTINCT qemu_cmdline) FROM experiments"), 12);
	remove_db(db);
}

Test(campaign, shipped_campaign_5_reduced_finds_no_isolation_break, .timeout = 900)
{
	int n[16];

	const char *db = tmp_path("5.db");

	run_campaign(ROOT "configs/campaigns/ci/memflip-canaries.yaml", db, "2", n, names);
	cr_expect_eq(n[ISOLATION], 0, "an isolation break");
	cr_expect_eq(n[PANIC], 0, "a hypervisor panic");
	cr_expect_eq(n[INFRA] + n[NO_VERDICT], 0, "experiments without a real verdict");
	remove_db(db);
}

Test(campaign, a_deliberately_broken_isolation_setting_reaches_the_isolation_break_class, .timeout = 900)
{
	int n[16];
	const char *db = tmp_path("b.db");

	run_campaign(ROOT "tests/campaigns/broken-isolation-campaign.yaml", db, "2", n, names);
	cr_expect_eq(n[ISOLATION], 2, "each flip into the shared region must be an isolation break");

	/* The HTML report of it: its figures load in headless Chromium, and it lists both breaks. */
	const char *dir = tmp_path("html");
	struct tessera_proc p;
	sh("rm -rf %s", dir);
	const char *html[] = {"fi", "campaign", "report", db, "--format", "html", "-o", dir, NULL};
	tessera_run(&p, 60, html);
	cr_assert_eq(p.status, 0, "exit %d\n%s", p.status, p.err);
	tessera_free(&p);
	cr_assert_eq(
		sh("timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
		   "--disable-background-networking --disable-component-update --disable-sync "
		   "--user-data-dir='%s/chrome' --dump-dom 'file://%s/index.html' > '%s/dom.html' "
		   "2>/dev/null",
		   dir, dir, dir),
		0, "chromium failed");
	char path[128], dom[65536];
	snprintf(path, sizeof(path), "%s/dom.html", dir);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f);
	dom[fread(dom, 1, sizeof(dom) - 1, f)] = '\0';
	fclose(f);
	cr_expect(strstr(dom, "<title>figures 3/3 loaded</title>"), "the figures did not all load:\n%.2000s",
		  dom);
	char replay[256];
	snprintf(replay, sizeof(replay), "replay: <code>tessera fi campaign replay %s 1</code>", db);
	cr_expect(strstr(dom, replay), "the second break's replay command is missing");
	sh("rm -rf %s", dir);
	remove_db(db);
}

/* The detail of experiment i of the (only) run in db, malloc'd ("" when there is none). */
static char *experiment_detail(const char *db, int i)
{
	sqlite3 *s;
	sqlite3_stmt *st;
	char *d = NULL;

	cr_assert_eq(sqlite3_open_v2(db, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(
		    s, "SELECT outcome || ': ' || detail FROM experiments WHERE experiment_index = ?1", -1,
		    &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int(st, 1, i);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			d = strdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	sqlite3_close(s);
	return d ? d : strdup("");
}

/*
 * Run `campaign` into db with a QEMU in front of the real one on PATH that fails (exits at once, silent)
 * the boots numbered in `fails` (" 2 4 "; the golden run is boot 1).
 */
static void run_with_flaky_qemu(const char *campaign, const char *option, const char *fails, const char *db)
{
	const char *dir = tmp_path("flaky-qemu");
	char path[4096];
	struct tessera_proc p;

	cr_assert_eq(sh("rm -rf '%s' && mkdir -p '%s' && cat > '%s/qemu-system-x86_64' <<'EOF_QEMU' && "
			"chmod +x '%s/qemu-system-x86_64'\n"
			"#!/bin/sh\n"
			"[ \"$1\" = --version ] && exec /usr/bin/qemu-system-x86_64 \"$@\"\n"
			"n=$(($(cat '%s/count' 2>/dev/null || echo 0) + 1)); echo $n > '%s/count'\n"
			"case ' %s ' in *\" $n \"*) exit 1 ;; esac\n"
			"exec /usr/bin/qemu-system-x86_64 \"$@\"\n"
			"EOF_QEMU",
			dir, dir, dir, dir, dir, dir, fails),
		     0);
	const char *was = getenv("PATH");
	char *saved = strdup(was ? was : "/usr/bin:/bin");
	snprintf(path, sizeof(path), "%s:%s", dir, saved);
	setenv("PATH", path, 1);
	remove_db(db);
	tessera_run(
		&p, 500,
		(const char *const[]){"fi", "campaign", "run", campaign, "-o", db, "-j", "1", option, NULL});
	setenv("PATH", saved, 1);
	free(saved);
	cr_expect_eq(p.status, 0, "exit %d\n%s%s", p.status, p.out, p.err);
	tessera_free(&p);
	sh("rm -rf '%s'", dir);
}

/*
 * A boot the host fails (QEMU exits at once, silent: what a loaded CI host once did to two experiments
 * that ran together) says nothing about the fault: the experiment is booted again, and only three failed
 * boots in a row make it `infrastructure`, each failure's reason kept in its detail. Boots of their own:
 * experiment 0 fails its first boot (2) and passes its second (3); experiment 1 fails all three (4-6).
 */
Test(campaign, a_boot_the_host_fails_is_booted_again_and_three_make_infrastructure, .timeout = 600)
{
	const char *db = tmp_path("flaky.db");

	run_with_flaky_qemu(ROOT "tests/campaigns/tiny.yaml", "--per-experiment-boots", "2 4 5 6", db);
	char *first = experiment_detail(db, 0), *second = experiment_detail(db, 1),
	     *third = experiment_detail(db, 2);
	cr_expect(strncmp(first, "infrastructure", 14) &&
			  strstr(first, "(attempt 2 of 3; attempt 1: exit status 1, "),
		  "experiment 0, booted again once: %s", first);
	cr_expect(!strncmp(second, "infrastructure: exit status 1, ", 31) &&
			  strstr(second, "(attempt 3 of 3; attempt 1: exit status 1, ") &&
			  strstr(second, "; attempt 2: exit status 1, "),
		  "experiment 1, failed three times: %s", second);
	cr_expect(third[0] && !strstr(third, "attempt"), "experiment 2 booted once: %s", third);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM experiments WHERE status = 'done'"), 6);
	free(first);
	free(second);
	free(third);
	remove_db(db);
}

/*
 * The same for a boot shared by many experiments that the host fails before the first: booted again
 * (the first experiment's detail says so), and three such boots make that experiment `infrastructure`,
 * the rest running in the next boot; and for a batch's boot.
 */
Test(campaign, a_shared_boot_the_host_fails_is_booted_again_and_three_make_infrastructure, .timeout = 900)
{
	const char *db = tmp_path("flaky-shared.db");

	run_with_flaky_qemu(ROOT "tests/campaigns/resume-shared.yaml", NULL, "2", db);
	char *first = experiment_detail(db, 0);
	cr_expect(
		strncmp(first, "infrastructure", 14) &&
			strstr(first,
			       "(attempt 2 of 3; attempt 1: the boot ended (exit status 1) or stayed silent"),
		"experiment 0, its shared boot booted again once: %s", first);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM experiments WHERE outcome = 'infrastructure'"), 0);
	free(first);
	run_with_flaky_qemu(ROOT "tests/campaigns/resume-shared.yaml", NULL, "2 3 4", db);
	first = experiment_detail(db, 0);
	cr_expect(
		!strncmp(first, "infrastructure: the shared boot failed before its first experiment: ", 68) &&
			strstr(first, "(attempt 3 of 3; attempt 1: "),
		"experiment 0, three shared boots failed: %s", first);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM experiments WHERE outcome = 'infrastructure'"), 1);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM experiments WHERE status = 'done'"), 5);
	free(first);
	/* a batch's boot (the hypervisor runs the experiments alone) likewise */
	run_with_flaky_qemu(ROOT "tests/campaigns/resume-shared.yaml", "--batch", "2", db);
	first = experiment_detail(db, 0);
	cr_expect(strncmp(first, "infrastructure", 14) &&
			  strstr(first, "(attempt 2 of 3; attempt 1: the batch's boot ended (exit status 1)"),
		  "experiment 0, its batch booted again once: %s", first);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM experiments WHERE outcome = 'infrastructure'"), 0);
	free(first);
	remove_db(db);
}
