/*
 * Interrupt latency from post to injection to the guest's first instruction after it (report_irq.h).
 *
 * A post is written on the CPU that posts (another cell's CPU for a doorbell), about the target vCPU;
 * its injection and the entry after it are on the target's CPU. The first post of a vector opens its
 * interval; posts of that vector before its injection merge into it (as IRR holds one), counted but not
 * timed; the injection (kind interrupt or nmi; a re-injection is the same delivery) closes the post
 * part; the next entry on that CPU is the guest's first instruction with the interrupt delivered.
 * Because an interval spans two CPUs, the losses of both are looked up by time: every CPU's loss places
 * are read first, as spans between the record before a loss and the record after it, and an interval
 * that overlaps one of either CPU is excluded, not timed.
 */
#include <stdlib.h>

#include "report_irq.h"

#define NR_VECTORS 256

/* One CPU's loss places in time order: records were lost between from[i] and to[i]. */
struct loss_spans {
	uint64_t *from, *to;
	size_t n, cap;
	uint64_t last_ns; /* while they are read: the CPU's previous record */
};

struct irq_post_open {
	bool open;
	uint8_t source;
	unsigned int from_cpu;
	uint64_t ns;
};

/* The target side, per CPU. */
struct irq_cpu {
	struct irq_post_open post[NR_VECTORS];
	bool injected; /* a post's injection waits for the entry */
	unsigned int from_cpu;
	uint64_t post_ns, inject_ns, key;
};

struct report_irq {
	const struct trace_dir *td;
	struct loss_spans loss[TESSERA_TRACE_MAX_CPUS];
	struct irq_cpu cpus[TESSERA_TRACE_MAX_CPUS];
};

static void span_add(struct loss_spans *l, uint64_t from, uint64_t to)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->from = realloc(l->from, l->cap * sizeof(*l->from));
		l->to = realloc(l->to, l->cap * sizeof(*l->to));
	}
	l->from[l->n] = from;
	l->to[l->n++] = to;
}

static int read_loss(const struct trace_rec *r, void *arg)
{
	struct loss_spans *l = arg;

	if (r->lost_before)
		span_add(l, l->last_ns, r->ns); /* the CPU's first records lost: from 0 */
	l->last_ns = r->ns;
	return 0;
}

/* Did the CPU lose records anywhere in (a, b)? Spans are disjoint and in time order. */
static bool lost_between(const struct loss_spans *l, uint64_t a, uint64_t b)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) { /* the first span that ends after a */
		size_t mid = (lo + hi) / 2;
		if (l->to[mid] > a)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < l->n && l->from[lo] < b;
}

struct report_irq *report_irq_new(const struct trace_dir *td)
{
	struct report_irq *q = calloc(1, sizeof(*q));

	q->td = td;
	for (unsigned int c = 0; c < td->nr_cpus && c < TESSERA_TRACE_MAX_CPUS; c++) {
		trace_dir_for_each_cpu(td, c, read_loss, &q->loss[c]);
		if (td->tail_lost[c])
			span_add(&q->loss[c], q->loss[c].last_ns, UINT64_MAX);
	}
	return q;
}

void report_irq_free(struct report_irq *q)
{
	if (!q)
		return;
	for (unsigned int c = 0; c < TESSERA_TRACE_MAX_CPUS; c++) {
		free(q->loss[c].from);
		free(q->loss[c].to);
	}
	free(q);
}

static uint64_t get(const struct trace_rec *r, unsigned int field)
{
	return trace_field_get(&r->ev->fields[field], r->payload);
}

static void on_post(struct report_irq *q, struct report *rp, const struct trace_rec *r)
{
	uint64_t cpu = get(r, 2), vector = get(r, 3), source = get(r, 4);

	if (cpu >= TESSERA_TRACE_MAX_CPUS || vector >= NR_VECTORS)
		return;
	report_row_get(&rp->vcpus[cpu], REPORT_T_IRQ_POST_INJECT, vector | source << 8)->count++;
	struct irq_post_open *p = &q->cpus[cpu].post[vector];
	if (!p->open)
		*p = (struct irq_post_open){
			.open = true, .source = (uint8_t)source, .from_cpu = r->cpu, .ns = r->ns};
}

static void on_inject(struct report_irq *q, struct report *rp, const struct trace_rec *r)
{
	struct irq_cpu *t = &q->cpus[r->cpu];
	uint64_t vector = get(r, 0), kind = get(r, 1);
	struct irq_post_open *p = &t->post[vector & 0xff];

	if ((kind != TESSERA_TRACE_IRQ_INTERRUPT && kind != TESSERA_TRACE_IRQ_NMI) || !p->open)
		return;
	p->open = false;
	if (t->injected)
		rp->vcpus[r->cpu].excluded++; /* two injections before one entry: the first is not timed */
	t->injected = true;
	t->from_cpu = p->from_cpu;
	t->post_ns = p->ns;
	t->inject_ns = r->ns;
	t->key = vector | (uint64_t)p->source << 8;
	report_row_get(&rp->vcpus[r->cpu], REPORT_T_IRQ_INJECT_RESUME, t->key)->count++;
	report_row_get(&rp->vcpus[r->cpu], REPORT_T_IRQ_POST_RESUME, t->key)->count++;
}

static void on_entry(struct report_irq *q, struct report *rp, const struct trace_rec *r)
{
	struct irq_cpu *t = &q->cpus[r->cpu];
	struct report_scope *v = &rp->vcpus[r->cpu];

	if (!t->injected)
		return;
	t->injected = false;
	if (lost_between(&q->loss[t->from_cpu], t->post_ns, r->ns) ||
	    lost_between(&q->loss[r->cpu], t->post_ns, r->ns)) {
		v->excluded++;
		return;
	}
	report_row_sample(report_row_get(v, REPORT_T_IRQ_POST_INJECT, t->key), t->inject_ns - t->post_ns);
	report_row_sample(report_row_get(v, REPORT_T_IRQ_INJECT_RESUME, t->key), r->ns - t->inject_ns);
	report_row_sample(report_row_get(v, REPORT_T_IRQ_POST_RESUME, t->key), r->ns - t->post_ns);
}

/* A cell (re)started or stopped: its vLAPICs start empty, nothing posted before still waits. */
static void on_cell_state(struct report_irq *q, const struct trace_rec *r)
{
	uint64_t cell = get(r, 0);

	if (cell >= TESSERA_TRACE_MAX_CELLS)
		return;
	for (unsigned int c = 0; c < TESSERA_TRACE_MAX_CPUS; c++)
		if (q->td->cell_cpus[cell] >> c & 1)
			q->cpus[c] = (struct irq_cpu){0};
}

void report_irq_record(struct report_irq *q, struct report *rp, const struct trace_rec *r)
{
	switch (r->ev->id) {
	case TESSERA_TRACE_EV_irq_post: on_post(q, rp, r); break;
	case TESSERA_TRACE_EV_irq_inject: on_inject(q, rp, r); break;
	case TESSERA_TRACE_EV_entry: on_entry(q, rp, r); break;
	case TESSERA_TRACE_EV_cell_state: on_cell_state(q, r); break;
	default: break;
	}
}
