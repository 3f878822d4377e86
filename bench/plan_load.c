/*
 * Reading a benchmark plan (plan.h): the YAML through plan_schema.c, then every value checked here and
 * every system config it names compiled, so that a mistake anywhere is reported at its place before the
 * first boot, not an hour into a run.
 */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tessera/cmdline_options.h>

#include "../cli/config/marks.h"
#include "../lab/host_files.h"
#include "../lab/run_record.h"
#include "plan.h"
#include "plan_schema.h"

#define BENCH_MAX_SAMPLES 4096 /* guests/benchlib: the samples a workload keeps per metric */

struct load_ctx {
	struct yaml_marks marks;
	struct config_diag *diag;
	char dir[PATH_MAX]; /* the plan's directory: relative system paths start there */
};

static int plan_fail(struct load_ctx *ctx, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int plan_fail(struct load_ctx *ctx, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_diag_vset(ctx->diag, &ctx->marks, path, fmt, ap);
	va_end(ap);
	return 2;
}

const char *plan_mode_name(enum plan_mode m)
{
	return m == PLAN_MODE_DETERMINISTIC ? "deterministic" : "wallclock";
}

const char *plan_tracing_name(enum plan_tracing t)
{
	static const char *const names[] = {"off", "events-off", "all-on"};
	return names[t];
}

static int parse_count(struct load_ctx *ctx, const char *path, const char *s, uint64_t min, uint64_t max,
		       uint64_t *v)
{
	int r = config_parse_number(s, v);

	if (r || *v < min || *v > max)
		return plan_fail(ctx, path, "expected a whole number from %llu to %llu, got '%s'",
				 (unsigned long long)min, (unsigned long long)max, s);
	return 0;
}

static bool name_ok(const char *s, size_t max, bool workload)
{
	size_t n = strlen(s);

	if (!n || n > max)
		return false;
	for (const char *c = s; *c; c++) {
		bool ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_';
		if (!workload)
			ok |= (*c >= 'A' && *c <= 'Z') || *c == '-' || *c == '.';
		if (!ok)
			return false;
	}
	return true;
}

static int parse_margin(struct load_ctx *ctx, const char *s, double *out)
{
	char *end;

	errno = 0;
	double v = strtod(s, &end);
	if (end != s && *end == '%') {
		v /= 100;
		end++;
	}
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v >= 1)
		return plan_fail(ctx, "margin", "expected a relative margin such as 2%% or 0.02, got '%s'",
				 s);
	*out = v;
	return 0;
}

static int parse_word(struct load_ctx *ctx, const char *path, const char *s, const char *const *words,
		      unsigned int nr, const char *list, unsigned int *out)
{
	for (unsigned int i = 0; i < nr; i++) {
		if (!strcmp(s, words[i])) {
			*out = i;
			return 0;
		}
	}
	return plan_fail(ctx, path, "expected one of %s, got '%s'", list, s);
}

/* pattern with {workload} replaced, made absolute from the plan's directory, into out. */
static int system_path(struct load_ctx *ctx, const char *cpath, const char *pattern, const char *workload,
		       char *out, size_t size)
{
	char rel[PATH_MAX];
	const char *var = strstr(pattern, PLAN_WORKLOAD_VAR);
	int n = var ? snprintf(rel, sizeof(rel), "%.*s%s%s", (int)(var - pattern), pattern, workload,
			       var + strlen(PLAN_WORKLOAD_VAR))
		    : snprintf(rel, sizeof(rel), "%s", pattern);

	if (n < 0 || (size_t)n >= sizeof(rel) ||
	    (size_t)snprintf(out, size, "%s%s%s", rel[0] == '/' ? "" : ctx->dir, rel[0] == '/' ? "" : "/",
			     rel) >= size)
		return plan_fail(ctx, cpath, "the system config's path is too long");
	char *real = realpath(out, NULL); /* a missing file keeps its name, for the error */
	if (real && strlen(real) < size)
		snprintf(out, size, "%s", real);
	free(real);
	return 0;
}

/* The system config of (configuration, workload): it compiles, runs the workload, can be given the
 * iteration count, and has a neighbour exactly when the configuration says so. */
static int check_system(struct load_ctx *ctx, const char *cpath, const char *path, const char *workload,
			bool neighbours)
{
	struct config_options opt = {0};
	struct config_compiled out;
	struct config_diag d;
	char image[64];
	size_t size;
	bool runs = false, noisy = false;

	if (access(path, R_OK))
		return plan_fail(ctx, cpath, "system config %s: %s", path, strerror(errno));
	if (config_compile(path, &opt, &out, &d))
		return plan_fail(ctx, cpath, "system config %s:%u:%u: %s", path, d.line, d.col, d.message);
	snprintf(image, sizeof(image), "%s.elf", workload);
	for (unsigned int i = 0; i < out.nr_images; i++) {
		const char *img = out.images[i];
		const char *base = img ? strrchr(img, '/') : NULL;
		base = base ? base + 1 : img;
		runs |= base && !strcmp(base, image);
		noisy |= base && !strcmp(base, "noisy.elf");
	}
	config_compiled_free(&out);
	if (!runs)
		return plan_fail(ctx, cpath, "system config %s has no cell running workload '%s' (%s)", path,
				 workload, image);
	if (noisy != neighbours)
		return plan_fail(ctx, cpath,
				 "system config %s %s noisy neighbour (noisy.elf) but the "
				 "configuration says neighbours: %s",
				 path, noisy ? "has a" : "has no", neighbours ? "on" : "off");
	char *text = config_read_file(path, &size);
	bool iters = text && strstr(text, "iters=");
	free(text);
	if (!iters)
		return plan_fail(ctx, cpath, "system config %s has no iters= argument to set the iterations",
				 path);
	return 0;
}

static int load_config(struct load_ctx *ctx, struct plan *p, unsigned int i,
		       const struct yaml_bench_config *y)
{
	static const char *const tracing[] = {"off", "events-off", "all-on"};
	static const char *const onoff[] = {"off", "on"};
	struct plan_config *c = &p->configs[i];
	char path[96];
	unsigned int w = 0;

#define AT(key) (snprintf(path, sizeof(path), "configurations[%u]%s%s", i, (key)[0] ? "." : "", key), path)
	if (!name_ok(y->name, sizeof(c->name) - 1, false))
		return plan_fail(ctx, AT("name"),
				 "a configuration name is 1-31 characters of [A-Za-z0-9_.-], not '%s'",
				 y->name);
	for (unsigned int k = 0; k < i; k++)
		if (!strcmp(p->configs[k].name, y->name))
			return plan_fail(ctx, AT("name"), "configuration '%s' is named twice", y->name);
	snprintf(c->name, sizeof(c->name), "%s", y->name);
	if (y->tracing &&
	    parse_word(ctx, AT("tracing"), y->tracing, tracing, 3, "off, events-off, all-on", &w))
		return 2;
	c->tracing = y->tracing ? (enum plan_tracing)w : PLAN_TRACING_OFF;
	if (y->neighbours && parse_word(ctx, AT("neighbours"), y->neighbours, onoff, 2, "off, on", &w))
		return 2;
	c->neighbours = y->neighbours && w;
	if (y->hypervisor) {
		if (strlen(y->hypervisor) >= sizeof(c->hv_cmdline))
			return plan_fail(ctx, AT("hypervisor"), "longer than %zu characters",
					 sizeof(c->hv_cmdline) - 1);
		if (strstr(y->hypervisor, "trace_events="))
			return plan_fail(ctx, AT("hypervisor"),
					 "trace_events= is set by the configuration's tracing: key");
		struct cmdline_problem bad;
		if (!cmdline_check(y->hypervisor, &bad))
			return plan_fail(ctx, AT("hypervisor"), "'%.*s': %s", (int)bad.len,
					 y->hypervisor + bad.offset, bad.why);
		snprintf(c->hv_cmdline, sizeof(c->hv_cmdline), "%s", y->hypervisor);
	}
	for (unsigned int k = 0; k < y->qemu_count; k++) {
		if (!strcmp(y->qemu[k], "-icount"))
			return plan_fail(ctx, AT("qemu"), "-icount is set by the plan's mode");
		c->qemu_args[c->nr_qemu_args++] = strdup(y->qemu[k]);
	}
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	for (unsigned int k = 0; k < y->host_cpus_count; k++) {
		uint64_t cpu;
		char cp[112];
		snprintf(cp, sizeof(cp), "configurations[%u].host_cpus[%u]", i, k);
		if (parse_count(ctx, cp, y->host_cpus[k], 0, ncpu > 0 && ncpu <= 64 ? (uint64_t)ncpu - 1 : 63,
				&cpu))
			return 2;
		c->host_cpus |= 1ULL << cpu;
	}
	const char *pattern = y->system ? y->system : NULL;
	for (unsigned int k = 0; k < p->nr_workloads; k++) {
		if (pattern) {
			if (system_path(ctx, AT("system"), pattern, p->workloads[k], c->system[k],
					sizeof(c->system[k])))
				return 2;
		} else {
			char rel[128];
			snprintf(rel, sizeof(rel), "../configs/bench/%s.yaml", p->workloads[k]);
			if (lab_path_beside_exe(c->system[k], sizeof(c->system[k]), rel))
				return plan_fail(ctx, AT(""), "cannot find my own executable");
			char wpath[32], *real = realpath(c->system[k], NULL);
			if (real) /* configs/bench/X.yaml, not out/../configs/bench/X.yaml, in records */
				snprintf(c->system[k], sizeof(c->system[k]), "%s", real);
			free(real);
			snprintf(wpath, sizeof(wpath), "workloads[%u]", k);
			if (access(c->system[k], R_OK))
				return plan_fail(
					ctx, wpath,
					"no shipped system config for workload '%s' (%s); name one with "
					"system: in configuration '%s'",
					p->workloads[k], c->system[k], c->name);
		}
		if (check_system(ctx, y->system ? AT("system") : AT("name"), c->system[k], p->workloads[k],
				 c->neighbours))
			return 2;
	}
#undef AT
	return 0;
}

static int load_values(struct load_ctx *ctx, struct plan *p, const struct yaml_bench_plan *y)
{
	static const char *const modes[] = {"deterministic", "wallclock"};
	uint64_t v;
	unsigned int w = 0;

	if (y->name && !name_ok(y->name, sizeof(p->name) - 1, false))
		return plan_fail(ctx, "name", "a plan name is 1-63 characters of [A-Za-z0-9_.-], not '%s'",
				 y->name);
	snprintf(p->name, sizeof(p->name), "%s", y->name ? y->name : "");
	if (parse_word(ctx, "mode", y->mode, modes, 2, "deterministic, wallclock", &w))
		return 2;
	p->mode = (enum plan_mode)w;
	if (config_parse_number(y->seed, &p->seed))
		return plan_fail(ctx, "seed", "expected a 64-bit number, got '%s'", y->seed);
	if (p->seed > PLAN_MAX_SEED)
		/* The order comes from MT19937, seeded with 32 bits (plan_order.c): larger seeds would alias. */
		return plan_fail(ctx, "seed", "a seed is 0 to %llu, not %s",
				 (unsigned long long)PLAN_MAX_SEED, y->seed);
	if (parse_count(ctx, "boots", y->boots, 1, PLAN_MAX_BOOTS, &v))
		return 2;
	p->boots = (unsigned int)v;
	p->warmup = 0;
	if (y->warmup) {
		if (parse_count(ctx, "warmup", y->warmup, 0, BENCH_MAX_SAMPLES - 1, &v))
			return 2;
		p->warmup = (unsigned int)v;
	}
	if (parse_count(ctx, "iterations", y->iterations, 1, BENCH_MAX_SAMPLES - p->warmup, &v))
		return 2;
	p->iterations = (unsigned int)v;
	p->margin = 0.02;
	if (y->margin && parse_margin(ctx, y->margin, &p->margin))
		return 2;
	for (unsigned int i = 0; i < y->workloads_count; i++) {
		char path[32];
		snprintf(path, sizeof(path), "workloads[%u]", i);
		if (!name_ok(y->workloads[i], sizeof(p->workloads[i]) - 1, true))
			return plan_fail(ctx, path,
					 "a workload name is 1-31 characters of [a-z0-9_], not '%s'",
					 y->workloads[i]);
		for (unsigned int k = 0; k < i; k++)
			if (!strcmp(p->workloads[k], y->workloads[i]))
				return plan_fail(ctx, path, "workload '%s' is named twice", y->workloads[i]);
		snprintf(p->workloads[i], sizeof(p->workloads[i]), "%s", y->workloads[i]);
	}
	p->nr_workloads = y->workloads_count;
	for (unsigned int i = 0; i < y->configurations_count; i++) {
		if (load_config(ctx, p, i, &y->configurations[i]))
			return 2;
		p->nr_configs = i + 1;
	}
	return 0;
}

int plan_load(const char *path, struct plan *p, struct config_diag *diag)
{
	struct load_ctx ctx = {.diag = diag};
	struct yaml_bench_plan *y = NULL;
	struct yaml_pos where;
	size_t size;
	int ret = 2;

	memset(p, 0, sizeof(*p));
	memset(diag, 0, sizeof(*diag));
	snprintf(p->path, sizeof(p->path), "%s", path);
	char *text = config_read_file(path, &size);
	if (!text) {
		snprintf(diag->message, sizeof(diag->message), "cannot read the plan: %s", strerror(errno));
		return 2;
	}
	char *real = realpath(path, NULL), where_dir[PATH_MAX];
	snprintf(where_dir, sizeof(where_dir), "%s", real ? real : path);
	/* runs.plan and the messages name the plan by its real path, the same from any directory */
	snprintf(p->path, sizeof(p->path), "%s", where_dir);
	free(real);
	snprintf(ctx.dir, sizeof(ctx.dir), "%s", dirname(where_dir));
	if (yaml_marks_build(text, size, &ctx.marks, &where, diag->message, sizeof(diag->message)) ||
	    !(y = yaml_bench_plan_load(text, size, &ctx.marks, &where, diag->message,
				       sizeof(diag->message)))) {
		diag->line = where.line;
		diag->col = where.col;
		goto out;
	}
	if (load_values(&ctx, p, y))
		goto out;
	if (run_record_hash_file(path, p->sha256)) {
		snprintf(diag->message, sizeof(diag->message), "cannot hash the plan: %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (ret)
		plan_free(p);
	yaml_bench_plan_free(y);
	yaml_marks_free(&ctx.marks);
	free(text);
	return ret;
}

void plan_free(struct plan *p)
{
	for (unsigned int i = 0; i < PLAN_MAX_CONFIGS; i++) {
		for (int k = 0; k < p->configs[i].nr_qemu_args; k++)
			free(p->configs[i].qemu_args[k]);
		p->configs[i].nr_qemu_args = 0;
	}
}
