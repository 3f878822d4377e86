/*
 * Nothing a command starts outlives it. Each test starts a command in a session of its own (as a shell
 * starts a foreground job) with a marker variable in its environment, which every process it starts
 * inherits whatever session or process group it moves to; waits until a QEMU of it runs; stops it with
 * SIGINT to its process group (what Ctrl-C in a terminal sends) or SIGTERM to it alone (what kill sends);
 * and checks that it ends promptly with 130 or 143 and that, once it has ended, no marked process is left.
 *
 * Regressions: an orphaned `tessera bench trace-cost` went on booting QEMUs after `./tessera test` was
 * stopped (the criterion worker that ran it died, nothing told the bench), and test QEMUs outlived
 * `./tessera test` by about 2 s.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../lab/host_files.h"
#include "harness.h"

#define MAX_PIDS     64
#define QEMU_WAIT_S  60 /* the QEMU of the command appears (a nested test suite starts first) */
#define STOP_LIMIT_S 8	/* the command ends after the signal: its own grace periods are 0.5 s and 2 s */

struct job {
	pid_t pid;
	char mark[80]; /* "NAME=1", the entry every process of the job carries */
	char log[64];  /* its stdout and stderr */
};

static void out_dir(char *dir, size_t size)
{
	cr_assert_eq(lab_path_beside_exe(dir, size, ""), 0, "cannot read /proc/self/exe");
}

static void job_start(struct job *j, const char *const *argv)
{
	static int serial;

	snprintf(j->mark, sizeof(j->mark), "TESSERA_CLEANUP_TEST_%d_%d=1", (int)getpid(), serial++);
	strcpy(j->log, "/tmp/tessera-it-cleanup.XXXXXX");
	int fd = mkstemp(j->log);
	cr_assert_geq(fd, 0);
	j->pid = fork();
	cr_assert_geq(j->pid, 0);
	if (j->pid == 0) {
		char name[80];
		snprintf(name, sizeof(name), "%s", j->mark);
		*strchr(name, '=') = '\0';
		setenv(name, "1", 1);
		/* Criterion's worker map: a nested criterion runner that inherits it takes itself for a worker. */
		unsetenv("BXFI_MAP");
		setsid();
		dup2(fd, 1);
		dup2(fd, 2);
		int null_fd = open("/dev/null", O_RDONLY);
		dup2(null_fd, 0);
		/* Criterion may block or ignore signals; a shell's job starts with the defaults. */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fd);
}

static char *job_log(const struct job *j)
{
	static char text[8192];
	FILE *f = fopen(j->log, "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	if (f)
		fclose(f);
	text[n] = '\0';
	return text;
}

static bool wait_for_marked_qemu(const struct job *j)
{
	pid_t pids[MAX_PIDS];

	for (int t = 0; t < QEMU_WAIT_S * 20; t++) {
		int n = pids_with_env(j->mark, pids, MAX_PIDS);
		for (int i = 0; i < n && i < MAX_PIDS; i++)
			if (process_is_machine_qemu(pids[i]))
				return true;
		if (waitpid(j->pid, NULL, WNOHANG) == j->pid)
			return false;
		usleep(50 * 1000);
	}
	return false;
}

/* The command lines of the marked processes left, for the message; then they are killed. */
static int leftovers(const struct job *j, char *list, size_t size)
{
	pid_t pids[MAX_PIDS];
	int n = pids_with_env(j->mark, pids, MAX_PIDS);
	size_t len = 0;

	list[0] = '\0';
	for (int i = 0; i < n && i < MAX_PIDS; i++) {
		char path[64], cmd[200] = "";
		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pids[i]);
		FILE *f = fopen(path, "r");
		size_t got = f ? fread(cmd, 1, sizeof(cmd) - 1, f) : 0;
		if (f)
			fclose(f);
		for (size_t k = 0; k < got; k++)
			if (!cmd[k])
				cmd[k] = ' ';
		cmd[got] = '\0';
		len += (size_t)snprintf(list + len, len < size ? size - len : 0, "  %d: %s\n", (int)pids[i],
					cmd);
		if (len >= size)
			len = size - 1;
		kill(pids[i], SIGKILL);
	}
	return n;
}

/* Stop the job with sig (to its group if group), then check how it ended and what it left. */
static void job_stop_and_check(struct job *j, int sig, bool group, int expected_status)
{
	struct timespec t0, t1;
	int st = 0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	kill(group ? -j->pid : j->pid, sig);
	for (t = 0; t < STOP_LIMIT_S * 50 && waitpid(j->pid, &st, WNOHANG) == 0; t++)
		usleep(20 * 1000);
	bool ended = t < STOP_LIMIT_S * 50;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Checked at once: the command must have ended everything before it ended itself. */
	char list[4096];
	int left = leftovers(j, list, sizeof(list));
	if (!ended) {
		kill(-j->pid, SIGKILL);
		kill(j->pid, SIGKILL);
		waitpid(j->pid, &st, 0);
	}
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	cr_expect(ended, "still running %d s after signal %d; output:\n%s", STOP_LIMIT_S, sig, job_log(j));
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == expected_status,
		  "status %#x, not exit %d (after %ld ms); output:\n%s", st, expected_status, ms, job_log(j));
	cr_expect_eq(left, 0, "%d processes outlived it:\n%s", left, list);
	unlink(j->log);
}

static void stop_while_qemu_runs(const char *const *argv, int sig, bool group, int expected_status)
{
	struct job j;

	job_start(&j, argv);
	if (!wait_for_marked_qemu(&j)) {
		char list[4096];
		leftovers(&j, list, sizeof(list));
		kill(-j.pid, SIGKILL);
		waitpid(j.pid, NULL, 0);
		cr_assert_fail("no QEMU of %s appeared within %d s; output:\n%s", argv[0], QEMU_WAIT_S,
			       job_log(&j));
	}
	job_stop_and_check(&j, sig, group, expected_status);
}

/* ./tessera test runs build/run-tests.sh; a nested run of one long test (the bench boots) stands in. */
static void stop_run_tests(int sig, bool group, int expected_status)
{
	char out[PATH_MAX], script[PATH_MAX];

	out_dir(out, sizeof(out));
	snprintf(script, sizeof(script), "%s/build/run-tests.sh", TESSERA_SOURCE_ROOT);
	stop_while_qemu_runs(
		(const char *const[]){script, out, "integration", "--", "--filter", "bench/nullcall*", NULL},
		sig, group, expected_status);
}

Test(cleanup, ctrl_c_of_tessera_test_ends_everything, .timeout = 120)
{
	stop_run_tests(SIGINT, true, 130);
}

Test(cleanup, sigterm_of_tessera_test_ends_everything, .timeout = 120)
{
	stop_run_tests(SIGTERM, false, 130);
}

static void stop_tessera(const char *const *args, int sig, bool group, int expected_status)
{
	char out[PATH_MAX], exe[PATH_MAX + 16];
	const char *argv[16];
	int n = 0;

	out_dir(out, sizeof(out));
	snprintf(exe, sizeof(exe), "%s/tessera", out);
	argv[n++] = exe;
	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	stop_while_qemu_runs(argv, sig, group, expected_status);
}

Test(cleanup, bench_trace_cost_ends_its_boots, .timeout = 120)
{
	stop_tessera((const char *const[]){"bench", "trace-cost", "--no-host", NULL}, SIGTERM, false, 143);
	stop_tessera((const char *const[]){"bench", "trace-cost", "--no-host", NULL}, SIGINT, true, 130);
}

Test(cleanup, tessera_run_ends_its_qemu, .timeout = 120)
{
	static const char *const args[] = {"run", "--no-config", "--smp", "1", "--timeout",
					   "0",	  "--",		 "-S",	  NULL};
	stop_tessera(args, SIGTERM, false, 143);
	stop_tessera(args, SIGINT, true, 130);
}

Test(cleanup, trace_record_ends_its_qemu, .timeout = 120)
{
	char dir[] = "/tmp/tessera-it-cleanup-trace.XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	const char *const args[] = {"trace", "record",	  "-o", dir,  "--", "--no-config", "--smp",
				    "1",     "--timeout", "0",	"--", "-S", NULL};
	stop_tessera(args, SIGTERM, false, 143);
	sh("rm -rf %s", dir);
}

/*
 * The criterion runner itself killed (as a CI timeout or an OOM kill would): its workers die with it, and
 * what a test started must follow (the harness gives tessera PR_SET_PDEATHSIG), with no one left to stop
 * it. Here nobody waits at the end, so allow the grace periods, then check.
 */
Test(cleanup, killed_test_runner_leaves_nothing, .timeout = 120)
{
	char out[PATH_MAX], runner[PATH_MAX + 32];
	struct job j;

	out_dir(out, sizeof(out));
	snprintf(runner, sizeof(runner), "%s/integration_tests", out);
	job_start(&j, (const char *const[]){runner, "--filter", "bench/nullcall*", NULL});
	cr_assert(wait_for_marked_qemu(&j), "no QEMU of the nested test runner; output:\n%s", job_log(&j));
	kill(j.pid, SIGKILL);
	waitpid(j.pid, NULL, 0);
	pid_t pids[MAX_PIDS];
	int n = 0;
	for (int t = 0; t < STOP_LIMIT_S * 10; t++) {
		n = pids_with_env(j.mark, pids, MAX_PIDS);
		if (!n)
			break;
		usleep(100 * 1000);
	}
	char list[4096];
	int left = leftovers(&j, list, sizeof(list));
	cr_expect_eq(left, 0, "%d processes outlived the runner by %d s:\n%s", left, STOP_LIMIT_S, list);
	unlink(j.log);
}
