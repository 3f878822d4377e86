/* `tessera run`: boot the hypervisor in one QEMU machine through the lab's runner and report how it ended. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/cmdline_options.h>

#include "../lab/host_files.h"
#include "../lab/runner.h"
#include "commands.h"
#include "run.h"
#include "run_options.h"

/* The last boot's run record without --record, beside the executable (the build directory). */
#define RUN_DEFAULT_RECORD "last-run-record.json"

static char *last_cmdline;

const char *run_qemu_cmdline(void)
{
	return last_cmdline;
}

int run_find_hv_image(char *path, size_t size)
{
	return lab_path_beside_exe(path, size, LAB_HV_IMAGE_REL);
}

void run_options_to_system(const struct run_options *o, struct lab_system *s)
{
	const struct machine *m = &o->machine;

	*s = (struct lab_system){
		.config = o->config,
		.no_config = o->no_config,
		.hv_cmdline = m->cmdline,
		.faults = o->faults,
		.batch = o->batch,
		.channel = o->channel,
		.mode = LAB_MODE_WALLCLOCK,
		.smp = m->smp_set ? m->smp : 0,
		.mem = m->mem_set ? m->mem : NULL,
		.timeout_s = m->timeout_s ? m->timeout_s : LAB_TIMEOUT_NONE,
		.qemu_args = m->extra_args,
		.nr_qemu_args = m->nr_extra,
		.cpu = m->cpu,
		.bundle = o->bundle,
		.verbose = m->verbose,
	};
}

int run_system(int argc, char **argv, const char *prog, const struct run_hooks *h)
{
	struct run_options o;
	struct lab_system s;
	struct lab_hooks lh = {.prog = prog};
	struct lab_run r;
	char err[256];

	if (run_options_parse(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 2;
	}
	if (o.help) {
		fputs(run_usage, stdout);
		return 0;
	}
	/*
	 * A warning, not a refusal: `run` is also how the hypervisor's own checks of its options are
	 * shown (tests boot bad values on purpose); bench plans refuse them before booting.
	 */
	struct cmdline_problem bad;
	if (o.machine.cmdline && !cmdline_check(o.machine.cmdline, &bad))
		fprintf(stderr,
			"%s: warning: --append: '%.*s': %s (the hypervisor will refuse or ignore it)\n", prog,
			(int)bad.len, o.machine.cmdline + bad.offset, bad.why);
	run_options_to_system(&o, &s);
	if (h) {
		lh.before = h->before;
		lh.after = h->after;
		lh.ctx = h->ctx;
	}
	int ret = lab_run(&s, &lh, &r);
	if (r.record.qemu_cmdline) {
		free(last_cmdline);
		last_cmdline = strdup(r.record.qemu_cmdline);
	}
	/* Only a boot that happened has a summary worth a line; preparation errors have said why. */
	if (r.record.qemu_cmdline && (ret || o.machine.verbose))
		fprintf(stderr, "%s: %s\n", prog, r.summary);
	/*
	 * Every boot leaves its run record: --record FILE, else the last boot's in out/ beside this
	 * executable (written atomically: parallel runs leave one whole record, the last). A default
	 * record that cannot be written is a warning, not a failed run.
	 */
	char rec_path[4096];
	if (o.record) {
		if (lab_run_record_write(&r.record, o.record)) {
			fprintf(stderr, "%s: --record %s: %s\n", prog, o.record, strerror(errno));
			ret = ret ? ret : 1;
		}
	} else if (r.record.qemu_cmdline) {
		if (lab_path_beside_exe(rec_path, sizeof(rec_path), RUN_DEFAULT_RECORD) ||
		    lab_run_record_write(&r.record, rec_path))
			fprintf(stderr, "%s: warning: cannot write the run record %s: %s\n", prog,
				RUN_DEFAULT_RECORD, strerror(errno));
		else if (ret || o.machine.verbose)
			fprintf(stderr, "%s: run record: %s\n", prog, rec_path);
	}
	lab_run_release(&r);
	return ret;
}

int cmd_run(int argc, char **argv)
{
	return run_system(argc, argv, "tessera run", NULL);
}
