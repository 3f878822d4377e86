/*
 * The `tessera` host tool: one entry point, one subcommand per feature folder (as perf and trace-cmd do).
 * `tessera CMD ...` calls cmd_CMD(argc, argv) with argv[0] = "CMD".
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

#define TESSERA_VERSION "0.1.0-dev"

struct command {
	const char *name;
	const char *summary;
	int (*fn)(int argc, char **argv); /* NULL: not a subcommand of this binary */
	const char *usage;		  /* for commands without fn: what `help` prints */
};

static const struct command commands[] = {
	{"run", "boot the hypervisor in QEMU and stream its console", cmd_run, NULL},
	{"config", "check and compile a YAML system config into a boot blob", cmd_config, NULL},
	{"trace", "record, report on and convert hypervisor traces", cmd_trace, NULL},
	{"bench",
	 "benchmarks (trace-cost, exit-cost) and their results: compare, export, report, history, bisect",
	 cmd_bench, NULL},
	{"lab",
	 "LAVA jobs (render, run with lava-run, submit) and the regression suite: lab regress (docs/lab.md)",
	 cmd_lab, NULL},
	{"fi", "fault injection: check and compile plans, list the models, inject live (docs/faultinj.md)",
	 cmd_fi, NULL},
	{"cell", "start, stop or restart a cell of a running system (tessera run --channel)", cmd_cell, NULL},
	{"test", "run every test: format check, unit, integration (via ./tessera)", NULL,
	 "usage: ./tessera test [format|unit|integration]...\n"
	 "\n"
	 "Builds what changed, then runs the format check, the unit tests and the integration tests (each\n"
	 "boots QEMU). The ./tessera front-door script handles this command itself, not this binary.\n"},
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void print_usage(FILE *f)
{
	fprintf(f, "usage: tessera [--version] [--help] COMMAND [ARGS]\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nSee 'tessera help COMMAND' or 'tessera COMMAND --help' for a command's options.\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* Unknown names. Returns the exit status. */
static int refuse(const char *name)
{
	fprintf(stderr, "tessera: '%s' is not a tessera command. See 'tessera --help'.\n", name);
	return 2;
}

static int run_command(const struct command *c, int argc, char **argv)
{
	if (c->fn)
		return c->fn(argc, argv);
	/* `test` without fn: only its help is served here. */
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(c->usage, stdout);
		return 0;
	}
	fprintf(stderr, "tessera %s: run it through the front door: ./tessera %s\n", c->name, c->name);
	return 2;
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stdout);
		return 0;
	}
	const struct command *c = find_command(argv[1]);
	if (!c)
		return refuse(argv[1]);
	char *help_argv[] = {argv[1], "--help", NULL};
	return run_command(c, 2, help_argv);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return 2;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h"))
		return cmd_help(1, argv);
	if (!strcmp(name, "--version")) {
		printf("tessera %s\n", TESSERA_VERSION);
		return 0;
	}
	if (!strcmp(name, "help"))
		return cmd_help(argc - 1, argv + 1);
	if (name[0] == '-') {
		fprintf(stderr, "tessera: unknown option '%s'\n", name);
		print_usage(stderr);
		return 2;
	}
	const struct command *c = find_command(name);
	if (!c)
		return refuse(name);
	return run_command(c, argc - 1, argv + 1);
}
