/*
 * LAVA jobs end to end (docs/lab.md): `tessera lab lava render` jobs for the default system, pingpong and
 * the probe alone, run with the real lava-run through `tessera lab lava run`, give the same test cases
 * with the same results as `tessera run` on the same systems, both in results.tsv and in the results
 * database's cases table; an incomplete job and a failed case make it
 * exit 1. Needs root and lava-dispatcher (build/packages.txt), as CI has.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../bench/workload_parse.h"
#include "../../lab/host_files.h"
#include "harness.h"

#define LIMIT_S 120

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/tessera-lava-it.XXXXXX");
	cr_assert(mkdtemp(dir));
	cr_assert_eq(access("/usr/bin/lava-run", X_OK), 0,
		     "lava-run is missing: install lava-dispatcher (build/install-deps.sh)");
}

static void teardown(void)
{
	cr_expect_eq(sh("rm -rf '%s'", dir), 0);
}

TestSuite(lava, .init = setup, .fini = teardown, .timeout = 240);

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lines sorted and joined: the cases as a set (LAVA and the console may interleave cells differently). */
static char *sorted(char **lines, size_t n)
{
	size_t len = 1;

	qsort(lines, n, sizeof(*lines), cmp_str);
	for (size_t i = 0; i < n; i++)
		len += strlen(lines[i]) + 1;
	char *s = calloc(1, len);
	for (size_t i = 0; i < n; i++) {
		strcat(s, lines[i]);
		strcat(s, "\n");
		free(lines[i]);
	}
	free(lines);
	return s;
}

/* "cell/name\tpass|fail" for each "[cell] TEST name: PASS|FAIL..." line of a `tessera run`. */
static char *console_cases(const char *out)
{
	char **lines = calloc(4096, sizeof(*lines));
	size_t n = 0;

	for (const char *l = out; *l && n < 4096;) {
		const char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l) : strlen(l);
		char cell[64], name[128], result[8];
		char *line = strndup(l, len);
		if (sscanf(line, "[%63[^]]] TEST %127[^:]: %7[A-Z]", cell, name, result) == 3) {
			for (char *c = result; *c; c++)
				*c = (char)(*c - 'A' + 'a');
			cr_assert(asprintf(&lines[n++], "%s/%s\t%s", cell, name, result) > 0);
		}
		free(line);
		l += len + (end ? 1 : 0);
	}
	return sorted(lines, n);
}

/* The rows of the results.tsv that `lab lava run` (or submit) wrote for job `name` into DIR/runs. */
static char *lava_cases(const char *name)
{
	char pattern[160], buf[512];
	glob_t g;

	snprintf(pattern, sizeof(pattern), "%s/runs/%s-*/results.tsv", dir, name);
	cr_assert_eq(glob(pattern, 0, NULL, &g), 0, "no %s", pattern);
	cr_assert_eq(g.gl_pathc, 1, "one run of %s", name);
	FILE *f = fopen(g.gl_pathv[0], "r");
	cr_assert(f);
	char **lines = calloc(4096, sizeof(*lines));
	size_t n = 0;
	cr_assert(fgets(buf, sizeof(buf), f) && !strcmp(buf, "case\tresult\n"), "results.tsv header");
	while (fgets(buf, sizeof(buf), f) && n < 4096) {
		buf[strcspn(buf, "\n")] = '\0';
		lines[n++] = strdup(buf);
	}
	fclose(f);
	globfree(&g);
	return sorted(lines, n);
}

/* The same rows from the results database DIR/results.db: the cases of the latest job `name` of `source`. */
static char *db_cases(const char *name, const char *source)
{
	char db_path[128], **lines = calloc(4096, sizeof(*lines));
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t n = 0;

	snprintf(db_path, sizeof(db_path), "%s/results.db", dir);
	cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK, "no %s", db_path);
	cr_assert_eq(sqlite3_prepare_v2(db,
					"SELECT c.name || char(9) || c.result FROM cases c WHERE c.job_id ="
					" (SELECT max(id) FROM jobs WHERE name = ?1 AND source = ?2)",
					-1, &st, NULL),
		     SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && n < 4096)
		lines[n++] = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return sorted(lines, n);
}

static void render(const char *config, const char *const *more)
{
	const char *args[16] = {"lab", "lava", "render", "--config", config, "-o", dir};
	int n = 7;
	struct tessera_proc p;

	while (more && *more)
		args[n++] = *more++;
	args[n] = NULL;
	tessera_run(&p, LIMIT_S, args);
	cr_assert_eq(p.status, 0, "render %s: %d\n%s", config, p.status, p.err);
	tessera_free(&p);
}

static const char *const configs[][2] = {
	{"default", TESSERA_SOURCE_ROOT "/configs/default.yaml"},
	{"pingpong", TESSERA_SOURCE_ROOT "/configs/pingpong.yaml"},
	{"lava-probe", TESSERA_SOURCE_ROOT "/tests/integration/configs/lava-probe.yaml"},
};

/* The end of the local instance's daemon logs, on stderr: why its jobs did not finish. */
static void instance_logs(void)
{
	char state[PATH_MAX];

	cr_assert_eq(lab_path_beside_exe(state, sizeof(state), "lava-instance"), 0);
	sh("for f in '%s'/worker.log '%s'/scheduler.log; do echo \"== $f\"; tail -n 40 \"$f\"; done >&2",
	   state, state);
}

/* `verb` ("run" or "submit") the three jobs; each must complete and equal `tessera run`'s cases. */
static void jobs_match_tessera_run(const char *verb)
{
	char jobs[3][128], runs[128], db[128];
	struct tessera_proc p;

	for (int i = 0; i < 3; i++) {
		render(configs[i][1], NULL);
		snprintf(jobs[i], sizeof(jobs[i]), "%s/%s.yaml", dir, configs[i][0]);
	}
	snprintf(runs, sizeof(runs), "%s/runs", dir);
	snprintf(db, sizeof(db), "%s/results.db", dir);
	/* submit gives up on (and reports) a job before this test would kill it */
	bool submit = !strcmp(verb, "submit");
	tessera_run(&p, 300,
		    (const char *const[]){"lab", "lava", verb, "-o", runs, "--db", db, jobs[0], jobs[1],
					  jobs[2], submit ? "--timeout" : NULL, "240", NULL});
	cr_expect_eq(p.status, 0, "lab lava %s: %d\n%s\n%s", verb, p.status, p.out, p.err);
	if (p.status && submit)
		instance_logs();
	for (int i = 0; i < 3; i++) {
		char line[128];
		snprintf(line, sizeof(line), "\n%s: ", configs[i][0]);
		const char *summary = strstr(p.out, line);
		while (summary && !isdigit((unsigned char)summary[strlen(line)]))
			summary = strstr(summary + 1, line);
		cr_expect(summary && !strncmp(strstr(summary, " passed, "),
					      " passed, 0 failed, job Complete, ", 33),
			  "no complete run of %s without failures:\n%s", configs[i][0], p.out);

		struct tessera_proc r;
		tessera_run(&r, LIMIT_S, (const char *const[]){"run", "--config", configs[i][1], NULL});
		cr_expect_eq(r.status, 0, "tessera run %s: %d\n%s", configs[i][1], r.status, r.err);
		char *want = console_cases(r.out), *got = lava_cases(configs[i][0]);
		cr_expect(strlen(want) > 20, "%s prints test cases:\n%s", configs[i][1], r.out);
		cr_expect_str_eq(got, want, "%s: LAVA's cases differ from tessera run's", configs[i][0]);
		char *stored = db_cases(configs[i][0], !strcmp(verb, "run") ? "lava-run" : "lava-submit");
		cr_expect_str_eq(stored, want, "%s: the results database's cases differ from tessera run's",
				 configs[i][0]);
		free(stored);
		free(want);
		free(got);
		tessera_free(&r);
	}
	tessera_free(&p);
}

Test(lava, jobs_give_the_same_cases_as_tessera_run)
{
	/*
	 * What this test started carries this variable: the check below then sees only our lava-run and QEMU
	 * processes. A machine-wide `pgrep qemu-system.*dispatcher/tmp` also saw the local instance's jobs of
	 * the test running beside this one, and any other suite's.
	 */
	char mark[64];
	snprintf(mark, sizeof(mark), "TESSERA_LAVA_TEST_%d", (int)getpid());
	setenv(mark, "1", 1);
	strcat(mark, "=1");
	jobs_match_tessera_run("run");
	pid_t left[16];
	int n = pids_with_env(mark, left, 16);
	cr_expect_eq(n, 0, "%d processes of the LAVA runs are left (the first: %d)", n, n ? (int)left[0] : 0);
}

/*
 * Every sample of a bench database, one line each: configuration, boot index, workload, metric, unit,
 * iteration, warm-up flag and value; *boots gets the number of boots, *once whether no (configuration,
 * boot index) is there twice and every boot is done.
 */
static char *db_samples(const char *path, int *boots, bool *once)
{
	char **lines = calloc(65536, sizeof(*lines));
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t n = 0;

	cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK, "no %s", path);
	cr_assert_eq(sqlite3_prepare_v2(
			     db,
			     "SELECT b.configuration || ' ' || b.boot_index || ' ' || s.workload || ' ' ||"
			     " s.metric || ' ' || s.unit || ' ' || s.iteration || ' ' || s.warmup || ' ' ||"
			     " printf('%.17g', s.value) FROM samples s JOIN boots b ON b.id = s.boot_id",
			     -1, &st, NULL),
		     SQLITE_OK, "%s", sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW && n < 65536)
		lines[n++] = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	cr_assert_eq(sqlite3_prepare_v2(db,
					"SELECT count(*), count(DISTINCT configuration || '/' || boot_index),"
					" sum(status = 'done') FROM boots",
					-1, &st, NULL),
		     SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	*boots = sqlite3_column_int(st, 0);
	*once = sqlite3_column_int(st, 1) == *boots && sqlite3_column_int(st, 2) == *boots;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return sorted(lines, n);
}

/* A whole text file. */
static char *lava_read_text(const char *path)
{
	char *buf = calloc(1, 65537);
	FILE *f = fopen(path, "r");
	cr_assert(f, "no %s", path);
	cr_assert(fread(buf, 1, 65536, f) > 0, "%s is empty", path);
	fclose(f);
	return buf;
}

/*
 * An HTTP server of directory `root` on a free port of 127.0.0.1, as a remote lab's file server: its pid,
 * the port in *port. It gets SIGTERM when this test process ends, however it ends.
 */
static pid_t http_server(const char *root, int *port)
{
	char portfile[160];
	snprintf(portfile, sizeof(portfile), "%s/http-port", dir);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execlp("python3", "python3", "-c",
		       "import functools, http.server, sys\n"
		       "h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])\n"
		       "s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), h)\n"
		       "open(sys.argv[2] + '.new', 'w').write(str(s.server_port))\n"
		       "__import__('os').rename(sys.argv[2] + '.new', sys.argv[2])\n"
		       "s.serve_forever()\n",
		       root, portfile, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && access(portfile, R_OK); i++)
		usleep(100000);
	char *text = lava_read_text(portfile);
	*port = atoi(text);
	free(text);
	cr_assert_gt(*port, 0, "the HTTP server did not start");
	return pid;
}

/*
 * The shipped tracing plan's CI form (deterministic) across the instance's devices gives the samples of a
 * local `bench run` of it, each boot once. The workers fetch the images over HTTP (--base-url), as a
 * remote lab's would, from a server of the database's DB.lava directory.
 */
static void plan_matches_local_run(void)
{
	static const char plan[] = TESSERA_SOURCE_ROOT "/configs/bench/plans/ci/tracing.yaml";
	char local[128], remote[128], served[160], base_url[64];
	struct tessera_proc p;
	int local_boots, remote_boots, port;
	bool local_once, remote_once;

	snprintf(local, sizeof(local), "%s/plan-local.db", dir);
	snprintf(remote, sizeof(remote), "%s/plan-lava.db", dir);
	tessera_run(&p, 900, (const char *const[]){"bench", "run", plan, "-o", local, "--no-compare", NULL});
	cr_expect_eq(p.status, 0, "local bench run: %d\n%s", p.status, p.err);
	tessera_free(&p);
	snprintf(served, sizeof(served), "%s.lava", remote);
	cr_assert_eq(mkdir(served, 0755), 0);
	pid_t server = http_server(served, &port);
	snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%d/", port);
	tessera_run(&p, 900,
		    (const char *const[]){"bench", "run", plan, "--on", "lava:", "-o", remote, "--base-url",
					  base_url, NULL});
	kill(server, SIGTERM);
	waitpid(server, NULL, 0);
	cr_expect_eq(p.status, 0, "bench run --on lava: %d\n%s\n%s", p.status, p.out, p.err);
	cr_expect(has_line_with(p.err, "the workers fetch the images from http://127.0.0.1:"), "%s", p.err);
	cr_expect_eq(
		sh("grep -q \"url: 'http://127.0.0.1:%d/run-1/jobs/tessera-hv.elf'\" %s/run-1/jobs/*.yaml",
		   port, served),
		0, "the jobs' images are the server's");
	cr_expect(has_line_with(p.err, "9 boots as LAVA jobs on the local instance (0 from before)"), "%s",
		  p.err);
	cr_expect(has_line_with(p.out, "tessera bench compare"), "the comparison of a local run:\n%s", p.out);
	cr_expect(!has_line_with(p.err, "LAVA measurements in the log"),
		  "every sample is a measurement in the log and on the server:\n%s", p.err);
	tessera_free(&p);
	cr_expect_eq(
		sh("test \"$(sqlite3 '%s' \"SELECT count(*) FROM boots WHERE"
		   " json_extract(record, '$.lava.measurements') > 0 AND json_extract(record,"
		   " '$.lava.measurements') = json_extract(record, '$.lava.server_measurements')\")\" = 9",
		   remote),
		0, "each boot's record: its samples as LAVA measurements, the server's count the same");
	char *want = db_samples(local, &local_boots, &local_once),
	     *got = db_samples(remote, &remote_boots, &remote_once);
	cr_expect_eq(local_boots, 9, "the local run's boots");
	cr_expect_eq(remote_boots, 9, "the LAVA run's boots");
	cr_expect(local_once && remote_once, "a boot is missing, failed or counted twice");
	cr_expect(strlen(want) > 1000, "the local run has samples:\n%s", want);
	cr_expect_str_eq(got, want, "the samples through LAVA differ from the local run's");
	free(want);
	free(got);
}

/*
 * "INDEX OUTCOME" per experiment of a campaign database (with `why`, its exit status and detail too, for
 * a failure's message), and how many experiments are not done.
 */
static char *db_rows(const char *path, int *not_done, bool why)
{
	char **lines = calloc(4096, sizeof(*lines));
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t n = 0;

	cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK, "no %s", path);
	cr_assert_eq(
		sqlite3_prepare_v2(
			db,
			why ? "SELECT experiment_index || ' ' || coalesce(outcome, '-') || ' exit ' || "
			      "coalesce(exit_status, '-') || ': ' || coalesce(detail, '') FROM experiments"
			    : "SELECT experiment_index || ' ' || coalesce(outcome, '-') FROM experiments",
			-1, &st, NULL),
		SQLITE_OK, "%s", sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW && n < 4096)
		lines[n++] = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM experiments WHERE status != 'done'", -1,
					&st, NULL),
		     SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	*not_done = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return sorted(lines, n);
}

static char *db_outcomes(const char *path, int *not_done)
{
	return db_rows(path, not_done, false);
}

/*
 * A reduced campaign on the instance (mce-fiself-ci: each machine-check severity once, five experiments
 * whose outcomes differ: benign and detected), each experiment once, the local outcome table.
 */
static void campaign_matches_local_run(void)
{
	static const char campaign[] = TESSERA_SOURCE_ROOT "/configs/campaigns/ci/mce-fiself.yaml";
	char local[128], remote[128];
	struct tessera_proc p;
	int local_open, remote_open;

	snprintf(local, sizeof(local), "%s/campaign-local.db", dir);
	snprintf(remote, sizeof(remote), "%s/campaign-lava.db", dir);
	tessera_run(&p, 900, (const char *const[]){"fi", "campaign", "run", campaign, "-o", local, NULL});
	cr_expect_eq(p.status, 0, "local campaign: %d\n%s", p.status, p.err);
	tessera_free(&p);
	tessera_run(&p, 900,
		    (const char *const[]){"fi", "campaign", "run", campaign, "--on", "lava:", "-o", remote,
					  NULL});
	cr_expect_eq(p.status, 0, "campaign --on lava: %d\n%s\n%s", p.status, p.out, p.err);
	cr_expect(has_line_with(p.err, "5 experiments as LAVA jobs (0 done before)"), "%s", p.err);
	tessera_free(&p);
	char *want = db_outcomes(local, &local_open), *got = db_outcomes(remote, &remote_open);
	cr_expect_eq(local_open + remote_open, 0, "experiments not done");
	size_t rows = 0;
	for (const char *c = want; *c; c++)
		rows += *c == '\n';
	cr_expect_eq(rows, 5, "five experiments in the local run:\n%s", want);
	int ignored;
	char *local_rows = db_rows(local, &ignored, true);
	cr_expect(strstr(want, " benign\n") && strstr(want, " detected\n"), "mixed outcomes:\n%s",
		  local_rows);
	char *remote_rows = db_rows(remote, &ignored, true);
	cr_expect_str_eq(got, want,
			 "the outcome table through LAVA differs from the local run's:\n%s\nlocal:\n%s",
			 remote_rows, local_rows);
	free(remote_rows);
	free(got);

	/* --batch: the experiments in batch jobs of 3 (the hypervisor runs each batch with no host) */
	snprintf(remote, sizeof(remote), "%s/campaign-lava-batch.db", dir);
	tessera_run(&p, 900,
		    (const char *const[]){"fi", "campaign", "run", campaign, "--on", "lava:", "-o", remote,
					  "--batch", "--batch-size", "3", NULL});
	cr_expect_eq(p.status, 0, "campaign --on lava: --batch: %d\n%s\n%s", p.status, p.out, p.err);
	cr_expect(has_line_with(p.err, "5 experiments in 2 batch jobs of at most 3 (round 1)"), "%s", p.err);
	cr_expect(!has_line_with(p.err, "round 2"), "every batch ran to its end:\n%s", p.err);
	tessera_free(&p);
	got = db_outcomes(remote, &remote_open);
	cr_expect_eq(remote_open, 0, "experiments not done");
	remote_rows = db_rows(remote, &ignored, true);
	cr_expect_str_eq(got, want,
			 "the outcome table through LAVA batches differs from the local run's:\n%s",
			 remote_rows);
	free(remote_rows);
	free(local_rows);
	free(want);
	free(got);
}

/*
 * A local LAVA instance with two qemu devices: the same jobs through lavacli give the same cases, the
 * tracing plan's CI form the same samples as a local run, a reduced campaign the same outcomes, lab
 * regress's probe the same verdicts; `down` leaves none of the instance's processes behind.
 */
/*
 * lab regress --on lava:: the probe's boot as a LAVA job on the instance, judged as a local one is: the
 * unmodified tree has no regression, and against that baseline a planted isolation hole (the POST port
 * granted) is named; a step that needs this machine says so and runs here.
 */
static void regress_on_the_instance(void)
{
	char db[128], planted[128];
	struct tessera_proc p;

	snprintf(db, sizeof(db), "%s/regress.db", dir);
	snprintf(planted, sizeof(planted), "%s/regress-planted.db", dir);
	tessera_run(
		&p, 400,
		(const char *const[]){"lab", "regress", "--on", "lava:", "-o", db, "--steps", "probe", NULL});
	cr_expect_eq(p.status, 0, "lab regress --on lava:: %d\n%s\n%s", p.status, p.out, p.err);
	expect_line(&p, "lab regress: 0 regressions; ");
	tessera_free(&p);
	cr_expect_eq(
		sh("test $(sqlite3 '%s' \"SELECT count(*) FROM cases WHERE name LIKE 'probe/probe/%%' AND "
		   "result = 'pass'\") -gt 100 && sqlite3 '%s' \"SELECT log FROM jobs WHERE source = "
		   "'regress' "
		   "AND name = 'probe'\" | grep -q '^== boot guests/probe/isolation.yaml (as LAVA job '",
		   db, db),
		0, "the probe's cases, from a LAVA job");
	tessera_run(&p, 400,
		    (const char *const[]){"lab", "regress", "--on", "lava:", "--baseline", db, "-o", planted,
					  "--steps", "probe", "--append", "insecure_test_grant_port=0x80",
					  NULL});
	cr_expect_eq(p.status, 1, "a planted isolation hole on LAVA: %d\n%s\n%s", p.status, p.out, p.err);
	expect_line(&p, "REGRESSION probe/probe/pio_post_write: now fails (not stopped");
	expect_line(&p, "lab regress: 1 regression; ");
	tessera_free(&p);
}

/* A failed assertion ends the test before its `down`: the instance goes down here, before the suite ends. */
static void instance_down(void)
{
	char tessera[PATH_MAX];

	if (!lab_path_beside_exe(tessera, sizeof(tessera), "tessera"))
		sh("'%s' lab lava down >/dev/null 2>&1", tessera);
	teardown(); /* criterion runs the suite's too, or this one instead: a second rm -rf does nothing */
}

Test(lava, a_local_instance_runs_the_same_jobs, .fini = instance_down, .timeout = 1800)
{
	struct tessera_proc p;

	/*
	 * The instance is machine-wide (PostgreSQL's cluster, lava-server's services): a suite running beside
	 * this one (another clone's ./tessera test) would stop it under us, or leave its processes for our
	 * check below. Only one holder of this lock runs an instance at a time; the kernel drops the lock if
	 * the test dies.
	 */
	int lock_fd = open("/tmp/tessera-lava-instance.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	cr_assert(lock_fd >= 0 && flock(lock_fd, LOCK_EX) == 0,
		  "cannot lock /tmp/tessera-lava-instance.lock");

	/* PostgreSQL's clusters as they were: `down` stops a cluster only if `up` started it */
	char pg_before[512] = "", pg_after[512] = "";
	FILE *pg = popen("pg_lsclusters -h | awk '{print $1, $2, $4}'", "r");
	if (pg) {
		pg_before[fread(pg_before, 1, sizeof(pg_before) - 1, pg)] = '\0';
		pclose(pg);
	}

	/* --owner: a suite killed from here on (Ctrl-C, SIGTERM, SIGKILL) leaves no LAVA daemon behind */
	char owner[16];
	snprintf(owner, sizeof(owner), "%d", (int)getpid());
	tessera_run(&p, 240,
		    (const char *const[]){"lab", "lava", "up", "--devices", "2", "--owner", owner, NULL});
	cr_assert_eq(p.status, 0, "lab lava up: %d\n%s\n%s", p.status, p.out, p.err);
	expect_line(&p, "2 qemu devices (qemu-01, qemu-02)");
	tessera_free(&p);
	jobs_match_tessera_run("submit");
	plan_matches_local_run();
	campaign_matches_local_run();
	regress_on_the_instance();
	tessera_run(&p, 60, (const char *const[]){"lab", "lava", "down", NULL});
	cr_expect_eq(p.status, 0, "lab lava down: %d\n%s\n%s", p.status, p.out, p.err);
	tessera_free(&p);
	cr_expect_eq(sh("pgrep -f '[l]ava_server.wsgi|[l]ava-server manage|[l]ava-worker|[g]unicorn' "
			">/dev/null") >>
			     8,
		     1, "an instance process is left");
	if ((pg = popen("pg_lsclusters -h | awk '{print $1, $2, $4}'", "r"))) {
		pg_after[fread(pg_after, 1, sizeof(pg_after) - 1, pg)] = '\0';
		pclose(pg);
	}
	cr_expect_str_eq(pg_after, pg_before, "PostgreSQL's clusters after down differ from before up");
	close(lock_fd);
}

Test(lava, an_incomplete_job_fails_the_run)
{
	char job[128], runs[128];
	struct tessera_proc p;

	render(TESSERA_SOURCE_ROOT "/tests/integration/configs/lava-probe.yaml",
	       (const char *const[]){"--name", "fault", "--append", "test_fault=pagefault", NULL});
	snprintf(job, sizeof(job), "%s/fault.yaml", dir);
	snprintf(runs, sizeof(runs), "%s/runs", dir);
	tessera_run(&p, LIMIT_S, (const char *const[]){"lab", "lava", "run", "-o", runs, job, NULL});
	cr_expect_eq(p.status, 1, "lab lava run: %d\n%s\n%s", p.status, p.out, p.err);
	expect_line(&p, "fault: 0 passed, 0 failed, job Incomplete (");
	tessera_free(&p);
}

/* A stand-in for lava-run that logs one failed and one passed case and a complete job, as LAVA does. */
static const char fake_lava_run[] =
	"#!/bin/sh\n"
	"echo '{\"lvl\": \"results\", \"msg\": {\"case\": \"probe_test_a\", \"definition\": \"tessera\", "
	"\"extra\": {\"test_case_id\": \"probe] TEST a\"}, \"result\": \"fail\"}}'\n"
	"echo '{\"lvl\": \"results\", \"msg\": {\"case\": \"probe_test_b\", \"definition\": \"tessera\", "
	"\"extra\": {\"test_case_id\": \"probe] TEST b\"}, \"result\": \"pass\"}}'\n"
	"echo '{\"lvl\": \"results\", \"msg\": {\"case\": \"job\", \"definition\": \"lava\", \"result\": "
	"\"pass\"}}'\n";

Test(lava, a_failed_case_fails_the_run)
{
	char job[128], runs[128], fake[128], db[128];
	struct tessera_proc p;

	render(TESSERA_SOURCE_ROOT "/tests/integration/configs/lava-probe.yaml", NULL);
	snprintf(job, sizeof(job), "%s/lava-probe.yaml", dir);
	snprintf(runs, sizeof(runs), "%s/runs", dir);
	snprintf(fake, sizeof(fake), "%s/fake-lava-run", dir);
	snprintf(db, sizeof(db), "%s/results.db", dir);
	FILE *f = fopen(fake, "w");
	cr_assert(f);
	fputs(fake_lava_run, f);
	fclose(f);
	cr_assert_eq(chmod(fake, 0755), 0);
	tessera_run(&p, LIMIT_S,
		    (const char *const[]){"lab", "lava", "run", "--lava-run", fake, "-o", runs, "--db", db,
					  job, NULL});
	cr_expect_eq(p.status, 1, "lab lava run: %d\n%s\n%s", p.status, p.out, p.err);
	expect_line(&p, "lava-probe: probe/a: FAIL");
	expect_line(&p, "lava-probe: 1 passed, 1 failed, job Complete");
	char *got = lava_cases("lava-probe");
	cr_expect_str_eq(got, "probe/a\tfail\nprobe/b\tpass\n");
	free(got);
	got = db_cases("lava-probe", "lava-run");
	cr_expect_str_eq(got, "probe/a\tfail\nprobe/b\tpass\n", "the failed case in the results database");
	free(got);
	tessera_free(&p);
}

/* `lab lava store` (what run and submit call per job) refuses a malformed results.json with its position. */
Test(lava, a_malformed_results_file_is_bad_input)
{
	char job_dir[128], db[128];
	struct tessera_proc p;

	snprintf(job_dir, sizeof(job_dir), "%s/job", dir);
	snprintf(db, sizeof(db), "%s/results.db", dir);
	cr_assert_eq(sh("mkdir -p '%s' && printf '{\"job\": \"x\",\\n \"cases\": [}\\n' > '%s/results.json'",
			job_dir, job_dir),
		     0);
	tessera_run(&p, 30,
		    (const char *const[]){"lab", "lava", "store", "--db", db, "--source", "lava-run", job_dir,
					  NULL});
	cr_expect_eq(p.status, 2, "status %d\n%s", p.status, p.err);
	cr_expect(has_line_with(p.err, "tessera: ") && has_line_with(p.err, "/results.json:2:"), "%s", p.err);
	tessera_free(&p);
}

/*
 * A plan on an instance that cannot be reached: every submission fails for an infrastructure reason, so
 * each boot is tried LAVA_PLAN_ATTEMPTS (3) times and then recorded as failed, once, and the run fails.
 */
Test(lava, a_plan_on_an_unreachable_instance_records_each_boot_failed_once)
{
	char db[128];
	struct tessera_proc p;
	int boots;
	bool once;

	snprintf(db, sizeof(db), "%s/unreachable.db", dir);
	tessera_run(&p, 120,
		    (const char *const[]){"bench", "run",
					  TESSERA_SOURCE_ROOT "/configs/bench/plans/ci/tracing.yaml", "--on",
					  "lava:http://127.0.0.1:9", "--token", "x", "-o", db, "--no-compare",
					  NULL});
	cr_expect_eq(p.status, 1, "status %d\n%s", p.status, p.err);
	cr_expect(has_line_with(p.err, "3 LAVA attempts failed for infrastructure reasons"), "%s", p.err);
	cr_expect(has_line_with(p.err, "0 boots done on LAVA, 9 failed, 0 not run"), "%s", p.err);
	free(db_samples(db, &boots, &once));
	cr_expect_eq(boots, 9, "each boot recorded");
	cr_expect(!once, "they are failed, not done");
	tessera_free(&p);
	tessera_run(&p, 30,
		    (const char *const[]){"bench", "run",
					  TESSERA_SOURCE_ROOT "/configs/bench/plans/ci/tracing.yaml", "--on",
					  "ssh:host", "-o", db, NULL});
	cr_expect_eq(p.status, 2, "--on ssh:host: %d\n%s", p.status, p.err);
	tessera_free(&p);
	/* --base-url: only with --on, only a scheme a worker can fetch; refused before anything runs */
#define PLAN	 TESSERA_SOURCE_ROOT "/configs/bench/plans/ci/tracing.yaml"
#define CAMPAIGN TESSERA_SOURCE_ROOT "/configs/campaigns/ci/mce-fiself.yaml"
	const char *const *bad[] = {
		(const char *const[]){"bench", "run", PLAN, "-o", db, "--base-url", "http://x/", NULL},
		(const char *const[]){"bench", "run", PLAN, "-o", db, "--on", "lava:", "--base-url",
				      "ftp://x/", NULL},
		(const char *const[]){"fi", "campaign", "run", CAMPAIGN, "-o", db, "--base-url", "http://x/",
				      NULL},
		(const char *const[]){"fi", "campaign", "run", CAMPAIGN, "-o", db, "--on",
				      "lava:", "--base-url", "ftp://x/", NULL},
	};
#undef PLAN
#undef CAMPAIGN
	for (int i = 0; i < 4; i++) {
		tessera_run(&p, 30, bad[i]);
		cr_expect_eq(p.status, 2, "%s with a bad --base-url: %d\n%s", bad[i][0], p.status, p.err);
		cr_expect(strstr(p.err, i % 2 ? "expected http://, https:// or file://" : "goes with --on"),
			  "%s", p.err);
		tessera_free(&p);
	}
}

/* The first 4 KiB of a file (a bundle's header and entry table hold its module names). */
static char *file_head(const char *path)
{
	char *buf = calloc(1, 4097);
	FILE *f = fopen(path, "rb");
	cr_assert(f, "no %s", path);
	size_t n = fread(buf, 1, 4096, f);
	fclose(f);
	for (size_t i = 0; i < n; i++)
		buf[i] = buf[i] ? buf[i] : '\n';
	return buf;
}

/* `render --plan` of the shipped tracing plan's CI form into DIR/plan (its path into out). */
static void render_tracing_plan(char *out, size_t size)
{
	struct tessera_proc p;

	snprintf(out, size, "%s/plan", dir);
	tessera_run(&p, 120,
		    (const char *const[]){"lab", "lava", "render", "--plan",
					  TESSERA_SOURCE_ROOT "/configs/bench/plans/ci/tracing.yaml", "-o",
					  out, NULL});
	cr_assert_eq(p.status, 0, "%d\n%s", p.status, p.err);
	tessera_free(&p);
}

/*
 * render --plan: one job per planned boot, named and tagged with it, the channel as memfd; render
 * --campaign: the golden run and one job per experiment, the experiment's fault plan in its bundle only.
 */
Test(lava, render_gives_one_job_per_boot_and_per_experiment)
{
	char out[128], path[256], *text;
	struct tessera_proc p;

	render_tracing_plan(out, sizeof(out));
	cr_expect_eq(
		sh("test $(wc -l < '%s/jobs.tsv') -eq 10 && test $(ls '%s'/*.yaml | wc -l) -eq 9", out, out),
		0, "9 jobs and their list");
	snprintf(path, sizeof(path), "%s/tracing-ci.events-off.irqlat.0.yaml", out);
	text = lava_read_text(path);
	cr_expect(strstr(text, "job_name: 'tracing-ci.events-off.irqlat.0'"), "%s", text);
	cr_expect(strstr(text, "  tessera_configuration: 'events-off'\n  tessera_workload: 'irqlat'\n"), "%s",
		  text);
	cr_expect(strstr(text, "  tessera_boot_index: '2'\n"), "%s", text);
	cr_expect(strstr(text, "'-object memory-backend-memfd,id=tshm,share=on,size=4M'"), "%s", text);
	cr_expect(strstr(text, "'-icount shift=0,sleep=off'"), "%s", text);
	/* the worker reads QEMU's stdout: no console file or monitor socket of this host's scratch dir */
	cr_expect(!strstr(text, "chardev") && !strstr(text, "-qmp") && !strstr(text, "tessera-run."), "%s",
		  text);
	cr_expect(strstr(text, "-append \"trace_events=0\""), "events off: %s", text);
	free(text);

	snprintf(out, sizeof(out), "%s/campaign", dir);
	tessera_run(&p, 120,
		    (const char *const[]){"lab", "lava", "render", "--campaign",
					  TESSERA_SOURCE_ROOT "/configs/campaigns/ci/memflip-canaries.yaml",
					  "-o", out, NULL});
	cr_assert_eq(p.status, 0, "%d\n%s", p.status, p.err);
	tessera_free(&p);
	cr_expect_eq(sh("test $(ls '%s'/*.yaml | wc -l) -eq 4", out), 0, "golden and 3 experiments");
	snprintf(path, sizeof(path), "%s/memflip-canaries-ci.e0002.yaml", out);
	text = lava_read_text(path);
	cr_expect(strstr(text, "  tessera_kind: 'campaign-experiment'\n"), "%s", text);
	cr_expect(strstr(text, "  tessera_experiment: '2'\n  tessera_fault: 'memory_flip cell=fiself "), "%s",
		  text);
	free(text);
	snprintf(path, sizeof(path), "%s/memflip-canaries-ci.e0002.bundle", out);
	text = file_head(path);
	cr_expect(has_line_with(text, "faults.blob"), "the fault plan in the experiment's bundle");
	free(text);
	snprintf(path, sizeof(path), "%s/memflip-canaries-ci.golden.bundle", out);
	text = file_head(path);
	cr_expect(!has_line_with(text, "faults.blob") && has_line_with(text, "config.blob"),
		  "no fault plan in the golden run's bundle");
	free(text);
}

/* Lines of text that hold needle. */
static int lines_with(const char *text, const char *needle)
{
	int n = 0;
	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		char *line = strndup(l, len);
		n += line && strstr(line, needle);
		free(line);
		l += len + (nl ? 1 : 0);
	}
	return n;
}

/*
 * render --config takes tessera run's options as tessera run does, through the lab runner: a fault plan
 * (checked against the config first) goes into the job's bundle and the real lava-run's boot injects
 * what `tessera run --faults` injects; what a job cannot carry is refused, never dropped.
 */
Test(lava, render_carries_a_fault_plan_and_refuses_what_a_job_cannot_carry)
{
	char out[128], path[256], runs[128];
	struct tessera_proc p, r;
	const char *config = TESSERA_SOURCE_ROOT "/tests/integration/configs/mce-plan.yaml",
		   *plan = TESSERA_SOURCE_ROOT "/tests/integration/plans/mce-classes.yaml";

	snprintf(out, sizeof(out), "%s/faults", dir);
	render(config, (const char *const[]){"--name", "mcef", "--faults", plan, NULL});
	snprintf(path, sizeof(path), "%s/mcef.bundle", dir);
	char *text = file_head(path);
	cr_expect(has_line_with(text, "faults.blob"), "the fault plan in the job's bundle");
	free(text);
	snprintf(path, sizeof(path), "%s/mcef.yaml", dir);
	snprintf(runs, sizeof(runs), "%s/runs", dir);
	tessera_run(&p, LIMIT_S, (const char *const[]){"lab", "lava", "run", "-o", runs, path, NULL});
	tessera_free(&p);
	char console[256];
	snprintf(console, sizeof(console), "%s/runs", dir);
	cr_assert_eq(sh("cat '%s'/mcef-*/console.txt > '%s/mcef.console'", console, dir), 0);
	snprintf(path, sizeof(path), "%s/mcef.console", dir);
	text = lava_read_text(path);
	tessera_run(&r, LIMIT_S, (const char *const[]){"run", "--config", config, "--faults", plan, NULL});
	cr_expect_eq(r.status, 0, "tessera run --faults: %d\n%s", r.status, r.err);
	int want = lines_with(r.out, "faultinj: fault "), got = lines_with(text, "faultinj: fault ");
	cr_expect(want > 5 && got == want, "the LAVA job injected %d faults, tessera run %d", got, want);
	free(text);
	tessera_free(&r);

	static const char *const refused[][3] = {
		{"--record", "x.json", "--record: a LAVA job's record is its log"},
		{"--bundle", NULL, "--bundle: a LAVA job always boots one bundle"},
	};
	for (int i = 0; i < 2; i++) {
		tessera_run(&p, LIMIT_S,
			    (const char *const[]){"lab", "lava", "render", "--config", config, "-o", out,
						  refused[i][0], refused[i][1], NULL});
		cr_expect_eq(p.status, 2, "%s: %d\n%s", refused[i][0], p.status, p.err);
		cr_expect(strstr(p.err, refused[i][2]), "%s", p.err);
		tessera_free(&p);
	}
	/* a plan that names a cell the config lacks: refused with its file, line and column */
	tessera_run(&p, LIMIT_S,
		    (const char *const[]){"lab", "lava", "render", "--config",
					  TESSERA_SOURCE_ROOT "/configs/fi/selfcheck.yaml", "-o", out,
					  "--faults", plan, NULL});
	cr_expect_eq(p.status, 2, "%d\n%s", p.status, p.err);
	cr_expect(strstr(p.err, "mce-classes.yaml:8:11: no cell 'fwd' in the config"), "%s", p.err);
	tessera_free(&p);
}

/*
 * render --campaign --batch: the golden run's job and the experiments that share a boot in batch jobs
 * (--batch-size 2: three jobs for the reduced machine-check campaign's five), jobs.tsv naming each
 * experiment's job; a batch job run by the real lava-run runs its experiments one after another, each
 * marked on the console, with no host attached.
 */
Test(lava, render_batch_gives_batch_jobs_that_lava_run_runs)
{
	char out[128], path[256], runs[128], *text;
	struct tessera_proc p;

	snprintf(out, sizeof(out), "%s/batch", dir);
	tessera_run(&p, 120,
		    (const char *const[]){"lab", "lava", "render", "--campaign",
					  TESSERA_SOURCE_ROOT "/configs/campaigns/ci/mce-fiself.yaml", "-o",
					  out, "--batch", "--batch-size", "2", NULL});
	cr_assert_eq(p.status, 0, "%d\n%s", p.status, p.err);
	tessera_free(&p);
	cr_expect_eq(sh("cd '%s' && ls *.yaml | tr '\\n' ' ' | grep -qx 'mce-fiself-ci.b0000.yaml "
			"mce-fiself-ci.b0002.yaml mce-fiself-ci.b0004.yaml mce-fiself-ci.golden.yaml '",
			out),
		     0, "the golden job and three batch jobs");
	cr_expect_eq(
		sh("cut -f1,2 '%s/jobs.tsv' | sed 's|.*/||' | tr '\\t\\n' ': ' | grep -qx 'job:experiment "
		   "mce-fiself-ci.golden.yaml:golden mce-fiself-ci.b0000.yaml:0 mce-fiself-ci.b0000.yaml:1 "
		   "mce-fiself-ci.b0002.yaml:2 mce-fiself-ci.b0002.yaml:3 mce-fiself-ci.b0004.yaml:4 '",
		   out),
		0, "jobs.tsv maps each experiment to its batch");
	snprintf(path, sizeof(path), "%s/mce-fiself-ci.b0002.yaml", out);
	text = lava_read_text(path);
	cr_expect(strstr(text, "  tessera_kind: 'campaign-batch'\n"), "%s", text);
	cr_expect(strstr(text, "  tessera_first_experiment: '2'\n  tessera_experiments: '2'\n"), "%s", text);
	free(text);
	snprintf(runs, sizeof(runs), "%s/runs", dir);
	tessera_run(&p, LIMIT_S, (const char *const[]){"lab", "lava", "run", "-o", runs, path, NULL});
	cr_expect_eq(p.status, 0, "lab lava run: %d\n%s\n%s", p.status, p.out, p.err);
	expect_line(&p, "mce-fiself-ci.b0002: 0 passed, 0 failed, job Complete, ");
	tessera_free(&p);
	cr_expect_eq(sh("c=$(ls '%s'/mce-fiself-ci.b0002-*/console.txt) && grep -q 'batch: experiment 2 "
			"begins' \"$c\" "
			"&& grep -q 'batch: experiment 3 ends (' \"$c\" && ! grep -q 'batch: experiment "
			"[014] ' \"$c\"",
			runs),
		     0, "the batch job ran experiments 2 and 3, and only those");
}

/*
 * A plan's boot through the real lava-run: every benchmark sample of its console (the bench parser's
 * reading of console.txt) is a LAVA measurement in results.json, in order, with its value and unit, and
 * none of them is counted as a test case.
 */
Test(lava, a_plan_boots_samples_are_lava_measurements)
{
	char out[128], job[256], runs[128], db[128], pattern[192], err[256];
	struct tessera_proc p;
	glob_t g;

	render_tracing_plan(out, sizeof(out));
	snprintf(job, sizeof(job), "%s/tracing-ci.all-on.irqlat.0.yaml", out);
	snprintf(runs, sizeof(runs), "%s/runs", dir);
	snprintf(db, sizeof(db), "%s/results.db", dir);
	tessera_run(&p, 300, (const char *const[]){"lab", "lava", "run", "-o", runs, "--db", db, job, NULL});
	cr_assert_eq(p.status, 0, "lab lava run: %d\n%s\n%s", p.status, p.out, p.err);

	snprintf(pattern, sizeof(pattern), "%s/tracing-ci.all-on.irqlat.0-*/console.txt", runs);
	cr_assert_eq(glob(pattern, 0, NULL, &g), 0, "no %s", pattern);
	char *console = lava_read_text(g.gl_pathv[0]);
	struct workload_results w = {0};
	cr_assert_eq(workload_parse_text(console, g.gl_pathv[0], &w, err, sizeof(err)), 0, "%s", err);
	cr_assert_gt(w.nr_samples, 5, "the boot printed its samples:\n%s", console);
	char said[96];
	snprintf(said, sizeof(said), "0 passed, 0 failed, %zu samples as LAVA measurements, job Complete",
		 w.nr_samples);
	cr_expect(strstr(p.out, said), "'%s' in:\n%s", said, p.out);

	char results[512];
	snprintf(results, sizeof(results), "%.*s/results.json",
		 (int)(strrchr(g.gl_pathv[0], '/') - g.gl_pathv[0]), g.gl_pathv[0]);
	json_error_t jerr;
	json_t *root = json_load_file(results, 0, &jerr);
	cr_assert(root, "%s: %s", results, jerr.text);
	json_t *m = json_object_get(root, "measurements");
	cr_expect_eq(json_array_size(json_object_get(root, "cases")), 0, "samples are not cases");
	cr_assert_eq(json_array_size(m), w.nr_samples, "one measurement per sample");
	for (size_t i = 0; i < w.nr_samples; i++) {
		const struct workload_sample *s = &w.samples[i];
		json_t *e = json_array_get(m, i);
		char name[3 * WORKLOAD_STR + 4];
		snprintf(name, sizeof(name), "%s/%s/%s", s->cell, s->workload, s->metric);
		cr_expect_str_eq(json_string_value(json_object_get(e, "sample")), name, "measurement %zu", i);
		cr_expect_eq(json_real_value(json_object_get(e, "value")), (double)s->value,
			     "measurement %zu", i);
		cr_expect_str_eq(json_string_value(json_object_get(e, "units")), workload_unit_name(s->unit),
				 "measurement %zu", i);
	}
	json_decref(root);
	workload_results_free(&w);
	free(console);
	globfree(&g);
	tessera_free(&p);
}

/* A stand-in for lavacli: jobs are accepted and stay Running; a cancel is noted in the file CANCELLED. */
static const char fake_lavacli[] = "#!/bin/sh\n"
				   "d=$(dirname \"$0\")\n"
				   "case \"$3 $4\" in\n"
				   "'jobs submit') echo \"$5\" >> \"$d/SUBMITTED\"; echo 4242 ;;\n"
				   "'jobs show') echo 'state: Running' ;;\n"
				   "'jobs cancel') echo \"$5\" >> \"$d/CANCELLED\" ;;\n"
				   "esac\n";

/*
 * SIGTERM to `bench run --on lava:` alone (kill PID, not its process group) while it waits for its jobs:
 * the submitted jobs are cancelled, it exits 143, the run is recorded as interrupted and nothing is left.
 */
Test(lava, sigterm_to_a_plan_on_lava_cancels_its_jobs_and_leaves_nothing)
{
	char bin[128], db[128], path[4200], mark[64];
	struct tessera_proc p;

	snprintf(bin, sizeof(bin), "%s/bin", dir);
	snprintf(db, sizeof(db), "%s/sigterm.db", dir);
	cr_assert_eq(sh("mkdir -p '%s'", bin), 0);
	snprintf(path, sizeof(path), "%s/lavacli", bin);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs(fake_lavacli, f);
	fclose(f);
	cr_assert_eq(chmod(path, 0755), 0);
	const char *old = getenv("PATH");
	char *saved = strdup(old ? old : "/usr/bin:/bin");
	snprintf(path, sizeof(path), "%s:%s", bin, saved);
	setenv("PATH", path, 1);
	snprintf(mark, sizeof(mark), "TESSERA_LAVA_SIGTERM_%d", (int)getpid());
	setenv(mark, "1", 1);
	tessera_start(&p, (const char *const[]){"bench", "run",
						TESSERA_SOURCE_ROOT "/configs/bench/plans/ci/tracing.yaml",
						"--on", "lava:http://127.0.0.1:9", "--token", "x", "-o", db,
						"--no-compare", NULL});
	/* all nine submitted: it waits for them now */
	int waiting =
		sh("for i in $(seq 600); do test -f '%s/SUBMITTED' && test $(wc -l < '%s/SUBMITTED') -ge 9 "
		   "&& exit 0; sleep 0.2; done; exit 1",
		   bin, bin);
	setenv("PATH", saved, 1);
	free(saved);
	cr_expect_eq(waiting, 0, "it never submitted its 9 jobs");
	sleep(2);
	kill(p.pid, SIGTERM);
	tessera_wait(&p, 60);
	unsetenv(mark);
	cr_expect_eq(p.status, 143, "status %d\n%s", p.status, p.err);
	cr_expect_eq(sh("test $(wc -l < '%s/CANCELLED') -eq 9", bin), 0, "each of the 9 jobs cancelled");
	strcat(mark, "=1");
	pid_t left[16];
	int n = pids_with_env(mark, left, 16);
	cr_expect_eq(n, 0, "%d processes left (the first: %d)", n, n ? (int)left[0] : 0);
	char *status = NULL;
	sqlite3 *sdb;
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_open_v2(db, &sdb, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(sdb, "SELECT status FROM runs", -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		status = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(sdb);
	cr_expect_str_eq(status ? status : "(none)", "interrupted");
	free(status);
	tessera_free(&p);
}
