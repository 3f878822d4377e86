/*
 * The lab's runner (runner.h): the steps `tessera run` always took, in its order, with every piece of
 * state in this call's frame so that any number of boots can follow one another in one process:
 * find the hypervisor and the config, make a scratch directory, compile the config into it, add the
 * fault plan, create the host channel, bundle the modules, let the caller change the machine, hash what
 * boots, run QEMU, clean up. The run record is filled in along the way.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli/run_config.h"
#include "../faultinj/plan/prepare_boot.h"
#include "../trace/probes.h"
#include "channel.h"
#include "host_files.h"
#include "lava/bundle_write.h"
#include "qemu_cmdline.h"
#include "qemu_run.h"
#include "run_record.h"
#include "runner.h"

/* The build directory sits in the source tree (./tessera builds into out/), so the shipped configs are here: */
#define DEFAULT_CONFIG_REL	"../configs/default.yaml"
#define TIMEOUT_DEFAULT_S	120
#define TIMEOUT_DETERMINISTIC_S 600 /* icount runs every instruction in turn: slower than plain TCG */

/* One boot's state: everything lives as long as the lab_run() call. */
struct boot {
	const struct lab_system *s;
	const struct lab_hooks *h;
	const char *prog;
	struct lab_run *r;
	struct machine m;
	char hv[PATH_MAX], config[PATH_MAX], workdir[PATH_MAX];
	char console[PATH_MAX + 16], qmp[PATH_MAX + 16];
	char cmdline[4096]; /* the hypervisor command line when the runner adds to it */
	char **extra;	    /* QEMU arguments: the mode's, then the caller's */
	bool channel_made;
};

static void set_summary(struct boot *b, const char *why)
{
	snprintf(b->r->summary, sizeof(b->r->summary), "%s", why);
}

static int find_hv_image(struct boot *b)
{
	if (b->s->hv_image) {
		snprintf(b->hv, sizeof(b->hv), "%s", b->s->hv_image);
	} else if (lab_path_beside_exe(b->hv, sizeof(b->hv), LAB_HV_IMAGE_REL)) {
		fprintf(stderr, "%s: cannot find my own executable in /proc/self/exe\n", b->prog);
		return 1;
	}
	if (access(b->hv, R_OK)) {
		fprintf(stderr, "%s: hypervisor image %s is missing (build it: ninja -C out)\n", b->prog,
			b->hv);
		return 1;
	}
	b->m.hv_image = b->hv;
	return 0;
}

/* The config to boot, named by its real path (as a user would name it, not out/../configs). */
static int find_config(struct boot *b)
{
	char path[PATH_MAX];

	if (b->s->no_config)
		return 0;
	if (b->s->config) {
		snprintf(path, sizeof(path), "%s", b->s->config);
	} else if (lab_path_beside_exe(path, sizeof(path), DEFAULT_CONFIG_REL) || access(path, R_OK)) {
		fprintf(stderr, "%s: no --config given and the default config %s is missing\n", b->prog,
			path);
		return 2;
	}
	char *real = realpath(path, NULL);
	/* A config given by the caller keeps its name in messages; only the default is resolved. */
	snprintf(b->config, sizeof(b->config), "%s", !b->s->config && real ? real : path);
	b->r->record.config = real ? real : strdup(path);
	return 0;
}

static int set_up_machine(struct boot *b)
{
	const struct lab_system *s = b->s;
	struct machine *m = &b->m;
	int n = 0;

	machine_init_defaults(m);
	if (s->qemu)
		m->qemu = s->qemu;
	if (s->cpu)
		m->cpu = s->cpu;
	if (s->smp) {
		m->smp = s->smp;
		m->smp_set = true;
	}
	if (s->mem) {
		m->mem = s->mem;
		m->mem_set = true;
	}
	if (s->timeout_s == LAB_TIMEOUT_NONE)
		m->timeout_s = 0;
	else if (s->timeout_s)
		m->timeout_s = s->timeout_s;
	else
		m->timeout_s =
			s->mode == LAB_MODE_DETERMINISTIC ? TIMEOUT_DETERMINISTIC_S : TIMEOUT_DEFAULT_S;
	m->cmdline = s->hv_cmdline && s->hv_cmdline[0] ? s->hv_cmdline : NULL;
	m->verbose = s->verbose;
	if (b->h) {
		m->on_line = b->h->on_line;
		m->on_line_ctx = b->h->ctx;
		m->quiet = b->h->quiet;
	}
	b->extra = calloc((size_t)(s->nr_qemu_args > 0 ? s->nr_qemu_args : 0) + 3, sizeof(*b->extra));
	if (!b->extra) {
		fprintf(stderr, "%s: out of memory\n", b->prog);
		return 1;
	}
	/* qemu_cmdline_build() copies every argument: the casts only fit the machine's type. */
	if (s->mode == LAB_MODE_DETERMINISTIC) {
		static const char *const icount[] = {LAB_ICOUNT_OPTION, LAB_ICOUNT_VALUE};
		b->extra[n++] = (char *)icount[0];
		b->extra[n++] = (char *)icount[1];
	}
	for (int i = 0; i < s->nr_qemu_args; i++)
		b->extra[n++] = s->qemu_args[i];
	m->extra_args = b->extra;
	m->nr_extra = n;
	return 0;
}

/*
 * The host channel at a path other tools know. Tracing stays off unless the command line asks for
 * events (a channel turns every event on by default, for trace record).
 */
static int make_channel(struct boot *b)
{
	char err[PATH_MAX + 64];
	const char *c = b->m.cmdline;

	if (lab_channel_create(b->s->channel, LAB_CHANNEL_MB, err, sizeof(err))) {
		fprintf(stderr, "%s: --channel %s\n", b->prog, err);
		return 1;
	}
	b->channel_made = true;
	b->m.shm_path = b->s->channel;
	b->m.shm_mb = LAB_CHANNEL_MB;
	if (!c || !strstr(c, "trace_events=")) {
		if ((size_t)snprintf(b->cmdline, sizeof(b->cmdline), "%s%strace_events=0", c ? c : "",
				     c ? " " : "") >= sizeof(b->cmdline)) {
			fprintf(stderr, "%s: the hypervisor command line is too long\n", b->prog);
			return 2;
		}
		b->m.cmdline = b->cmdline;
	}
	return 0;
}

/* The config's modules, in their order, as one boot bundle in the scratch directory. */
static int bundle_modules(struct boot *b)
{
	char path[PATH_MAX + 16], err[PATH_MAX + 128];

	snprintf(path, sizeof(path), "%s/system.bundle", b->workdir);
	int ret = bundle_machine_modules(&b->m, path, err, sizeof(err));
	if (ret)
		fprintf(stderr, "%s: --bundle: %s\n", b->prog, err);
	return ret;
}

/* Everything before QEMU starts; 0 or the exit status of a boot that cannot happen. */
static int prepare(struct boot *b)
{
	const struct lab_system *s = b->s;
	int ret;

	if ((ret = set_up_machine(b)) || (ret = find_hv_image(b)) || (ret = find_config(b)))
		return ret;
	if (lab_make_scratch_dir(b->workdir, sizeof(b->workdir), "tessera-run")) {
		fprintf(stderr, "%s: cannot create a scratch directory: %s\n", b->prog, strerror(errno));
		b->workdir[0] = '\0';
		return 1;
	}
	if (b->config[0]) {
		if ((ret = config_prepare_boot(b->config, b->workdir, &b->m)))
			return ret;
		/* config_prepare_boot adds the blob first */
		if (run_record_hash_file(b->m.modules[0], b->r->record.config_sha256)) {
			fprintf(stderr, "%s: %s: %s\n", b->prog, b->m.modules[0], strerror(errno));
			return 1;
		}
	}
	if (s->faults) {
		if (!b->config[0]) {
			fprintf(stderr, "%s: a fault plan needs a config: no_config boots no cells\n",
				b->prog);
			return 2;
		}
		char *real = realpath(s->faults, NULL);
		b->r->record.faults = real ? real : strdup(s->faults);
		if ((ret = fault_plan_prepare_boot(s->faults, b->workdir, &b->m)))
			return ret;
	}
	if (s->batch && machine_add_module(&b->m, s->batch)) {
		fprintf(stderr, "%s: %s: too many boot modules\n", b->prog, s->batch);
		return 2;
	}
	if (s->channel && (ret = make_channel(b)))
		return ret;
	if (s->bundle && (ret = bundle_modules(b)))
		return ret;
	/* Before the caller's hook, which may still change them (docs/lab-runner.md, "The console"). */
	snprintf(b->console, sizeof(b->console), "%s/console", b->workdir);
	b->m.console_path = b->console;
	if (b->h && b->h->on_started) {
		snprintf(b->qmp, sizeof(b->qmp), "%s/qmp.sock", b->workdir);
		b->m.qmp_path = b->qmp;
		b->m.on_qmp = b->h->on_started;
		b->m.on_qmp_ctx = b->h->ctx;
	}
	if (b->h && b->h->before && (ret = b->h->before(&b->m, b->workdir, b->h->ctx)))
		return ret;
	if (run_record_hash_boot(&b->r->record, &b->m)) {
		fprintf(stderr, "%s: cannot hash the boot images: %s\n", b->prog, strerror(errno));
		return 1;
	}
	return 0;
}

static int boot_qemu(struct boot *b)
{
	struct qemu_run_result qr;
	char **argv = qemu_cmdline_build(&b->m);

	if (!argv) {
		fprintf(stderr, "%s: out of memory, or a QEMU argument that cannot be built\n", b->prog);
		set_summary(b, "no QEMU command line");
		return 1;
	}
	run_record_set_qemu(&b->r->record, b->m.qemu, argv, b->m.cmdline);
	if (b->s->verbose && b->r->record.qemu_cmdline)
		fprintf(stderr, "%s: %s\n", b->prog, b->r->record.qemu_cmdline);
	fflush(stdout);
	fflush(stderr);
	probe_run_start(b->config[0] ? b->config : NULL, b->m.hv_image);
	int ret = qemu_run(argv, &b->m, &qr);
	int status = ret ? 1 : qr.exit_status;
	probe_run_stop(status, qr.wait_status);
	qemu_cmdline_free(argv);
	snprintf(b->r->summary, sizeof(b->r->summary), "%s", qr.summary);
	if (b->h && b->h->after)
		b->h->after(status, b->h->ctx);
	return status;
}

int lab_run(const struct lab_system *s, const struct lab_hooks *h, struct lab_run *r)
{
	struct boot *b = calloc(1, sizeof(*b)); /* a few pages of paths: not on the caller's stack */
	struct sigaction ignore = {.sa_handler = SIG_IGN}, old_pipe;

	memset(r, 0, sizeof(*r));
	run_record_begin(&r->record, s);
	if (!b) {
		fprintf(stderr, "%s: out of memory\n", h && h->prog ? h->prog : "tessera");
		snprintf(r->summary, sizeof(r->summary), "out of memory, nothing booted");
		r->exit_status = 1;
		run_record_end(&r->record, r->exit_status);
		return r->exit_status;
	}
	b->s = s;
	b->h = h;
	b->prog = h && h->prog ? h->prog : "tessera";
	b->r = r;
	/* A closed stdout must not kill us before QEMU is stopped; writes then simply fail. */
	sigemptyset(&ignore.sa_mask);
	sigaction(SIGPIPE, &ignore, &old_pipe);

	int ret = prepare(b);
	/* Known once the config is found (prepare may stop later, the command is still the boot's). */
	run_record_set_repeat(&r->record, s, r->record.config, b->m.timeout_s);
	if (ret) {
		if (!r->summary[0])
			set_summary(b, ret == 2 ? "bad config, plan or options: nothing booted"
						: "the boot could not be prepared: nothing booted");
	} else {
		ret = boot_qemu(b);
	}
	if (b->workdir[0] && lab_remove_tree(b->workdir))
		fprintf(stderr, "%s: could not remove all of %s\n", b->prog, b->workdir);
	if (b->channel_made)
		unlink(s->channel);
	sigaction(SIGPIPE, &old_pipe, NULL);
	free(b->extra);
	free(b);
	r->exit_status = ret;
	run_record_end(&r->record, ret);
	return ret;
}

void lab_run_release(struct lab_run *r)
{
	free(r->record.qemu_cmdline);
	free(r->record.hv_cmdline);
	free(r->record.config);
	free(r->record.faults);
	free(r->record.images);
	free(r->record.repeat);
	r->record.repeat = NULL;
	r->record.qemu_cmdline = r->record.hv_cmdline = r->record.config = r->record.faults = NULL;
	r->record.images = NULL;
}
