/*
 * Trace reports. Handler time is the time from an `exit` record to the next `entry` record of the same
 * CPU, as perf kvm stat measures VM exits; an exit with no entry after it (the cell stopped) has none.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/abi/hypercall.h>

#include "formats.h"
#include "report.h"

struct samples {
	uint64_t *v;
	size_t n, cap;
};

struct cell_report {
	uint64_t exits[TESSERA_ER_COUNT];
	struct samples times[TESSERA_ER_COUNT];
	uint64_t hypercalls[TESSERA_HC_COUNT + 1]; /* last slot: unknown numbers */
	uint64_t hc_errors;
	uint64_t violations;
	uint64_t events;
};

struct report_ctx {
	struct cell_report cells[TESSERA_TRACE_MAX_CELLS];
	bool pending[TESSERA_TRACE_MAX_CPUS];
	unsigned int pending_reason[TESSERA_TRACE_MAX_CPUS];
	int pending_cell[TESSERA_TRACE_MAX_CPUS];
	uint64_t pending_ns[TESSERA_TRACE_MAX_CPUS];
};

static void samples_add(struct samples *s, uint64_t v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = v;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t get(const struct trace_rec *r, unsigned int field)
{
	return trace_field_get(&r->ev->fields[field], r->payload);
}

static int collect(const struct trace_rec *r, void *arg)
{
	struct report_ctx *ctx = arg;
	struct cell_report *cr;

	if (!r->ev || r->cell < 0 || r->cell >= TESSERA_TRACE_MAX_CELLS)
		return 0;
	cr = &ctx->cells[r->cell];
	cr->events++;
	switch (r->ev->id) {
	case TESSERA_TRACE_EV_exit: {
		unsigned int reason = get(r, 0);
		if (reason >= TESSERA_ER_COUNT)
			reason = TESSERA_ER_UNKNOWN;
		cr->exits[reason]++;
		ctx->pending[r->cpu] = true;
		ctx->pending_reason[r->cpu] = reason;
		ctx->pending_cell[r->cpu] = r->cell;
		ctx->pending_ns[r->cpu] = r->ns;
		break;
	}
	case TESSERA_TRACE_EV_entry:
		if (ctx->pending[r->cpu] && ctx->pending_cell[r->cpu] == r->cell)
			samples_add(&cr->times[ctx->pending_reason[r->cpu]], r->ns - ctx->pending_ns[r->cpu]);
		ctx->pending[r->cpu] = false;
		break;
	case TESSERA_TRACE_EV_hypercall: {
		uint64_t nr = get(r, 0);
		cr->hypercalls[nr < TESSERA_HC_COUNT ? nr : TESSERA_HC_COUNT]++;
		if ((int64_t)get(r, 1) < 0)
			cr->hc_errors++;
		break;
	}
	case TESSERA_TRACE_EV_violation: cr->violations++; break;
	default: break;
	}
	return 0;
}

static void print_time(FILE *out, uint64_t ns)
{
	if (ns < 10000)
		fprintf(out, " %8" PRIu64 "ns", ns);
	else if (ns < 10000000)
		fprintf(out, " %8.2fus", ns / 1e3);
	else
		fprintf(out, " %8.2fms", ns / 1e6);
}

static void print_cell(FILE *out, const struct trace_dir *td, unsigned int c, struct cell_report *cr)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < TESSERA_ER_COUNT; i++)
		total += cr->exits[i];
	fprintf(out, "\ncell %u '%s': %" PRIu64 " events, %" PRIu64 " exits, %" PRIu64 " violations", c,
		td->cell_names[c][0] ? td->cell_names[c] : "?", cr->events, total, cr->violations);
	if (td->have_counters)
		fprintf(out, " (hv count %" PRIu64 ")", td->cell_violations[c]);
	if (td->cell_cpus[c])
		fprintf(out, ", %" PRIu64 " lost", trace_dir_cell_lost(td, c, TESSERA_TRACE_MAX_EVENTS));
	fprintf(out, "\n");
	fprintf(out, "  %-10s %10s %7s %10s %10s %10s %10s", "reason", "count", "share", "min", "median",
		"p99", "max");
	if (td->have_counters)
		fprintf(out, " %10s", "hv count");
	fprintf(out, "\n");
	for (unsigned int i = 0; i < TESSERA_ER_COUNT; i++) {
		struct samples *s = &cr->times[i];
		if (!cr->exits[i] && !(td->have_counters && td->cell_exits[c][i]))
			continue;
		fprintf(out, "  %-10s %10" PRIu64 " %6.2f%%", trace_symbol(TRACE_D_EXIT_REASON, i),
			cr->exits[i], total ? 100.0 * cr->exits[i] / total : 0.0);
		if (s->n) {
			qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
			print_time(out, s->v[0]);
			print_time(out, s->v[(s->n - 1) / 2]);
			print_time(out, s->v[(s->n * 99 + 99) / 100 - 1]);
			print_time(out, s->v[s->n - 1]);
		} else {
			fprintf(out, " %10s %10s %10s %10s", "-", "-", "-", "-");
		}
		if (td->have_counters)
			fprintf(out, " %10" PRIu64, td->cell_exits[c][i]);
		fprintf(out, "\n");
	}
	bool any = false;
	for (unsigned int h = 0; h <= TESSERA_HC_COUNT; h++) {
		if (!cr->hypercalls[h])
			continue;
		if (!any)
			fprintf(out, "  hypercalls:");
		any = true;
		fprintf(out, " %s=%" PRIu64,
			h < TESSERA_HC_COUNT ? trace_symbol(TRACE_D_HYPERCALL, h) : "other",
			cr->hypercalls[h]);
	}
	if (any)
		fprintf(out, " (%" PRIu64 " returned an error)\n", cr->hc_errors);
}

void trace_report(FILE *out, const struct trace_dir *td)
{
	struct report_ctx *ctx = calloc(1, sizeof(*ctx));
	uint64_t produced = 0, lost = 0;

	trace_dir_for_each(td, collect, ctx);
	for (unsigned int c = 0; c < td->nr_cpus; c++) {
		produced += td->produced[c];
		lost += td->lost[c];
	}
	fprintf(out,
		"trace: %u CPUs, %u cells, %" PRIu64 " events recorded, %" PRIu64 " lost, TSC %" PRIu64
		" Hz\n",
		td->nr_cpus, td->nr_cells, produced, lost, td->tsc_hz);
	for (unsigned int c = 0; c < TESSERA_TRACE_MAX_CELLS; c++) {
		if (c < td->nr_cells || ctx->cells[c].events)
			print_cell(out, td, c, &ctx->cells[c]);
		for (unsigned int i = 0; i < TESSERA_ER_COUNT; i++)
			free(ctx->cells[c].times[i].v);
	}
	if (lost) {
		fprintf(out, "\nlost events (ring full):\n");
		for (unsigned int c = 0; c < td->nr_cpus; c++) {
			if (!td->lost[c])
				continue;
			fprintf(out, "  cpu %u: %" PRIu64 " (", c, td->lost[c]);
			for (unsigned int e = 0; e < TESSERA_TRACE_MAX_EVENTS; e++) {
				const struct trace_event_desc *ev = trace_event_by_id(e);
				if (td->lost_per_event[c][e])
					fprintf(out, " %s=%" PRIu64, ev ? ev->name : "?",
						td->lost_per_event[c][e]);
			}
			fprintf(out, " )\n");
		}
	}
	free(ctx);
}

static int count_exit(const struct trace_rec *r, void *arg)
{
	uint64_t(*counts)[TESSERA_ER_COUNT] = arg;

	if (r->ev && r->ev->id == TESSERA_TRACE_EV_exit && r->cell >= 0 &&
	    r->cell < TESSERA_TRACE_MAX_CELLS) {
		unsigned int reason = get(r, 0);
		counts[r->cell][reason < TESSERA_ER_COUNT ? reason : TESSERA_ER_UNKNOWN]++;
	}
	return 0;
}

void trace_count_exits(const struct trace_dir *td, uint64_t counts[TESSERA_TRACE_MAX_CELLS][TESSERA_ER_COUNT])
{
	memset(counts, 0, sizeof(uint64_t) * TESSERA_TRACE_MAX_CELLS * TESSERA_ER_COUNT);
	trace_dir_for_each(td, count_exit, counts);
}

struct timeline_ctx {
	FILE *out;
	const struct trace_dir *td;
};

static int timeline_line(const struct trace_rec *r, void *arg)
{
	struct timeline_ctx *t = arg;
	const char *cell = r->cell < 0			    ? "hv"
			   : r->cell < (int)t->td->nr_cells ? t->td->cell_names[r->cell]
							    : "?";

	fprintf(t->out, "%12.3f us  %*scpu%u %-8s ", r->ns / 1e3, (int)r->cpu * 2, "", r->cpu, cell);
	if (r->ev)
		trace_format_record(t->out, r->ev, r->payload);
	else
		fprintf(t->out, "unknown event %u", ((const struct tessera_trace_common *)r->payload)->type);
	fputc('\n', t->out);
	return 0;
}

void trace_report_timeline(FILE *out, const struct trace_dir *td)
{
	struct timeline_ctx t = {out, td};

	trace_dir_for_each(td, timeline_line, &t);
}
