/*
 * Loading and checking a campaign file (campaign_file.h). The checks that are the engine's (a register,
 * a site, an address of the cell) are left to the plan compiler: each entry's first and last points are
 * compiled against the system config, and its message is placed at the entry.
 */
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../models.h"
#include "../plan/plan_compile.h"
#include "campaign_file.h"
#include "campaign_schema.h"
#include "campaign_space.h"

struct load_ctx {
	struct yaml_marks marks;
	struct config_diag *diag;
};

static int load_fail(struct load_ctx *ctx, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int load_fail(struct load_ctx *ctx, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_diag_vset(ctx->diag, &ctx->marks, path, fmt, ap);
	va_end(ap);
	return 2;
}

static int num(struct load_ctx *ctx, const char *path, const char *s, uint64_t *v)
{
	int r = config_parse_number(s, v);

	if (r == CONFIG_NUMBER_TOO_LARGE)
		return load_fail(ctx, path, "'%s' does not fit in 64 bits", s);
	return r ? load_fail(ctx, path, "expected a number, got '%s'", s) : 0;
}

static int copy(struct load_ctx *ctx, const char *path, char *dst, size_t size, const char *s)
{
	if (strlen(s) >= size)
		return load_fail(ctx, path, "'%s' is longer than %zu characters", s, size - 1);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* A dimension: values, or range "LO..HI" with an optional step (default 1). */
static int load_dim(struct load_ctx *ctx, const char *path, const struct yaml_campaign_dim *y,
		    struct campaign_dim *d)
{
	char p[128];

	if (!!y->values == !!y->range)
		return load_fail(ctx, path, "give either values: [...] or range: \"LO..HI\"");
	if (y->values) {
		for (unsigned int i = 0; i < y->values_count; i++)
			d->words[d->nr_words++] = strdup(y->values[i]);
		if (y->step)
			return load_fail(ctx, path, "step goes with range, not with values");
		return 0;
	}
	const char *dots = strstr(y->range, "..");
	snprintf(p, sizeof(p), "%s.range", path);
	if (!dots)
		return load_fail(ctx, p, "expected a range \"LO..HI\", got '%s'", y->range);
	char lo[64];
	snprintf(lo, sizeof(lo), "%.*s", (int)(dots - y->range), y->range);
	if (num(ctx, p, lo, &d->lo) || num(ctx, p, dots + 2, &d->hi))
		return 2;
	if (d->hi < d->lo)
		return load_fail(ctx, p, "the range ends before it starts");
	d->step = 1;
	snprintf(p, sizeof(p), "%s.step", path);
	if (y->step && (num(ctx, p, y->step, &d->step) || !d->step))
		return d->step ? 2 : load_fail(ctx, p, "the step must be at least 1");
	return 0;
}

static int find_trigger_kind(const char *name)
{
	for (unsigned int k = 0; k < TESSERA_FT_COUNT; k++)
		if (!strcmp(fault_trigger_name(k), name))
			return (int)k;
	return -1;
}

static const struct fault_model_desc *find_model(const char *name)
{
	for (unsigned int i = 0; fault_model_at(i); i++)
		if (!strcmp(fault_model_at(i)->name, name))
			return fault_model_at(i);
	return NULL;
}

static int load_entry(struct load_ctx *ctx, struct campaign *c, unsigned int i,
		      const struct yaml_campaign_fault *y)
{
	struct campaign_entry *e = &c->entries[i];
	char path[128], p[160];
	const struct fault_model_desc *m = find_model(y->model);

	snprintf(path, sizeof(path), "faults[%u]", i);
	struct yaml_pos pos = yaml_marks_find(&ctx->marks, path);
	e->line = pos.line;
	e->col = pos.col;
	snprintf(p, sizeof(p), "%s.model", path);
	if (!m)
		return load_fail(ctx, p, "no fault model '%s' (tessera fi models lists them)", y->model);
	snprintf(e->model, sizeof(e->model), "%s", m->name);
	snprintf(p, sizeof(p), "%s.cell", path);
	if (copy(ctx, p, e->cell, sizeof(e->cell), y->cell ? y->cell : c->target))
		return 2;
	for (unsigned int k = 0; k < y->params_count; k++) {
		struct campaign_dim *d = &e->dims[e->nr_dims++];
		snprintf(p, sizeof(p), "%s.params[%u]", path, k);
		if (!y->params[k].key || y->params[k].kind || y->params[k].reason)
			return load_fail(ctx, p, "a parameter has a key (and no kind or reason)");
		unsigned int j = 0;
		while (j < m->nr_params && strcmp(m->params[j].name, y->params[k].key))
			j++;
		if (j == m->nr_params)
			return load_fail(ctx, p, "model %s has no parameter '%s'", m->name, y->params[k].key);
		snprintf(d->key, sizeof(d->key), "%s", y->params[k].key);
		if (load_dim(ctx, p, &y->params[k], d))
			return 2;
	}
	for (unsigned int j = 0; j < m->nr_params; j++) {
		bool given = false;
		for (unsigned int k = 0; k + 1 <= e->nr_dims; k++)
			given |= !strcmp(e->dims[k].key, m->params[j].name);
		if (m->params[j].required && !given)
			return load_fail(ctx, path, "model %s needs parameter '%s'", m->name,
					 m->params[j].name);
	}
	snprintf(p, sizeof(p), "%s.trigger", path);
	const struct yaml_campaign_dim *t = y->trigger;
	if (!t->kind || t->key)
		return load_fail(ctx, p, "a trigger has a kind (icount, exit, nth, ...) and no key");
	int kind = find_trigger_kind(t->kind);
	if (kind < 0 || !(m->triggers & (1u << kind)))
		return load_fail(ctx, p, "model %s has no trigger '%s'", m->name, t->kind);
	snprintf(e->trigger_kind, sizeof(e->trigger_kind), "%s", t->kind);
	if (t->reason && (strcmp(t->kind, "exit") ||
			  copy(ctx, p, e->trigger_reason, sizeof(e->trigger_reason), t->reason)))
		return load_fail(ctx, p, "reason goes with trigger kind exit");
	struct campaign_dim *d = &e->dims[e->nr_dims++];
	snprintf(d->key, sizeof(d->key), "trigger");
	if (load_dim(ctx, p, t, d))
		return 2;
	e->size = 1;
	for (unsigned int k = 0; k < e->nr_dims; k++) {
		uint64_t n = campaign_dim_size(&e->dims[k]);
		if (e->size > UINT64_MAX / n)
			return load_fail(ctx, path, "the fault space has more than 2^64 points");
		e->size *= n;
	}
	return 0;
}

/* Compile point p of entry i as a plan against the config; a refusal is placed at the entry. */
static int check_point(struct load_ctx *ctx, struct campaign *c, const struct tessera_config_header *cfg,
		       unsigned int i, uint64_t p)
{
	char text[4096], tmp[] = "/tmp/tessera-campaign-check-XXXXXX", path[32];
	struct fault_plan_compiled out;
	struct config_diag d;
	int fd = mkstemp(tmp), ret;

	if (campaign_plan_text(c, i, p, 0, text, sizeof(text)) < 0 || fd < 0 ||
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		if (fd >= 0)
			close(fd), unlink(tmp);
		return load_fail(ctx, "faults", "cannot write a trial plan: %s", strerror(errno));
	}
	close(fd);
	ret = fault_plan_compile(tmp, cfg, &out, &d);
	unlink(tmp);
	if (!ret) {
		fault_plan_compiled_free(&out);
		return 0;
	}
	snprintf(path, sizeof(path), "faults[%u]", i);
	return load_fail(ctx, path, "point %llu of this fault: %s", (unsigned long long)p, d.message);
}

static bool config_has_cell(const struct tessera_config_header *cfg, const char *name);

/*
 * Fail points fire on the hypervisor's own paths (a cell's start at boot, page allocation), which a
 * restart does not take as a boot does; a flip in the hypervisor's data outlives the experiment. Both
 * need a machine of their own per experiment, unless (fail points only) the file says `boots: shared`:
 * then the point is armed for the experiment's restart and its Nth call counts from there, so the
 * campaign tests the restart's path (campaign_model_restart_path).
 */
bool campaign_model_needs_boot(const char *model)
{
	return !strcmp(model, "fail_point") || !strcmp(model, "hv_data_flip");
}

bool campaign_model_restart_path(const char *model)
{
	return !strcmp(model, "fail_point");
}

/*
 * Under -icount an icount or tsc point is exact in a boot, whose whole history is the guest's. In a
 * shared boot it is not: the count is machine-wide and the restart lands when the host's command is
 * polled, so the other CPUs' share of the count before the target's flip varies from run to run (campaign
 * 1's RCX point at 40M instructions was detected in one CI run and missed in the next). Exit, pass and
 * nth triggers count the target's own events and share boots as they are. Wall-clock campaigns are not
 * repeatable at an instant either way, so theirs share.
 */
bool campaign_entry_needs_own_boot(const struct campaign *c, const struct campaign_entry *e)
{
	return c->deterministic && (!strcmp(e->trigger_kind, "icount") || !strcmp(e->trigger_kind, "tsc"));
}

static int load_judge(struct load_ctx *ctx, struct campaign *c, const struct yaml_campaign_judge *j)
{
	snprintf(c->detected, sizeof(c->detected), "check=mismatch");
	snprintf(c->canary_alarm, sizeof(c->canary_alarm), "CANARY changed");
	if (!j)
		return 0;
	if ((j->output && copy(ctx, "judge.output", c->output_prefix, sizeof(c->output_prefix), j->output)) ||
	    (j->detected && copy(ctx, "judge.detected", c->detected, sizeof(c->detected), j->detected)) ||
	    (j->canary_alarm &&
	     copy(ctx, "judge.canary_alarm", c->canary_alarm, sizeof(c->canary_alarm), j->canary_alarm)))
		return 2;
	for (unsigned int i = 0; i < j->canaries_count; i++) {
		char p[64];
		snprintf(p, sizeof(p), "judge.canaries[%u]", i);
		if (copy(ctx, p, c->canaries[c->nr_canaries++], sizeof(c->canaries[0]), j->canaries[i]))
			return 2;
	}
	for (unsigned int i = 0; i < j->peers_count; i++) {
		char p[64];
		snprintf(p, sizeof(p), "judge.peers[%u]", i);
		if (copy(ctx, p, c->peers[c->nr_peers++], sizeof(c->peers[0]), j->peers[i]))
			return 2;
	}
	if (j->output_regex) {
		if (j->output)
			return load_fail(ctx, "judge.output_regex", "give output or output_regex, not both");
		int err = regcomp(&c->output_re, j->output_regex, REG_EXTENDED);
		if (err) {
			char why[128];
			regerror(err, &c->output_re, why, sizeof(why));
			return load_fail(ctx, "judge.output_regex", "not an extended regular expression: %s",
					 why);
		}
		c->has_output_re = true;
	}
	return 0;
}

#include <tessera/config_check.h>

static bool config_has_cell(const struct tessera_config_header *cfg, const char *name)
{
	for (uint32_t i = 0; i < cfg->nr_cells; i++)
		if (!strncmp(config_cells(cfg)[i].name, name, TESSERA_NAME_LEN))
			return true;
	return false;
}

static int load_top(struct load_ctx *ctx, struct campaign *c, const struct yaml_campaign *y)
{
	uint64_t v;

	if (copy(ctx, "name", c->name, sizeof(c->name), y->name) ||
	    copy(ctx, "target", c->target, sizeof(c->target), y->target))
		return 2;
	/* The config is named relative to the campaign file, as a config names its images. */
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", c->path);
	if (y->config[0] == '/')
		snprintf(c->config, sizeof(c->config), "%s", y->config);
	else
		snprintf(c->config, sizeof(c->config), "%s/%s", dirname(dir), y->config);
	if (access(c->config, R_OK))
		return load_fail(ctx, "config", "cannot read the system config %s: %s", c->config,
				 strerror(errno));
	c->deterministic = true;
	if (y->mode && strcmp(y->mode, "deterministic")) {
		if (strcmp(y->mode, "wallclock"))
			return load_fail(ctx, "mode", "expected deterministic or wallclock, got '%s'",
					 y->mode);
		c->deterministic = false;
	}
	if (y->seed && num(ctx, "seed", y->seed, &c->seed))
		return 2;
	c->sampling = CAMPAIGN_RANDOM;
	if (y->sampling && strcmp(y->sampling, "random")) {
		if (strcmp(y->sampling, "exhaustive"))
			return load_fail(ctx, "sampling", "expected exhaustive or random, got '%s'",
					 y->sampling);
		c->sampling = CAMPAIGN_EXHAUSTIVE;
	}
	c->experiments = 100;
	if (y->experiments && (num(ctx, "experiments", y->experiments, &c->experiments) || !c->experiments))
		return c->experiments ? 2 : load_fail(ctx, "experiments", "at least 1 experiment");
	c->timeout_factor = 4;
	if (y->timeout_factor) {
		char *end;
		c->timeout_factor = strtod(y->timeout_factor, &end);
		if (*end || !(c->timeout_factor >= 1 && c->timeout_factor <= 1000))
			return load_fail(ctx, "timeout_factor", "expected a number 1..1000, got '%s'",
					 y->timeout_factor);
	}
	c->boots = CAMPAIGN_BOOTS_SHARED;
	if (y->boots && strcmp(y->boots, "shared")) {
		if (strcmp(y->boots, "per-experiment"))
			return load_fail(ctx, "boots", "expected shared or per-experiment, got '%s'",
					 y->boots);
		c->boots = CAMPAIGN_BOOTS_PER_EXPERIMENT;
	}
	c->timeout_min_s = 60;
	if (y->timeout_min_s) {
		if (num(ctx, "timeout_min_s", y->timeout_min_s, &v))
			return 2;
		if (v > 86400 || !v)
			return load_fail(ctx, "timeout_min_s", "expected 1..86400 seconds");
		c->timeout_min_s = (unsigned int)v;
	}
	return 0;
}

int campaign_load(const char *path, struct campaign *c, struct config_diag *diag)
{
	struct load_ctx ctx = {.diag = diag};
	struct yaml_campaign *y = NULL;
	struct config_compiled cfg = {0};
	struct yaml_pos where;
	size_t size;
	int ret = 2;
	char *text;

	memset(c, 0, sizeof(*c));
	memset(diag, 0, sizeof(*diag));
	snprintf(c->path, sizeof(c->path), "%s", path);
	text = config_read_file(path, &size);
	if (!text) {
		snprintf(diag->message, sizeof(diag->message), "cannot read the campaign: %s",
			 strerror(errno));
		return 2;
	}
	if (yaml_marks_build(text, size, &ctx.marks, &where, diag->message, sizeof(diag->message)) ||
	    !(y = yaml_campaign_load(text, size, &ctx.marks, &where, diag->message, sizeof(diag->message)))) {
		diag->line = where.line;
		diag->col = where.col;
		goto out;
	}
	if (load_top(&ctx, c, y) || load_judge(&ctx, c, y->judge))
		goto out;
	struct config_options opt = {.no_images = true};
	struct config_diag cd;
	if (config_compile(c->config, &opt, &cfg, &cd)) {
		load_fail(&ctx, "config", "%s:%u:%u: %s", c->config, cd.line, cd.col, cd.message);
		goto out;
	}
	const struct tessera_config_header *hdr = cfg.blob;
	if (!config_has_cell(hdr, c->target)) {
		load_fail(&ctx, "target", "the config has no cell '%s'", c->target);
		goto out;
	}
	for (unsigned int i = 0; i < c->nr_peers; i++) {
		char p[64];
		snprintf(p, sizeof(p), "judge.peers[%u]", i);
		if (!config_has_cell(hdr, c->peers[i]) || !strcmp(c->peers[i], c->target)) {
			load_fail(&ctx, p, "'%s' is not a cell of the config other than the target",
				  c->peers[i]);
			goto out;
		}
	}
	for (unsigned int i = 0; i < c->nr_canaries; i++) {
		char p[64];
		snprintf(p, sizeof(p), "judge.canaries[%u]", i);
		if (!config_has_cell(hdr, c->canaries[i]) || !strcmp(c->canaries[i], c->target)) {
			load_fail(&ctx, p, "'%s' is not a cell of the config other than the target",
				  c->canaries[i]);
			goto out;
		}
	}
	for (unsigned int i = 0; i < y->faults_count; i++) {
		if (load_entry(&ctx, c, i, &y->faults[i]))
			goto out;
		c->nr_entries++;
		if (c->space_size > UINT64_MAX - c->entries[i].size) {
			load_fail(&ctx, "faults", "the fault space has more than 2^64 points");
			goto out;
		}
		c->space_size += c->entries[i].size;
		if (check_point(&ctx, c, hdr, i, 0) || check_point(&ctx, c, hdr, i, c->entries[i].size - 1))
			goto out;
		if (campaign_model_needs_boot(c->entries[i].model) &&
		    !(y->boots && campaign_model_restart_path(c->entries[i].model))) {
			if (y->boots && c->boots == CAMPAIGN_BOOTS_SHARED) {
				load_fail(&ctx, "boots",
					  "shared boots cannot run %s faults (faults[%u]): they need a fresh "
					  "machine each, boots: per-experiment",
					  c->entries[i].model, i);
				goto out;
			}
			c->boots = CAMPAIGN_BOOTS_PER_EXPERIMENT;
		}
		/* `boots: shared` said outright runs them shared anyway: the author traded exactness */
		c->entries[i].own_boot = !y->boots && campaign_entry_needs_own_boot(c, &c->entries[i]);
	}
	if (c->sampling == CAMPAIGN_EXHAUSTIVE || c->experiments > c->space_size)
		c->experiments = c->space_size;
	if (c->experiments > 10000000) {
		load_fail(&ctx, c->sampling == CAMPAIGN_EXHAUSTIVE ? "sampling" : "experiments",
			  "%llu experiments: more than 10,000,000 (sample instead)",
			  (unsigned long long)c->experiments);
		goto out;
	}
	ret = 0;
out:
	config_compiled_free(&cfg);
	yaml_campaign_free(y);
	yaml_marks_free(&ctx.marks);
	free(text);
	if (ret)
		campaign_free(c);
	return ret;
}

void campaign_free(struct campaign *c)
{
	if (c->has_output_re)
		regfree(&c->output_re);
	c->has_output_re = false;
	for (unsigned int i = 0; i < CAMPAIGN_MAX_ENTRIES; i++)
		for (unsigned int k = 0; k < CAMPAIGN_MAX_DIMS; k++) {
			for (unsigned int w = 0; w < c->entries[i].dims[k].nr_words; w++)
				free(c->entries[i].dims[k].words[w]);
			c->entries[i].dims[k].nr_words = 0;
		}
}

struct campaign *campaign_load_reported(const char *path, int *status)
{
	struct campaign *c = calloc(1, sizeof(*c));
	struct config_diag diag;

	*status = 1;
	if (!c)
		return NULL;
	*status = campaign_load(path, c, &diag);
	if (!*status)
		return c;
	config_diag_print(path, &diag);
	free(c);
	return NULL;
}

#define APPEND_LINE "\n# fi campaign run --append: "

char *campaign_run_source(const char *file_text, const char *append)
{
	char *s = NULL;

	if (append && append[0])
		return asprintf(&s, "%s" APPEND_LINE "%s\n", file_text, append) < 0 ? NULL : s;
	return strdup(file_text);
}

bool campaign_run_source_matches(const char *stored, const char *file_text, char *append, size_t size)
{
	size_t len = strlen(file_text);

	append[0] = '\0';
	if (strncmp(stored, file_text, len))
		return false;
	const char *rest = stored + len;
	if (!*rest)
		return true;
	if (strncmp(rest, APPEND_LINE, strlen(APPEND_LINE)))
		return false;
	rest += strlen(APPEND_LINE);
	size_t n = strcspn(rest, "\n");
	if (rest[n] != '\n' || rest[n + 1] || n >= size)
		return false;
	memcpy(append, rest, n);
	append[n] = '\0';
	return true;
}
