/* Building the report's model from a trace directory (see report_model.h for the rules). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/abi/hypercall.h>

#include "formats.h"
#include "report_irq.h"
#include "report_model.h"

/* Per CPU: the intervals open on it while the records are walked in time order. */
struct cpu_state {
	bool exit_open; /* an exit waits for its entry */
	unsigned int reason;
	uint64_t exit_ns;
	int detail; /* REPORT_T_PIO/MSR/MMIO/HYPERCALL of the open exit, or -1 */
	uint64_t detail_key;
	bool guest_open; /* an entry waits for the next exit */
	uint64_t entry_ns;
	bool irq_open; /* an injection waits for the entry that delivers it */
	uint64_t irq_ns, irq_key;
	bool seen;
	uint64_t last_ns; /* the CPU's previous record */
};

struct build {
	const struct trace_dir *td;
	struct report *rp;
	struct cpu_state cpus[TESSERA_TRACE_MAX_CPUS];
	struct report_irq *irq; /* interrupt latency from post (report_irq.c) */
};

static const char *const table_names[] = {
#define REPORT_TABLE_NAME(NAME, name, key) name,
	REPORT_TABLES(REPORT_TABLE_NAME)
#undef REPORT_TABLE_NAME
};
static const char *const table_keys[] = {
#define REPORT_TABLE_KEY(NAME, name, key) key,
	REPORT_TABLES(REPORT_TABLE_KEY)
#undef REPORT_TABLE_KEY
};

const char *report_table_name(enum report_table t)
{
	return table_names[t];
}

const char *report_table_key_title(enum report_table t)
{
	return table_keys[t];
}

void report_key_text(enum report_table t, uint64_t key, char *buf, size_t len)
{
	switch (t) {
	case REPORT_T_EXIT: snprintf(buf, len, "%s", trace_symbol(TRACE_D_EXIT_REASON, key)); break;
	case REPORT_T_HYPERCALL: snprintf(buf, len, "%s", trace_symbol(TRACE_D_HYPERCALL, key)); break;
	case REPORT_T_IRQ:
		snprintf(buf, len, "%u/%s", (unsigned int)(key & 0xff),
			 trace_symbol(TRACE_D_IRQ_KIND, key >> 8));
		break;
	case REPORT_T_IRQ_POST_INJECT:
	case REPORT_T_IRQ_INJECT_RESUME:
	case REPORT_T_IRQ_POST_RESUME:
		snprintf(buf, len, "%u/%s", (unsigned int)(key & 0xff),
			 trace_symbol(TRACE_D_IRQ_SOURCE, key >> 8) ?: "?");
		break;
	default: snprintf(buf, len, "%#llx", (unsigned long long)key); break;
	}
}

struct report_row *report_row_get(struct report_scope *s, enum report_table t, uint64_t key)
{
	for (size_t i = 0; i < s->nr_rows; i++)
		if (s->rows[i].table == t && s->rows[i].key == key)
			return &s->rows[i];
	if (s->nr_rows == s->cap_rows) {
		s->cap_rows = s->cap_rows ? s->cap_rows * 2 : 16;
		s->rows = realloc(s->rows, s->cap_rows * sizeof(*s->rows));
	}
	struct report_row *r = &s->rows[s->nr_rows++];
	memset(r, 0, sizeof(*r));
	r->table = t;
	r->key = key;
	return r;
}

void report_row_sample(struct report_row *r, uint64_t ns)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
	}
	r->v[r->n++] = ns;
	r->total += ns;
}

static uint64_t get(const struct trace_rec *r, unsigned int field)
{
	return trace_field_get(&r->ev->fields[field], r->payload);
}

/* A loss right before this record: every interval open on the CPU spans it and is dropped. */
static void cpu_loss(struct build *b, const struct trace_rec *r)
{
	struct cpu_state *cs = &b->cpus[r->cpu];
	struct report_scope *v = &b->rp->vcpus[r->cpu];

	v->excluded += cs->exit_open + cs->guest_open + cs->irq_open;
	cs->exit_open = cs->guest_open = cs->irq_open = false;
	v->losses++;
	v->lost_records += r->lost_before;
	if (cs->seen)
		v->lost_ns += r->ns - cs->last_ns;
}

static void on_exit_record(struct build *b, const struct trace_rec *r, struct report_scope *v,
			   struct cpu_state *cs)
{
	unsigned int reason = get(r, 0);

	if (reason >= TESSERA_ER_COUNT)
		reason = TESSERA_ER_UNKNOWN;
	(void)b;
	v->exits++;
	report_row_get(v, REPORT_T_EXIT, reason)->count++;
	if (cs->guest_open)
		v->guest_ns += r->ns - cs->entry_ns;
	cs->guest_open = false;
	if (cs->exit_open)
		v->excluded++; /* an exit with no entry (the cell stopped and started again) */
	cs->exit_open = true;
	cs->reason = reason;
	cs->exit_ns = r->ns;
	cs->detail = -1;
}

static void on_detail(struct report_scope *v, struct cpu_state *cs, enum report_table t, uint64_t key)
{
	report_row_get(v, t, key)->count++;
	if (cs->exit_open && cs->detail < 0) {
		cs->detail = t;
		cs->detail_key = key;
	}
}

static void on_entry_record(const struct trace_rec *r, struct report_scope *v, struct cpu_state *cs)
{
	if (cs->exit_open) {
		uint64_t t = r->ns - cs->exit_ns;
		report_row_sample(report_row_get(v, REPORT_T_EXIT, cs->reason), t);
		if (cs->detail >= 0)
			report_row_sample(report_row_get(v, cs->detail, cs->detail_key), t);
		v->hv_ns += t;
	}
	if (cs->irq_open)
		report_row_sample(report_row_get(v, REPORT_T_IRQ, cs->irq_key), r->ns - cs->irq_ns);
	cs->exit_open = cs->irq_open = false;
	cs->guest_open = true;
	cs->entry_ns = r->ns;
}

static int collect(const struct trace_rec *r, void *arg)
{
	struct build *b = arg;
	struct cpu_state *cs = &b->cpus[r->cpu];
	struct report_scope *v = &b->rp->vcpus[r->cpu];

	b->rp->records++;
	if (r->lost_before)
		cpu_loss(b, r);
	if (!v->events++)
		v->first_ns = r->ns;
	v->last_ns = r->ns;
	cs->seen = true;
	cs->last_ns = r->ns;
	if (!r->ev)
		return 0;
	/* Events about a cell written on another CPU (watchdog, mailbox on CPU 0) count for the cell. */
	if (r->cell >= 0 && r->cell < TESSERA_TRACE_MAX_CELLS)
		b->rp->cells[r->cell].events++;
	report_irq_record(b->irq, b->rp, r);
	switch (r->ev->id) {
	case TESSERA_TRACE_EV_exit:
		v->cell = r->cell;
		on_exit_record(b, r, v, cs);
		break;
	case TESSERA_TRACE_EV_entry: on_entry_record(r, v, cs); break;
	case TESSERA_TRACE_EV_pio: on_detail(v, cs, REPORT_T_PIO, get(r, 0)); break;
	case TESSERA_TRACE_EV_msr: on_detail(v, cs, REPORT_T_MSR, get(r, 0)); break;
	case TESSERA_TRACE_EV_npf: on_detail(v, cs, REPORT_T_MMIO, get(r, 0)); break;
	case TESSERA_TRACE_EV_hypercall:
		on_detail(v, cs, REPORT_T_HYPERCALL, get(r, 0));
		if ((int64_t)get(r, 1) < 0)
			v->hc_errors++;
		break;
	case TESSERA_TRACE_EV_irq_inject: {
		uint64_t key = get(r, 0) | get(r, 1) << 8;
		report_row_get(v, REPORT_T_IRQ, key)->count++;
		/* A second injection before the guest ran: the first one's latency is not measured. */
		v->excluded += cs->irq_open;
		cs->irq_open = true;
		cs->irq_ns = r->ns;
		cs->irq_key = key;
		break;
	}
	case TESSERA_TRACE_EV_violation: v->violations++; break;
	default: break;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static unsigned int hist_bucket(uint64_t ns)
{
	unsigned int b = ns ? 63 - (unsigned int)__builtin_clzll(ns) : 0;
	return b < REPORT_HIST_BUCKETS ? b : REPORT_HIST_BUCKETS - 1;
}

static void row_finish(struct report_row *r)
{
	double sum = 0, sq = 0;

	if (!r->n)
		return;
	qsort(r->v, r->n, sizeof(*r->v), cmp_u64);
	r->min = r->v[0];
	r->median = r->v[(r->n - 1) / 2];
	r->p99 = r->v[(r->n * 99 + 99) / 100 - 1];
	r->max = r->v[r->n - 1];
	for (size_t i = 0; i < r->n; i++) {
		sum += (double)r->v[i];
		r->hist[hist_bucket(r->v[i])]++;
	}
	r->mean = sum / (double)r->n;
	for (size_t i = 0; i < r->n; i++)
		sq += ((double)r->v[i] - r->mean) * ((double)r->v[i] - r->mean);
	r->stddev = r->n > 1 ? sqrt(sq / (double)(r->n - 1)) : 0;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct report_row *x = a, *y = b;

	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static void scope_finish(struct report_scope *s)
{
	qsort(s->rows, s->nr_rows, sizeof(*s->rows), cmp_rows);
	for (size_t i = 0; i < s->nr_rows; i++)
		row_finish(&s->rows[i]);
}

/* Adds vCPU v's rows and times to cell scope c. */
static void scope_merge(struct report_scope *c, const struct report_scope *v)
{
	for (size_t i = 0; i < v->nr_rows; i++) {
		const struct report_row *src = &v->rows[i];
		struct report_row *dst = report_row_get(c, src->table, src->key);
		dst->count += src->count;
		for (size_t k = 0; k < src->n; k++)
			report_row_sample(dst, src->v[k]);
	}
	c->exits += v->exits;
	c->violations += v->violations;
	c->hc_errors += v->hc_errors;
	c->guest_ns += v->guest_ns;
	c->hv_ns += v->hv_ns;
	c->lost_ns += v->lost_ns;
	c->excluded += v->excluded;
	c->losses += v->losses;
	c->lost_records += v->lost_records;
	if (v->events && (!c->first_ns || v->first_ns < c->first_ns))
		c->first_ns = v->first_ns;
	if (v->last_ns > c->last_ns)
		c->last_ns = v->last_ns;
}

/* The CPU's cell: the one that took exits on it, else the config's CPU list. */
static int cpu_cell(const struct trace_dir *td, const struct report *rp, unsigned int cpu)
{
	if (rp->vcpus[cpu].cell >= 0)
		return rp->vcpus[cpu].cell;
	for (unsigned int c = 0; c < td->nr_cells; c++)
		if (td->cell_cpus[c] >> cpu & 1)
			return (int)c;
	return -1;
}

struct report *report_build(const struct trace_dir *td)
{
	struct report *rp = calloc(1, sizeof(*rp));
	struct build b = {.td = td, .rp = rp, .irq = report_irq_new(td)};

	for (unsigned int c = 0; c < TESSERA_TRACE_MAX_CPUS; c++) {
		rp->vcpus[c].cell = -1;
		rp->vcpus[c].cpu = (int)c;
	}
	for (unsigned int c = 0; c < TESSERA_TRACE_MAX_CELLS; c++) {
		rp->cells[c].cell = (int)c;
		rp->cells[c].cpu = -1;
	}
	trace_dir_for_each(td, collect, &b);
	report_irq_free(b.irq);
	for (unsigned int c = 0; c < td->nr_cpus; c++) {
		struct report_scope *v = &rp->vcpus[c];
		/* Records lost after the CPU's last record: whatever was open then is excluded too. */
		if (td->tail_lost[c]) {
			v->losses++;
			v->lost_records += td->tail_lost[c];
			v->excluded += b.cpus[c].exit_open + b.cpus[c].guest_open + b.cpus[c].irq_open;
		}
		rp->lost += td->lost[c];
		v->cell = cpu_cell(td, rp, c);
		if (v->cell >= 0 && v->cell < TESSERA_TRACE_MAX_CELLS) {
			uint64_t events = rp->cells[v->cell].events;
			scope_merge(&rp->cells[v->cell], v);
			rp->cells[v->cell].events = events;
		}
		scope_finish(v);
	}
	for (unsigned int c = 0; c < TESSERA_TRACE_MAX_CELLS; c++)
		scope_finish(&rp->cells[c]);
	return rp;
}

static void scope_free(struct report_scope *s)
{
	for (size_t i = 0; i < s->nr_rows; i++)
		free(s->rows[i].v);
	free(s->rows);
}

void report_free(struct report *rp)
{
	if (!rp)
		return;
	for (unsigned int c = 0; c < TESSERA_TRACE_MAX_CPUS; c++)
		scope_free(&rp->vcpus[c]);
	for (unsigned int c = 0; c < TESSERA_TRACE_MAX_CELLS; c++)
		scope_free(&rp->cells[c]);
	free(rp);
}
