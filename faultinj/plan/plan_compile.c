/*
 * From a YAML fault plan to the blob (plan_compile.h): names become numbers here (cells from the config,
 * sites, registers, hypercalls, errors from their tables), every rule about values is the shared
 * checker's, so that the host and the hypervisor never disagree on what is valid.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/abi/cell_stats.h>
#include <tessera/config_check.h>

#include "../models.h"
#include "../plan_check.h"
#include "plan_compile.h"
#include "plan_schema.h"

struct plan_ctx {
	struct yaml_marks marks;
	struct config_diag *diag;
	const struct tessera_config_header *cfg;
};

static int plan_fail(struct plan_ctx *ctx, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int plan_fail(struct plan_ctx *ctx, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_diag_vset(ctx->diag, &ctx->marks, path, fmt, ap);
	va_end(ap);
	return 2;
}

/* "a, b, c" of the words of a word-valued type (or of the models, or of the cells). */
static void list_words(enum fault_param_type t, char *out, size_t size)
{
	size_t n = 0;

	out[0] = 0;
	for (uint64_t v = 0; v <= fault_param_max(t) && n < size; v++) {
		const char *w = fault_param_word(t, v);
		if (w)
			n += snprintf(out + n, size - n, "%s%s", n ? ", " : "", w);
	}
}

static int parse_num(struct plan_ctx *ctx, const char *path, const char *s, uint64_t *v)
{
	int r = config_parse_number(s, v);

	if (r == CONFIG_NUMBER_TOO_LARGE)
		return plan_fail(ctx, path, "'%s' does not fit in 64 bits", s);
	if (r)
		return plan_fail(ctx, path, "expected a number, got '%s'", s);
	return 0;
}

static int parse_param(struct plan_ctx *ctx, const char *path, const struct fault_param_desc *p,
		       const char *s, uint64_t *v)
{
	char words[400];

	switch (p->type) {
	case FPT_NUM:
	case FPT_BIT:
	case FPT_VECTOR:
	case FPT_GPA:
		if (parse_num(ctx, path, s, v))
			return 2;
		if (*v > fault_param_max(p->type))
			return plan_fail(ctx, path, "%s: %s is out of range (%s)", p->name, s,
					 fault_param_type_what(p->type));
		return 0;
	default: {
		int64_t w = fault_param_word_value(p->type, s, strlen(s));
		if (w >= 0) {
			*v = (uint64_t)w;
			return 0;
		}
		list_words(p->type, words, sizeof(words));
		return plan_fail(ctx, path, "%s: unknown %s '%s' (one of: %s)", p->name,
				 p->type == FPT_SITE	    ? "fail site"
				 : p->type == FPT_REG	    ? "register"
				 : p->type == FPT_HYPERCALL ? "hypercall"
				 : p->type == FPT_ERROR	    ? "error"
							    : "value",
				 s, words);
	}
	}
}

static int find_cell(struct plan_ctx *ctx, const char *path, const char *name, int32_t *cell)
{
	const struct tessera_config_cell *c = config_cells(ctx->cfg);
	char names[400];
	size_t n = 0;

	for (uint32_t i = 0; i < ctx->cfg->nr_cells; i++)
		if (!strncmp(c[i].name, name, TESSERA_NAME_LEN) && strlen(name) < TESSERA_NAME_LEN) {
			*cell = (int32_t)i;
			return 0;
		}
	names[0] = 0;
	for (uint32_t i = 0; i < ctx->cfg->nr_cells && n < sizeof(names); i++)
		n += snprintf(names + n, sizeof(names) - n, "%s%.*s", i ? ", " : "", TESSERA_NAME_LEN,
			      c[i].name);
	return plan_fail(ctx, path, "no cell '%s' in the config (its cells: %s)", name, names);
}

static int parse_probability(struct plan_ctx *ctx, const char *path, const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	double p = strtod(s, &end);

	if (end != s && *end == '%' && !end[1])
		p /= 100, end++;
	if (errno || end == s || *end || !(p > 0 && p <= 1))
		return plan_fail(ctx, path,
				 "probability: expected a number in (0, 1] or a percentage, got '%s'", s);
	*v = (uint64_t)(p * (double)TESSERA_FAULT_PROB_ONE + 0.5);
	if (!*v)
		*v = 1;
	return 0;
}

static int parse_reason(struct plan_ctx *ctx, const char *path, const char *s, uint32_t *reason)
{
	static const char *const names[] = {
#define ER_NAME(NAME, name) name,
		TESSERA_EXIT_REASONS(ER_NAME)
#undef ER_NAME
	};
	char list[300];
	size_t n = 0;

	for (unsigned int i = 0; i < TESSERA_ER_COUNT; i++)
		if (!strcmp(names[i], s)) {
			*reason = i + 1;
			return 0;
		}
	if (!strcmp(s, "any")) {
		*reason = 0;
		return 0;
	}
	for (unsigned int i = 0; i < TESSERA_ER_COUNT && n < sizeof(list); i++)
		n += snprintf(list + n, sizeof(list) - n, "%s, ", names[i]);
	return plan_fail(ctx, path, "unknown exit reason '%s' (one of: %sany)", s, list);
}

static int parse_trigger(struct plan_ctx *ctx, int i, const struct yaml_trigger *y,
			 struct tessera_fault_trigger *t)
{
	const struct {
		const char *key;
		uint32_t kind;
		char *value;
	} kinds[] = {
		{"exit", TESSERA_FT_EXIT, y->exit},
		{"icount", TESSERA_FT_ICOUNT, y->icount},
		{"tsc", TESSERA_FT_TSC, y->tsc},
		{"nth", TESSERA_FT_NTH, y->nth},
		{"every", TESSERA_FT_EVERY, y->every},
		{"probability", TESSERA_FT_PROBABILITY, y->probability},
	};
	char path[96];
	int found = -1;

	for (unsigned int k = 0; k < ARRAY_SIZE(kinds); k++) {
		if (!kinds[k].value)
			continue;
		snprintf(path, sizeof(path), "faults[%d].trigger.%s", i, kinds[k].key);
		if (found >= 0)
			return plan_fail(ctx, path, "a trigger has one kind: '%s' and '%s' given",
					 kinds[found].key, kinds[k].key);
		found = (int)k;
	}
	snprintf(path, sizeof(path), "faults[%d].trigger", i);
	if (found < 0)
		return plan_fail(ctx, path,
				 "a trigger needs one of: exit, icount, tsc, nth, every, probability");
	t->kind = kinds[found].kind;
	snprintf(path, sizeof(path), "faults[%d].trigger.%s", i, kinds[found].key);
	if (t->kind == TESSERA_FT_PROBABILITY ? parse_probability(ctx, path, kinds[found].value, &t->value)
					      : parse_num(ctx, path, kinds[found].value, &t->value))
		return 2;
	snprintf(path, sizeof(path), "faults[%d].trigger.reason", i);
	if (y->reason && t->kind != TESSERA_FT_EXIT)
		return plan_fail(ctx, path, "a reason goes only with an exit trigger");
	if (y->reason && parse_reason(ctx, path, y->reason, &t->reason))
		return 2;
	snprintf(path, sizeof(path), "faults[%d].trigger.times", i);
	if (y->times && parse_num(ctx, path, y->times, &t->times))
		return 2;
	return 0;
}

static int param_index(const struct fault_model_desc *m, const char *key)
{
	for (unsigned int k = 0; k < m->nr_params; k++)
		if (!strcmp(m->params[k].name, key))
			return (int)k;
	return -1;
}

static int compile_fault(struct plan_ctx *ctx, int i, const struct yaml_fault *y, struct tessera_fault *f)
{
	const struct fault_model_desc *m = NULL;
	char path[96], names[300];
	size_t n = 0;

	for (unsigned int k = 0; fault_model_at(k); k++)
		if (!strcmp(fault_model_at(k)->name, y->model))
			m = fault_model_at(k);
	snprintf(path, sizeof(path), "faults[%d].model", i);
	if (!m) {
		for (unsigned int k = 0; fault_model_at(k) && n < sizeof(names); k++)
			n += snprintf(names + n, sizeof(names) - n, "%s%s", k ? ", " : "",
				      fault_model_at(k)->name);
		return plan_fail(ctx, path, "unknown fault model '%s' (one of: %s)", y->model, names);
	}
	f->model = m->id;
	f->cell = f->vcpu = TESSERA_FAULT_ANY;
	snprintf(path, sizeof(path), "faults[%d].cell", i);
	if (y->cell && find_cell(ctx, path, y->cell, &f->cell))
		return 2;
	snprintf(path, sizeof(path), "faults[%d].vcpu", i);
	uint64_t v;
	if (y->vcpu) {
		if (parse_num(ctx, path, y->vcpu, &v))
			return 2;
		if (v >= TESSERA_MAX_CPUS)
			return plan_fail(ctx, path, "vcpu %llu: a cell has at most %u", (unsigned long long)v,
					 TESSERA_MAX_CPUS);
		f->vcpu = (int32_t)v;
	}
	for (unsigned int k = 0; k < m->nr_params; k++)
		f->params[k] = m->params[k].dflt;
	for (unsigned int key = 0; plan_param_key(key); key++) {
		if (!y->params[key])
			continue;
		snprintf(path, sizeof(path), "faults[%d].%s", i, plan_param_key(key));
		int k = param_index(m, plan_param_key(key));
		if (k < 0) {
			n = 0;
			names[0] = 0;
			for (unsigned int p = 0; p < m->nr_params && n < sizeof(names); p++)
				n += snprintf(names + n, sizeof(names) - n, "%s%s", p ? ", " : "",
					      m->params[p].name);
			return plan_fail(ctx, path, "%s has no parameter '%s' (its parameters: %s)", m->name,
					 plan_param_key(key), names);
		}
		if (parse_param(ctx, path, &m->params[k], y->params[key], &f->params[k]))
			return 2;
	}
	for (unsigned int k = 0; k < m->nr_params; k++) {
		unsigned int key = 0;
		while (plan_param_key(key) && strcmp(plan_param_key(key), m->params[k].name))
			key++;
		if (m->params[k].required && !y->params[key]) {
			snprintf(path, sizeof(path), "faults[%d]", i);
			return plan_fail(ctx, path, "%s needs '%s' (%s)", m->name, m->params[k].name,
					 m->params[k].doc);
		}
	}
	if (y->trigger)
		return parse_trigger(ctx, i, y->trigger, &f->trigger);
	f->trigger.kind = TESSERA_FT_NOW;
	return 0;
}

/* The YAML path of the node a checker error concerns. */
static void error_path(const struct fault_plan_error *e, const struct tessera_fault *faults, char *path,
		       size_t size)
{
	static const char *const fields[] = {
		[FPF_HEADER] = "",
		[FPF_MODEL] = "model",
		[FPF_FLAGS] = "",
		[FPF_CELL] = "cell",
		[FPF_VCPU] = "vcpu",
		[FPF_TRIGGER] = "trigger",
		[FPF_REASON] = "trigger.reason",
		[FPF_TIMES] = "trigger.times",
		[FPF_PARAM] = "",
	};
	const char *key = fields[e->field];

	if (e->fault < 0) {
		snprintf(path, size, "seed");
		return;
	}
	if (e->field == FPF_PARAM) {
		const struct fault_model_desc *m = fault_model_by_id(faults[e->fault].model);
		key = m && e->param >= 0 && (unsigned int)e->param < m->nr_params ? m->params[e->param].name
										  : "";
	}
	snprintf(path, size, "faults[%d]%s%s", e->fault, key[0] ? "." : "", key);
}

int fault_plan_compile(const char *path, const struct tessera_config_header *cfg,
		       struct fault_plan_compiled *out, struct config_diag *diag)
{
	struct plan_ctx ctx = {.diag = diag, .cfg = cfg};
	struct yaml_plan *plan = NULL;
	struct tessera_fault_plan_header *h = NULL;
	struct fault_plan_error err;
	struct yaml_pos where;
	size_t size;
	int ret = 2;
	char *text;

	memset(out, 0, sizeof(*out));
	memset(diag, 0, sizeof(*diag));
	text = config_read_file(path, &size);
	if (!text) {
		snprintf(diag->message, sizeof(diag->message), "cannot read the fault plan: %s",
			 strerror(errno));
		return 2;
	}
	if (yaml_marks_build(text, size, &ctx.marks, &where, diag->message, sizeof(diag->message)) ||
	    !(plan = yaml_plan_load(text, size, &ctx.marks, &where, diag->message, sizeof(diag->message)))) {
		diag->line = where.line;
		diag->col = where.col;
		goto out;
	}
	size_t total = sizeof(*h) + plan->faults_count * sizeof(struct tessera_fault);
	h = calloc(1, total);
	if (!h) {
		snprintf(diag->message, sizeof(diag->message), "out of memory");
		goto out;
	}
	memcpy(h->magic, TESSERA_FAULT_PLAN_MAGIC, sizeof(h->magic));
	h->version = TESSERA_FAULT_PLAN_VERSION;
	h->total_size = (uint32_t)total;
	h->catalog_hash = fault_catalog_hash();
	h->nr_faults = plan->faults_count;
	h->faults_offset = sizeof(*h);
	if (parse_num(&ctx, "seed", plan->seed, &h->seed))
		goto out;
	struct tessera_fault *faults = (struct tessera_fault *)(h + 1);
	for (unsigned int i = 0; i < plan->faults_count; i++) {
		if (compile_fault(&ctx, (int)i, &plan->faults[i], &faults[i]))
			goto out;
		out->uses_icount |= faults[i].trigger.kind == TESSERA_FT_ICOUNT;
	}
	h->checksum = fault_plan_checksum(h, total);
	if (fault_plan_check(h, total, cfg, &err)) {
		char epath[96];
		error_path(&err, faults, epath, sizeof(epath));
		plan_fail(&ctx, epath, "%s", err.message);
		goto out;
	}
	out->blob = h;
	out->size = total;
	out->nr_faults = plan->faults_count;
	h = NULL;
	ret = 0;
out:
	free(h);
	yaml_plan_free(plan);
	yaml_marks_free(&ctx.marks);
	free(text);
	return ret;
}

void fault_plan_compiled_free(struct fault_plan_compiled *out)
{
	free(out->blob);
	memset(out, 0, sizeof(*out));
}
