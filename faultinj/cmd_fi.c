/*
 * `tessera fi`: fault injection from the host (docs/faultinj.md). One table of subcommands, as perf and
 * trace-cmd have; each returns the exit status (0 good, 1 failed, 2 bad input).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli/config/compile.h"
#include "../cli/control_client.h"
#include "../cli/commands.h"
#include "campaign/campaign_run.h"
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

static const char live_usage[] =
	"usage: tessera fi inject --channel FILE --config SYSTEM.yaml MODEL [KEY=VALUE]... [trigger.KIND=N]\n"
	"       tessera fi disarm --channel FILE SLOT|all\n"
	"       tessera fi status --channel FILE [SLOT]\n"
	"\n"
	"Send a fault to a running system (`tessera run --channel FILE`) through its control mailbox,\n"
	"disarm one, or show what each slot injected. KEY=VALUE are the plan's keys of one fault (cell,\n"
	"vcpu, the model's parameters: tessera fi models), trigger.KIND=N its trigger (e.g. trigger.nth=3,\n"
	"trigger.exit=100 trigger.reason=hypercall; none: at the target's next exit). The fault is checked\n"
	"against SYSTEM.yaml here, and by the hypervisor again. Example:\n"
	"  tessera fi inject --channel /tmp/ch --config configs/fi/selfcheck.yaml register_flip \\\n"
	"      cell=fiself reg=rbx bit=3 trigger.exit=4\n"
	"Exit status: 0 done (inject prints the slot), 1 no answer or refused, 2 bad input.\n";

#define LIVE_TIMEOUT_MS 5000

/* --channel FILE and --config FILE from argv; the rest stays in place (NULL where taken). */
static int live_options(int argc, char **argv, const char **channel, const char **config)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(live_usage, stdout);
			return 0;
		}
		const char **dst = !strcmp(argv[i], "--channel")  ? channel
				   : !strcmp(argv[i], "--config") ? config
								  : NULL;
		if (!dst)
			continue;
		if (i + 1 >= argc) {
			fprintf(stderr, "tessera fi %s: %s needs a value\n%s", argv[0], argv[i], live_usage);
			return 2;
		}
		*dst = argv[i + 1];
		argv[i] = argv[i + 1] = NULL;
		i++;
	}
	if (!*channel) {
		fprintf(stderr, "tessera fi %s: --channel FILE is required\n%s", argv[0], live_usage);
		return 2;
	}
	return -1;
}

/* One command to the channel; prints why on failure. Returns 0 with *result, or 1. */
static int live_send(const char *channel, uint32_t op, struct tessera_control_request *req, int32_t *result)
{
	struct control_channel ch;
	char why[300];
	int ret = 1;

	if (!control_open(channel, LIVE_TIMEOUT_MS, &ch, why, sizeof(why)) &&
	    !control_send(&ch, op, req, LIVE_TIMEOUT_MS, result, why, sizeof(why)))
		ret = 0;
	if (ret)
		fprintf(stderr, "tessera fi: %s\n", why);
	control_close(&ch);
	return ret;
}

/*
 * The arguments as a one-fault plan, one line per argument (line 4 + i is argument i; triggers after a
 * `trigger:` line), so that the plan compiler checks them and its LINE names the argument.
 */
static int args_to_plan(char **argv, int argc, const char *model, char *path, int *arg_of_line, int max_lines)
{
	int fd = mkstemp(path), line = 4;
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f)
		return -1;
	fprintf(f, "seed: 0\nfaults:\n  - model: %s\n", model);
	for (int pass = 0; pass < 2; pass++) {
		bool header = false;
		for (int i = 1; i < argc; i++) {
			char *eq = argv[i] ? strchr(argv[i], '=') : NULL;
			bool trig = argv[i] && !strncmp(argv[i], "trigger.", 8);
			if (!argv[i] || argv[i] == model || trig != (pass == 1))
				continue;
			if (pass == 1 && !header) {
				fprintf(f, "    trigger:\n");
				header = true;
				line++;
			}
			if (!eq || line >= max_lines) {
				fclose(f);
				unlink(path);
				fprintf(stderr, "tessera fi inject: '%s': expected KEY=VALUE\n", argv[i]);
				return -2;
			}
			fprintf(f, "%s%.*s: \"%s\"\n", pass ? "      " : "    ",
				(int)(eq - argv[i]) - (trig ? 8 : 0), argv[i] + (trig ? 8 : 0), eq + 1);
			arg_of_line[line++] = i;
		}
	}
	fclose(f);
	return 0;
}

static int fi_inject(int argc, char **argv)
{
	const char *channel = NULL, *config = NULL, *model = NULL;
	int ret = live_options(argc, argv, &channel, &config), arg_of_line[64] = {0};
	char path[] = "/tmp/tessera-inject-XXXXXX";

	if (ret >= 0)
		return ret;
	for (int i = 1; i < argc && !model; i++)
		if (argv[i] && !strchr(argv[i], '='))
			model = argv[i];
	if (!config || !model) {
		fprintf(stderr, "tessera fi inject: --config SYSTEM.yaml and a MODEL are required\n%s",
			live_usage);
		return 2;
	}
	ret = args_to_plan(argv, argc, model, path, arg_of_line, 64);
	if (ret)
		return ret == -2 ? 2 : 1;
	struct config_options opt = {.no_images = true};
	struct config_compiled cfg;
	struct fault_plan_compiled plan;
	struct config_diag diag;
	ret = config_compile(config, &opt, &cfg, &diag);
	if (ret) {
		config_diag_print(config, &diag);
		unlink(path);
		return ret;
	}
	ret = fault_plan_compile(path, cfg.blob, &plan, &diag);
	config_compiled_free(&cfg);
	unlink(path);
	if (ret) {
		int a = diag.line < 64 ? arg_of_line[diag.line] : 0;
		fprintf(stderr, "tessera fi inject: %s%s%s%s\n", a ? "'" : "", a ? argv[a] : "",
			a ? "': " : "", diag.message);
		return 2;
	}
	struct tessera_control_request req = {.payload_size = sizeof(struct tessera_fault)};
	memcpy(req.payload, fault_plan_faults(plan.blob), sizeof(struct tessera_fault));
	fault_plan_compiled_free(&plan);
	int32_t result;
	if (live_send(channel, TESSERA_CTL_FI_INJECT, &req, &result))
		return 1;
	if (result < 0) {
		fprintf(stderr, "tessera fi inject: the hypervisor refused the fault (error %d)\n", result);
		return 1;
	}
	printf("fault armed in slot %d\n", result);
	return 0;
}

static int fi_disarm_status(int argc, char **argv)
{
	const char *channel = NULL, *config = NULL, *which = NULL;
	bool status = !strcmp(argv[0], "status");
	int ret = live_options(argc, argv, &channel, &config);

	if (ret >= 0)
		return ret;
	for (int i = 1; i < argc; i++)
		if (argv[i])
			which = argv[i];
	char *end = NULL;
	unsigned long slot = which && strcmp(which, "all") ? strtoul(which, &end, 10) : ~0UL;
	if ((!status && !which) || (end && (*end || end == which)) ||
	    (slot != ~0UL && slot >= TESSERA_FAULT_MAX)) {
		fprintf(stderr, "tessera fi %s: expected a slot 0..%d%s\n%s", argv[0], TESSERA_FAULT_MAX - 1,
			status ? "" : " or all", live_usage);
		return 2;
	}
	struct tessera_control_request req = {.args = {slot == ~0UL ? ~0ULL : slot}};
	int32_t result;
	if (!status) {
		if (live_send(channel, TESSERA_CTL_FI_DISARM, &req, &result))
			return 1;
		return result ? (fprintf(stderr, "tessera fi disarm: error %d\n", result), 1) : 0;
	}
	static const char *const states[] = {"free", "armed", "done"};
	for (unsigned long s = slot == ~0UL ? 0 : slot; s < TESSERA_FAULT_MAX && (slot == ~0UL || s == slot);
	     s++) {
		req.args[0] = s;
		if (live_send(channel, TESSERA_CTL_FI_STATUS, &req, &result))
			return 1;
		if (result < 0 || result > 2)
			return fprintf(stderr, "tessera fi status: error %d\n", result), 1;
		if (result || slot != ~0UL)
			printf("slot %lu: %s %s, %llu injected, %llu passes\n", s, states[result],
			       fault_model_name((uint32_t)req.args[3]), (unsigned long long)req.args[1],
			       (unsigned long long)req.args[2]);
	}
	return 0;
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
	{"inject", "send a fault to a running system (tessera run --channel FILE)", fi_inject},
	{"disarm", "disarm a fault of a running system", fi_disarm_status},
	{"status", "what each fault of a running system injected", fi_disarm_status},
	{"campaign", "fault-injection campaigns: run, report, replay", cmd_fi_campaign},
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
