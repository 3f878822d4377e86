/*
 * `tessera fi`: fault injection from the host (docs/faultinj.md). One table of subcommands, as perf and
 * trace-cmd have; each returns the exit status (0 good, 1 failed, 2 bad input).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/config/compile.h"
#include "../cli/commands.h"
#include "models.h"
#include "plan/plan_compile.h"

static const char check_usage[] =
	"usage: tessera fi check PLAN.yaml --config SYSTEM.yaml\n"
	"       tessera fi compile PLAN.yaml --config SYSTEM.yaml -o PLAN.blob\n"
	"\n"
	"Check a fault plan against the system it will run on (every cell, vCPU, site, register, address\n"
	"and hypercall it names must exist), or also write the blob `tessera run --faults` boots with.\n"
	"Exit status: 0 good, 1 the blob cannot be written, 2 bad input (tessera: FILE:LINE:COL: ...).\n";

/* Compile the config (without its images: only its cells and memory matter here), then the plan. */
static int compile_both(const char *plan, const char *config, struct fault_plan_compiled *out)
{
	struct config_options opt = {.no_images = true};
	struct config_compiled cfg;
	struct config_diag diag;
	int ret = config_compile(config, &opt, &cfg, &diag);

	if (ret) {
		config_diag_print(config, &diag);
		return ret;
	}
	ret = fault_plan_compile(plan, cfg.blob, out, &diag);
	if (ret)
		config_diag_print(plan, &diag);
	config_compiled_free(&cfg);
	return ret;
}

static int fi_check_compile(int argc, char **argv)
{
	const char *plan = NULL, *config = NULL, *output = NULL;
	bool compile = !strcmp(argv[0], "compile");

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(check_usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			config = argv[++i];
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc && compile) {
			output = argv[++i];
		} else if (argv[i][0] != '-' && !plan) {
			plan = argv[i];
		} else {
			fprintf(stderr, "tessera fi %s: unexpected argument '%s'\n%s", argv[0], argv[i],
				check_usage);
			return 2;
		}
	}
	if (!plan || !config || (compile && !output)) {
		fputs(check_usage, stderr);
		return 2;
	}
	struct fault_plan_compiled out;
	int ret = compile_both(plan, config, &out);
	if (ret)
		return ret;
	if (compile) {
		FILE *f = fopen(output, "wb");
		if (!f || fwrite(out.blob, 1, out.size, f) != out.size || fclose(f)) {
			perror(output);
			ret = 1;
		}
	} else {
		printf("%s: %u faults, good for %s\n", plan, out.nr_faults, config);
	}
	fault_plan_compiled_free(&out);
	return ret;
}

/* Every model with its parameters and triggers, from the table. */
static int fi_models(int argc, char **argv)
{
	if (argc > 1) {
		bool help = !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help");
		fputs("usage: tessera fi models\n\nEvery fault model with its triggers and parameters.\n",
		      help ? stdout : stderr);
		return help ? 0 : 2;
	}
	for (unsigned int i = 0; fault_model_at(i); i++) {
		const struct fault_model_desc *m = fault_model_at(i);
		printf("%u %s: %s\n   triggers:", m->id, m->name, m->doc);
		for (unsigned int k = 0; k < TESSERA_FT_COUNT; k++)
			if (m->triggers & (1u << k))
				printf(" %s", fault_trigger_name(k));
		printf("\n");
		for (unsigned int k = 0; k < m->nr_params; k++)
			printf("   %-15s %s%s: %s\n", m->params[k].name,
			       fault_param_type_what(m->params[k].type),
			       m->params[k].required ? ", required" : "", m->params[k].doc);
	}
	return 0;
}

static const struct fi_command {
	const char *name, *summary;
	int (*fn)(int argc, char **argv);
} fi_commands[] = {
	{"check", "check a fault plan against a system config", fi_check_compile},
	{"compile", "check a fault plan and write its blob", fi_check_compile},
	{"models", "list the fault models, their parameters and triggers", fi_models},
};

static void fi_usage(FILE *f)
{
	fprintf(f, "usage: tessera fi COMMAND [ARGS]\n\nFault injection (docs/faultinj.md). Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(fi_commands); i++)
		fprintf(f, "  %-8s %s\n", fi_commands[i].name, fi_commands[i].summary);
	fprintf(f, "\nA plan boots with `tessera run --config SYSTEM.yaml --faults PLAN.yaml`.\n"
		   "See 'tessera fi COMMAND --help'.\n");
}

int cmd_fi(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fi_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fi_commands); i++)
		if (!strcmp(argv[1], fi_commands[i].name))
			return fi_commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "tessera fi: '%s' is not a fi command\n", argv[1]);
	fi_usage(stderr);
	return 2;
}
