/*
 * `tessera lab lava render|run|up|down|submit|store` and `tessera lab regress` (docs/lab.md). render builds
 * the machine `tessera run` would boot (the same options, the config's modules as one boot bundle) and
 * writes a LAVA job for it; run hands job files to lava_run.py, which needs Debian's Python modules
 * (Jinja2 for the device dictionary, LAVA's dispatcher); the scripts call store for each job's results;
 * regress is lab/regress/.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../cli/commands.h"
#include "../../cli/run.h"
#include "../../cli/run_config.h"
#include "../../cli/run_options.h"
#include <tessera/abi/batch.h>

#include "../qemu_cmdline.h"
#include "../runner.h"
#include "bundle_write.h"
#include "job_render.h"
#include "../regress/cmd_regress.h"
#include "lava_campaign.h"
#include "lava_plan.h"
#include "lava_store.h"

#define HV_REL "/x86_64_hv/tessera-hv.elf"
/* Debian's interpreter, not a pyenv shim on PATH that lacks Debian's modules */
#define PYTHON "/usr/bin/python3"

static const char lab_usage[] =
	"usage: tessera lab lava render [--config FILE] -o DIR [--base-url URL] [--name NAME]\n"
	"                               [tessera run options] [-- QEMU-ARGS]\n"
	"       tessera lab lava render --plan PLAN.yaml -o DIR [--base-url URL]\n"
	"       tessera lab lava render --campaign CAMPAIGN.yaml -o DIR [--base-url URL] [--batch "
	"[--batch-size N]]\n"
	"       tessera lab lava run [-o DIR] [--db DB] JOB.yaml...\n"
	"       tessera lab lava up [--devices N] [--port PORT] [--owner PID]\n"
	"       tessera lab lava down\n"
	"       tessera lab lava submit [--url URL --token TOKEN [--user USER]] [-o DIR] [--db DB]\n"
	"                               [--timeout S] JOB.yaml...\n"
	"\n"
	"render  write DIR/NAME.yaml, a LAVA job (device type qemu) that boots the system as `tessera run`\n"
	"        with the same options would, with DIR/tessera-hv.elf and DIR/NAME.bundle (the config's\n"
	"        boot modules as one boot bundle) as its images. NAME defaults to the config's file name;\n"
	"        the image URLs are file:// paths unless --base-url URL (http(s), where DIR is served).\n"
	"        --plan: one job per planned boot, PLAN.CONFIGURATION.WORKLOAD.INDEX.yaml, as `tessera\n"
	"        bench run` boots it (its metadata names the boot), and DIR/jobs.tsv listing them.\n"
	"        --campaign: CAMPAIGN.golden.yaml and CAMPAIGN.eNNNN.yaml, one per experiment, its fault\n"
	"        plan in the bundle, as `tessera fi campaign run` boots it. --batch: the experiments\n"
	"        that share a boot in batch jobs CAMPAIGN.bNNNN.yaml of at most N (16) instead, which\n"
	"        the hypervisor runs alone (as fi campaign run --batch); DIR/jobs.tsv maps each.\n"
	"run     run each job with LAVA's own dispatcher (lava-run, as root), print its test cases and\n"
	"        store the log and the per-case results under DIR (default: out/lava-runs) and in the\n"
	"        results database DB (default: out/results.db; tables jobs and cases, docs/bench.md).\n"
	"up      a local LAVA instance (PostgreSQL, lava-server on 127.0.0.1:PORT (8090), lava-worker,\n"
	"        N qemu devices (2)), started without systemd; state in out/lava-instance. down stops it "
	"all.\n"
	"        --owner PID: down by itself when process PID ends, however it ends (the tests use it).\n"
	"submit  submit jobs with lavacli to an instance (default: the local one), wait, judge as run does;\n"
	"        each job's state as it changes on stderr; --timeout S: give up on (cancel, record) a job\n"
	"        not finished S s after submission (default 600 + the jobs' own timeouts, 0: never).\n"
	"\n"
	"       tessera lab regress [--baseline DB|REV] [-o DB] [--steps LIST] [--append ARGS] [--margin "
	"PCT]\n"
	"                           [--on local|lava:URL] (--help)\n"
	"\n"
	"Exit status: 0 all cases passed, 1 a case failed or a job was incomplete, 2 bad input.\n";

/* A formatted string on the heap (the command is one short process: what it makes lives to its end). */
static __attribute__((format(printf, 1, 2))) char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0) {
		fputs("tessera lab: out of memory\n", stderr);
		exit(1);
	}
	va_end(ap);
	return s;
}

/* The build directory: where this executable lives (out/). */
static int exe_dir(char *dir, size_t size)
{
	char hv[PATH_MAX];

	if (run_find_hv_image(hv, sizeof(hv)) || strlen(hv) < sizeof(HV_REL))
		return -1;
	hv[strlen(hv) - strlen(HV_REL)] = '\0';
	return (size_t)snprintf(dir, size, "%s", hv) < size ? 0 : -1;
}

static bool name_ok(const char *s)
{
	if (!*s || strlen(s) > 40)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *s))
			return false;
	return true;
}

/* The job's name from the config's file name: "configs/pingpong.yaml" -> "pingpong". */
static char *default_name(const char *config)
{
	const char *base = strrchr(config, '/') ? strrchr(config, '/') + 1 : config;
	char *name = fmt("%s", base);
	char *dot = strrchr(name, '.');
	if (dot && dot != name)
		*dot = '\0';
	return name;
}

struct render_args {
	const char *dir, *base_url, *name, *plan, *campaign, *batch_size;
	bool batch;
	char *run_argv[64];
	int run_argc;
};

static int parse_render(int argc, char **argv, struct render_args *a)
{
	memset(a, 0, sizeof(*a));
	a->run_argv[a->run_argc++] = "run";
	for (int i = 1; i < argc; i++) {
		const char **slot = !strcmp(argv[i], "-o")	       ? &a->dir
				    : !strcmp(argv[i], "--base-url")   ? &a->base_url
				    : !strcmp(argv[i], "--name")       ? &a->name
				    : !strcmp(argv[i], "--plan")       ? &a->plan
				    : !strcmp(argv[i], "--campaign")   ? &a->campaign
				    : !strcmp(argv[i], "--batch-size") ? &a->batch_size
								       : NULL;
		if (!strcmp(argv[i], "--batch")) {
			a->batch = true;
			continue;
		}
		if (slot && i + 1 < argc) {
			*slot = argv[++i];
			continue;
		}
		if (slot || a->run_argc + 1 >= (int)(sizeof(a->run_argv) / sizeof(a->run_argv[0]))) {
			fprintf(stderr, "tessera lab lava render: %s: expected a value\n", argv[i]);
			return 2;
		}
		a->run_argv[a->run_argc++] = argv[i];
	}
	a->run_argv[a->run_argc] = NULL;
	if (!a->dir) {
		fprintf(stderr, "tessera lab lava render: -o DIR is required\n%s", lab_usage);
		return 2;
	}
	if (a->base_url && !lava_base_url_ok(a->base_url)) {
		fprintf(stderr,
			"tessera lab lava render: --base-url: expected http://, https:// or file://, got "
			"'%s'\n",
			a->base_url);
		return 2;
	}
	return 0;
}

static int render(int argc, char **argv)
{
	struct render_args a;
	struct run_options o;
	char err[PATH_MAX + 256], out[PATH_MAX], hv_src[PATH_MAX], dir[PATH_MAX];
	int ret = parse_render(argc, argv, &a);

	if (ret)
		return ret;
	if ((a.batch || a.batch_size) && !a.campaign) {
		fprintf(stderr, "tessera lab lava render: --batch and --batch-size go with --campaign\n");
		return 2;
	}
	size_t batch_size = a.batch ? LAVA_BATCH_SIZE : 0;
	if (a.batch_size) {
		char *end;
		long v = strtol(a.batch_size, &end, 10);
		if (!a.batch || *end || end == a.batch_size || v < 1 || v > TESSERA_BATCH_MAX) {
			fprintf(stderr,
				"tessera lab lava render: --batch-size: expected 1..%d with --batch, got "
				"'%s'\n",
				TESSERA_BATCH_MAX, a.batch_size);
			return 2;
		}
		batch_size = (size_t)v;
	}
	if (a.plan || a.campaign) {
		if (a.run_argc > 1 || a.name || (a.plan && a.campaign)) {
			fprintf(stderr, "tessera lab lava render: --plan or --campaign takes only -o and "
					"--base-url (the file says how each boot runs)\n");
			return 2;
		}
		return a.plan ? lava_plan_render_main(a.plan, a.dir, a.base_url)
			      : lava_campaign_render_main(a.campaign, a.dir, a.base_url, batch_size);
	}
	if (run_options_parse(a.run_argc, a.run_argv, &o, err, sizeof(err))) {
		fprintf(stderr, "tessera lab lava render: %s\n", err);
		return 2;
	}
	if (o.no_config) {
		fprintf(stderr,
			"tessera lab lava render: --no-config: a LAVA job boots a system, give --config\n");
		return 2;
	}
	if (o.record || o.bundle) {
		fprintf(stderr, "tessera lab lava render: %s: %s\n", o.record ? "--record" : "--bundle",
			o.record ? "a LAVA job's record is its log (lab lava run/submit keep it)"
				 : "a LAVA job always boots one bundle");
		return 2;
	}
	if (exe_dir(out, sizeof(out)) || run_find_hv_image(hv_src, sizeof(hv_src)) || access(hv_src, R_OK)) {
		fprintf(stderr, "tessera lab lava render: the hypervisor image is missing (build it: ninja "
				"-C out)\n");
		return 1;
	}
	if (!o.config)
		o.config = fmt("%s/../configs/default.yaml", out);
	const char *name = a.name ? a.name : default_name(o.config);
	if (!name_ok(name)) {
		fprintf(stderr,
			"tessera lab lava render: job name '%s': expected 1..40 of [A-Za-z0-9_.-] (--name)\n",
			name);
		return 2;
	}
	if (mkdir(a.dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "tessera lab lava render: %s: %s\n", a.dir, strerror(errno));
		return 1;
	}
	if (!realpath(a.dir, dir)) {
		fprintf(stderr, "tessera lab lava render: %s: %s\n", a.dir, strerror(errno));
		return 1;
	}
	/*
	 * The machine `tessera run` would boot, through the lab runner as plans' and campaigns' jobs are:
	 * the config, a fault plan, a batch and a host channel as it adds them, the modules as one bundle.
	 */
	struct lab_system s;
	run_options_to_system(&o, &s);
	if (o.channel) /* its file is the runner's to create; the job gets anonymous shared memory */
		s.channel = fmt("%s/%s.channel", dir, name);
	char base[PATH_MAX + 256], job[PATH_MAX + 256];
	lava_base_url(dir, a.base_url, base, sizeof(base));
	ret = lava_render_system(&s, dir, base, name, NULL, job, sizeof(job));
	if (!ret)
		printf("%s\n", job);
	return ret;
}

/* run: lava_run.py; up, down, submit: lava_instance.py. Both need Debian's Python modules. */
static int run(int argc, char **argv, const char *what)
{
	char out[PATH_MAX];
	char *args[256];
	int n = 0;

	if (exe_dir(out, sizeof(out))) {
		fprintf(stderr, "tessera lab lava run: cannot find my own executable\n");
		return 1;
	}
	bool instance = strcmp(what, "run");
	char *script = fmt("%s/../lab/lava/%s", out, instance ? "lava_instance.py" : "lava_run.py"),
	     *cache = fmt("%s/lava-server", out), *runs = fmt("%s/lava-runs", out),
	     *state = fmt("%s/lava-instance", out), *tessera = fmt("%s/tessera", out),
	     *db = fmt("%s/results.db", out);
	if (argc + 12 > (int)(sizeof(args) / sizeof(args[0]))) {
		fprintf(stderr, "tessera lab lava run: too many arguments\n");
		return 2;
	}
	args[n++] = PYTHON;
	args[n++] = script;
	args[n++] = instance ? "--state" : "--templates-cache";
	args[n++] = instance ? state : cache;
	args[n++] = "--default-output";
	args[n++] = runs;
	/* The scripts store each job's results through `tessera lab lava store`: one writer of the schema. */
	args[n++] = "--tessera";
	args[n++] = tessera;
	args[n++] = "--default-db";
	args[n++] = db;
	if (instance)
		args[n++] = argv[0];
	for (int i = 1; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	fflush(stdout);
	execv(PYTHON, args);
	fprintf(stderr, "tessera lab lava run: cannot start %s: %s\n", PYTHON, strerror(errno));
	return 1;
}

int cmd_lab(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "regress")) {
		char out[PATH_MAX];
		if (exe_dir(out, sizeof(out))) {
			fprintf(stderr, "tessera lab regress: cannot find my own executable\n");
			return 1;
		}
		return cmd_regress(argc - 1, argv + 1, out);
	}
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(lab_usage, stdout);
			return 0;
		}
	if (argc < 3 || strcmp(argv[1], "lava")) {
		fputs(lab_usage, stderr);
		return 2;
	}
	if (!strcmp(argv[2], "render"))
		return render(argc - 2, argv + 2);
	if (!strcmp(argv[2], "store"))
		return lava_store_main(argc - 2, argv + 2);
	if (!strcmp(argv[2], "run") || !strcmp(argv[2], "up") || !strcmp(argv[2], "down") ||
	    !strcmp(argv[2], "submit"))
		return run(argc - 2, argv + 2, argv[2]);
	fputs(lab_usage, stderr);
	return 2;
}
