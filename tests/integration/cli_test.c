/*
 * The command line as a whole: every command and subcommand answers --help and -h with its usage on
 * stdout and exit 0 (also as `tessera help CMD`), usage errors go to stderr with exit 2, and
 * build/run-tests.sh (./tessera test) stops the running suite on SIGINT.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* Every command and subcommand of out/tessera, as its argv prefix. */
static const char *const commands[][3] = {
	{"run"},
	{"config"},
	{"config", "check"},
	{"config", "compile"},
	{"config", "check-blob"},
	{"trace"},
	{"trace", "record"},
	{"trace", "report"},
	{"trace", "convert"},
	{"trace", "catalog"},
	{"trace", "synth"},
	{"bench"},
	{"bench", "trace-cost"},
	{"bench", "compare"},
	{"bench", "export"},
	{"bench", "report"},
	{"bench", "bisect"},
	{"bench", "history"},
	{"bench", "selftest"},
	{"bench", "simulate"},
	{"fi"},
	{"fi", "check"},
	{"fi", "compile"},
	{"fi", "models"},
	{"fi", "inject"},
	{"fi", "disarm"},
	{"fi", "status"},
	{"cell"},
	{"test"},
};

static void check_help(const char *const *args, const char *what)
{
	struct tessera_proc p;

	tessera_run(&p, 20, args);
	cr_expect_eq(p.status, 0, "%s: exit status %d, stderr:\n%s", what, p.status, p.err);
	cr_expect(has_line_with(p.out, "usage:"), "%s: no usage on stdout:\n%s", what, p.out);
	cr_expect_str_empty(p.err, "%s: stderr is not empty:\n%s", what, p.err);
	cr_expect_eq(p.qemu_pid, 0, "%s started QEMU", what);
	tessera_free(&p);
}

Test(cli, every_command_has_help, .timeout = 120)
{
	static const char *const flags[] = {"--help", "-h"};

	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		for (size_t f = 0; f < 2; f++) {
			const char *args[5] = {0};
			char what[80];
			unsigned int n = 0;
			for (unsigned int k = 0; k < 3 && commands[c][k]; k++)
				args[n++] = commands[c][k];
			args[n++] = flags[f];
			snprintf(what, sizeof(what), "tessera %s%s%s %s", args[0], n > 2 ? " " : "",
				 n > 2 ? args[1] : "", flags[f]);
			check_help(args, what);
		}
		if (!commands[c][1]) {
			char what[80];
			snprintf(what, sizeof(what), "tessera help %s", commands[c][0]);
			check_help((const char *const[]){"help", commands[c][0], NULL}, what);
		}
	}
	check_help((const char *const[]){"--help", NULL}, "tessera --help");
	check_help((const char *const[]){"-h", NULL}, "tessera -h");
	check_help((const char *const[]){"help", NULL}, "tessera help");
}

static void check_usage_error(const char *const *args, const char *what)
{
	struct tessera_proc p;

	tessera_run(&p, 20, args);
	cr_expect_eq(p.status, 2, "%s: exit status %d", what, p.status);
	cr_expect(has_line_with(p.err, "usage:"), "%s: no usage on stderr:\n%s", what, p.err);
	cr_expect_str_empty(p.out, "%s: stdout is not empty:\n%s", what, p.out);
	tessera_free(&p);
}

Test(cli, usage_errors_go_to_stderr, .timeout = 60)
{
	check_usage_error((const char *const[]){NULL}, "tessera");
	check_usage_error((const char *const[]){"config", NULL}, "tessera config");
	check_usage_error((const char *const[]){"config", "check", NULL}, "tessera config check");
	check_usage_error((const char *const[]){"config", "frob", "x", NULL}, "tessera config frob");
	check_usage_error((const char *const[]){"trace", NULL}, "tessera trace");
	check_usage_error((const char *const[]){"trace", "report", NULL}, "tessera trace report");
	check_usage_error((const char *const[]){"bench", NULL}, "tessera bench");
	static const char *const lab[] = {"compare", "export", "report", "history", "bisect", "simulate"};
	for (size_t i = 0; i < sizeof(lab) / sizeof(lab[0]); i++)
		check_usage_error((const char *const[]){"bench", lab[i], NULL}, lab[i]);
	check_usage_error((const char *const[]){"bench", "selftest", "--bogus", NULL},
			  "bench selftest --bogus");
}

/* A config command that fails says why: the unknown subcommand, the errno reason of an unreadable file. */
Test(cli, config_errors_say_why, .timeout = 60)
{
	struct tessera_proc p;

	tessera_run(&p, 20, (const char *const[]){"config", "frob", NULL});
	cr_expect_eq(p.status, 2, "status %d", p.status);
	const char *unknown = strstr(p.err, "tessera: config: unknown subcommand 'frob'\n");
	const char *use = strstr(p.err, "usage:");
	cr_expect(unknown && use && unknown < use, "no 'unknown subcommand' before the usage:\n%s", p.err);
	tessera_free(&p);

	tessera_run(&p, 20, (const char *const[]){"config", "check", "/nonexistent/x.yaml", NULL});
	cr_expect_eq(p.status, 2, "status %d", p.status);
	cr_expect(has_line_with(p.err,
				"tessera: /nonexistent/x.yaml: cannot read the config file: No such file "
				"or directory"),
		  "%s", p.err);
	tessera_free(&p);

	tessera_run(&p, 20, (const char *const[]){"config", "check", "/tmp", NULL});
	cr_expect_eq(p.status, 2, "status %d", p.status);
	cr_expect(has_line_with(p.err, "tessera: /tmp: cannot read the config file: Is a directory"), "%s",
		  p.err);
	tessera_free(&p);

	tessera_run(&p, 20, (const char *const[]){"config", "check-blob", "/nonexistent/x.blob", NULL});
	cr_expect_eq(p.status, 2, "status %d", p.status);
	cr_expect(has_line_with(p.err, "cannot read the blob: No such file or directory"), "%s", p.err);
	tessera_free(&p);
}

/* ./tessera test --help is answered by build/run-tests.sh (the front door hands `test` to it). */
Test(cli, run_tests_help, .timeout = 30)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s/build/run-tests.sh /nonexistent --help >/tmp/tessera-rt-help.$$ 2>&1",
		 TESSERA_SOURCE_ROOT);
	int st = system(cmd);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "run-tests.sh --help: status %d", st);
	cr_expect_eq(sh("%s/build/run-tests.sh /nonexistent -h | grep -q '^usage: ./tessera test'",
			TESSERA_SOURCE_ROOT),
		     0);
	cr_expect_neq(sh("%s/build/run-tests.sh /nonexistent bogus >/dev/null 2>&1", TESSERA_SOURCE_ROOT), 0);
	sh("rm -f /tmp/tessera-rt-help.*");
}

static bool alive(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *paren = strrchr(buf, ')');
	return paren && paren[2] != 'Z' && paren[2] != 'X'; /* a zombie has ended */
}

static pid_t read_pid(const char *path)
{
	FILE *f = fopen(path, "r");
	int pid = 0;
	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return (pid_t)pid;
}

/*
 * Regression: SIGINT reached run-tests.sh and tee but not the criterion runner (it leads its own process
 * group), so the tests went on for minutes. A stand-in suite does what criterion does (a process group of
 * its own, a child in it) and would run for 300 s; run-tests.sh gets SIGINT as a `kill -INT` or a
 * terminal would send it, and must stop the suite, say so and exit 130 at once.
 */
Test(cli, run_tests_sigint_stops_the_suite, .timeout = 60)
{
	char dir[] = "/tmp/tessera-it-suite.XXXXXX", path[128], child_pid_path[160], out_path[160];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/unit_tests", dir);
	snprintf(child_pid_path, sizeof(child_pid_path), "%s/child.pid", dir);
	snprintf(out_path, sizeof(out_path), "%s/out.txt", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f,
		"#!/usr/bin/env bash\n"
		"echo 'stand-in suite running'\n"
		"exec setsid bash -c 'sleep 300 & echo $! >%s; wait'\n",
		child_pid_path);
	fclose(f);
	chmod(path, 0755);

	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		setsid(); /* as a terminal's foreground job: nothing else gets our signal */
		signal(SIGINT, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		char script[512];
		snprintf(script, sizeof(script), "%s/build/run-tests.sh", TESSERA_SOURCE_ROOT);
		execl(script, script, dir, "unit", (char *)NULL);
		_exit(127);
	}
	pid_t child = 0;
	for (int i = 0; i < 200 && !(child = read_pid(child_pid_path)); i++)
		usleep(50 * 1000);
	cr_assert_neq(child, 0, "the stand-in suite never started");
	cr_assert(alive(child));

	kill(pid, SIGINT);
	int st = 0, t;
	for (t = 0; t < 100 && waitpid(pid, &st, WNOHANG) == 0; t++)
		usleep(100 * 1000);
	if (t == 100) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	bool child_alive = alive(child);
	if (child_alive)
		kill(child, SIGKILL);
	cr_expect(t < 100, "run-tests.sh did not end within 10 s of SIGINT");
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 130, "status %#x, not exit 130", st);
	cr_expect(!child_alive, "the suite's process %d still runs", child);
	cr_expect_eq(sh("grep -q 'interrupted during the unit tests' %s", out_path), 0, "no message");
	sh("rm -rf %s", dir);
}
