/*
 * One LAVA job per planned boot (lava_plan.h). The boot is prepared by the lab runner exactly as
 * bench/run_boot.c prepares it (the system config with the plan's iters=, the hypervisor options, the
 * tracing channel, the mode's -icount), with its modules bundled; a before hook takes the machine at the
 * moment QEMU would start, writes the job from its command line and stops the boot there.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../bench/run_boot.h"
#include "../host_files.h"
#include "../qemu_cmdline.h"
#include "../runner.h"
#include "job_render.h"
#include "lava_plan.h"

#define PROG	      "tessera lab lava render"
#define ALL_EVENTS    "trace_events=0xffffffffffffffff" /* as bench/run_boot.c turns tracing all on */
#define RENDERED      3					/* the before hook's "job written, do not boot" */
#define FILE_MAX_PATH (PATH_MAX + 256)

int lava_copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
	char buf[65536];
	size_t n;
	int ret = 0;

	if (!in || !out) {
		fprintf(stderr, "%s: cannot copy %s to %s: %s\n", PROG, from, to, strerror(errno));
		ret = 1;
	}
	while (!ret && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			ret = 1;
	if (in)
		fclose(in);
	if (out && fclose(out))
		ret = 1;
	return ret;
}

void lava_base_url(const char *dir, const char *base_url, char *base, size_t size)
{
	if (base_url)
		snprintf(base, size, "%s", base_url);
	else
		snprintf(base, size, "file://%s", dir);
	while (strlen(base) > 8 && base[strlen(base) - 1] == '/')
		base[strlen(base) - 1] = '\0';
}

struct capture {
	const char *dir, *base, *name;
	const char *const *metadata;
	char *job;
	size_t job_size;
	int ret;
};

/* The runner's machine, ready to boot: its bundle and hypervisor into dir, its command line into the job. */
static int capture_machine(struct machine *m, const char *workdir, void *ctx)
{
	struct capture *c = ctx;
	char bundle[FILE_MAX_PATH], hv[FILE_MAX_PATH], kernel[FILE_MAX_PATH], initrd[FILE_MAX_PATH],
		err[512] = "";

	(void)workdir;
	c->ret = 1;
	if (m->nr_modules != 1) {
		fprintf(stderr, "%s: %s: expected the modules as one bundle, got %u modules\n", PROG, c->name,
			m->nr_modules);
		return RENDERED;
	}
	snprintf(bundle, sizeof(bundle), "%s/%s.bundle", c->dir, c->name);
	snprintf(hv, sizeof(hv), "%s/tessera-hv.elf", c->dir);
	if (lava_copy_file(m->modules[0], bundle) || lava_copy_file(m->hv_image, hv))
		return RENDERED;
	snprintf(kernel, sizeof(kernel), "%s/tessera-hv.elf", c->base);
	snprintf(initrd, sizeof(initrd), "%s/%s.bundle", c->base, c->name);
	/* A LAVA worker reads the console from QEMU's stdout and has no monitor socket of ours: the
	 * runner's console file and QMP socket live in a scratch directory of this host. */
	m->console_path = NULL;
	m->qmp_path = NULL;
	char **argv = qemu_cmdline_build(m);
	snprintf(c->job, c->job_size, "%s/%s.yaml", c->dir, c->name);
	FILE *f = argv ? fopen(c->job, "w") : NULL;
	struct lava_job j = {c->name, argv, kernel, initrd, m->timeout_s, c->metadata};
	c->ret = f ? lava_job_write(f, &j, err, sizeof(err)) : 1;
	if (f && fclose(f) && !c->ret)
		c->ret = 1;
	if (c->ret)
		fprintf(stderr, "%s: %s: %s\n", PROG, c->job, err[0] ? err : strerror(errno));
	qemu_cmdline_free(argv);
	return RENDERED;
}

int lava_plan_render_boot(const struct plan *p, const struct plan_boot *b, unsigned int pos, const char *dir,
			  const char *base_url, char *job, size_t size)
{
	const struct plan_config *c = &p->configs[b->config];
	const char *w = p->workloads[b->workload];
	char scratch[PATH_MAX], system[PATH_MAX + 16], channel[PATH_MAX + 16], hv[1024], name[160],
		base[FILE_MAX_PATH], guests[PATH_MAX], idx[16], bidx[16], order[16], seed[32];

	snprintf(name, sizeof(name), "%s.%s.%s.%u", p->name, c->name, w, b->index);
	lava_base_url(dir, base_url, base, sizeof(base));
	if (lab_make_scratch_dir(scratch, sizeof(scratch), "tessera-lava-render")) {
		fprintf(stderr, "%s: cannot make a scratch directory: %s\n", PROG, strerror(errno));
		return 1;
	}
	if (run_boot_write_system(p, c->system[b->workload], scratch, system, sizeof(system), PROG)) {
		lab_remove_tree(scratch);
		return 1;
	}
	snprintf(channel, sizeof(channel), "%s/channel", scratch);
	snprintf(hv, sizeof(hv), "%s%s%s", c->hv_cmdline,
		 c->tracing == PLAN_TRACING_ALL_ON && c->hv_cmdline[0] ? " " : "",
		 c->tracing == PLAN_TRACING_ALL_ON ? ALL_EVENTS : "");
	snprintf(idx, sizeof(idx), "%u", b->index);
	snprintf(bidx, sizeof(bidx), "%u", b->boot_index);
	snprintf(order, sizeof(order), "%u", pos);
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)p->seed);
	const char *const meta[] = {"tessera_kind",
				    "bench-boot",
				    "tessera_plan",
				    p->path,
				    "tessera_plan_sha256",
				    p->sha256,
				    "tessera_configuration",
				    c->name,
				    "tessera_workload",
				    w,
				    "tessera_index",
				    idx,
				    "tessera_boot_index",
				    bidx,
				    "tessera_run_order",
				    order,
				    "tessera_mode",
				    plan_mode_name(p->mode),
				    "tessera_seed",
				    seed,
				    NULL};
	struct lab_system s = {
		.config = system,
		.hv_cmdline = hv[0] ? hv : NULL,
		.channel = c->tracing == PLAN_TRACING_OFF ? NULL : channel,
		.mode = p->mode == PLAN_MODE_DETERMINISTIC ? LAB_MODE_DETERMINISTIC : LAB_MODE_WALLCLOCK,
		.seed = p->seed,
		.qemu_args = (char **)c->qemu_args,
		.nr_qemu_args = c->nr_qemu_args,
	};
	const char *old = getenv("TESSERA_GUEST_PATH");
	char *saved = old ? strdup(old) : NULL, *val = NULL;
	snprintf(guests, sizeof(guests), "%s", c->system[b->workload]);
	if (asprintf(&val, "%s%s%s", dirname(guests), old ? ":" : "", old ? old : "") < 0)
		val = NULL;
	if (val)
		setenv("TESSERA_GUEST_PATH", val, 1);
	int ret = lava_render_system(&s, dir, base, name, meta, job, size);
	if (saved)
		setenv("TESSERA_GUEST_PATH", saved, 1);
	else
		unsetenv("TESSERA_GUEST_PATH");
	free(saved);
	free(val);
	lab_remove_tree(scratch);
	return ret;
}

int lava_render_system(struct lab_system *s, const char *dir, const char *base, const char *name,
		       const char *const *metadata, char *job, size_t size)
{
	struct capture cap = {dir, base, name, metadata, job, size, 1};
	struct lab_hooks h = {.before = capture_machine, .ctx = &cap, .quiet = true, .prog = PROG};
	struct lab_run run;

	s->bundle = true;
	int st = lab_run(s, &h, &run);
	lab_run_release(&run);
	if (st != RENDERED)
		return st == 2 ? 2 : 1; /* the runner said why */
	return cap.ret;
}

int lava_plan_render_main(const char *plan_path, const char *dir, const char *base_url)
{
	struct plan *p = calloc(1, sizeof(*p));
	struct config_diag diag;
	char real[PATH_MAX], job[FILE_MAX_PATH], tsv[FILE_MAX_PATH];
	unsigned int n = 0;
	int ret = 0;

	if (!p)
		return 1;
	if (plan_load(plan_path, p, &diag)) {
		config_diag_print(plan_path, &diag);
		free(p);
		return 2;
	}
	struct plan_boot *order = plan_order(p, &n);
	if ((mkdir(dir, 0755) && errno != EEXIST) || !realpath(dir, real)) {
		fprintf(stderr, "%s: %s: %s\n", PROG, dir, strerror(errno));
		ret = 1;
	}
	snprintf(tsv, sizeof(tsv), "%s/jobs.tsv", real);
	FILE *f = !ret && order ? fopen(tsv, "w") : NULL;
	if (!ret && !f) {
		fprintf(stderr, "%s: %s: %s\n", PROG, tsv, strerror(errno));
		ret = 1;
	}
	if (f)
		fprintf(f, "job\trun_order\tconfiguration\tworkload\tindex\tboot_index\n");
	for (unsigned int i = 0; f && i < n && !ret; i++) {
		const struct plan_boot *b = &order[i];
		ret = lava_plan_render_boot(p, b, i, real, base_url, job, sizeof(job));
		if (!ret) {
			fprintf(f, "%s\t%u\t%s\t%s\t%u\t%u\n", job, i, p->configs[b->config].name,
				p->workloads[b->workload], b->index, b->boot_index);
			printf("%s\n", job);
		}
	}
	if (f && fclose(f) && !ret)
		ret = 1;
	free(order);
	plan_free(p);
	free(p);
	return ret;
}
