/*
 * The command line as a whole: every command and subcommand answers --help and -h with its usage on
 * stdout and exit 0 (also as `tessera help CMD`), usage errors go to stderr with exit 2.
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
}
