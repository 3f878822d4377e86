/*
 * Trace reports: the model (report_model.c) printed as text, JSON (jansson) or CSV. Handler time is the
 * time from an `exit` record to the next `entry` record of the same CPU, as perf kvm stat measures VM
 * exits; no interval that a loss falls into is used (report_model.h).
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/abi/hypercall.h>

#include "formats.h"
#include "report.h"
#include "report_model.h"

static uint64_t get(const struct trace_rec *r, unsigned int field)
{
	return trace_field_get(&r->ev->fields[field], r->payload);
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

static void print_timef(FILE *out, double ns)
{
	print_time(out, (uint64_t)(ns + 0.5));
}

static const char *cell_name(const struct trace_dir *td, int c)
{
	return c >= 0 && c < (int)td->nr_cells && td->cell_names[c][0] ? td->cell_names[c] : "?";
}

/* The sum of a table's counts and of its rows' times, for the share and Time% columns. */
static void table_sums(const struct report_scope *s, enum report_table t, uint64_t *count, uint64_t *total)
{
	*count = *total = 0;
	for (size_t i = 0; i < s->nr_rows; i++)
		if (s->rows[i].table == t) {
			*count += s->rows[i].count;
			*total += s->rows[i].total;
		}
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void print_hist(FILE *out, const struct report_row *r)
{
	uint64_t most = 0;

	for (unsigned int b = 0; b < REPORT_HIST_BUCKETS; b++)
		most = r->hist[b] > most ? r->hist[b] : most;
	for (unsigned int b = 0; b < REPORT_HIST_BUCKETS; b++) {
		if (!r->hist[b])
			continue;
		fprintf(out, "      [");
		print_time(out, b ? 1ULL << b : 0);
		fprintf(out, ",");
		print_time(out, 2ULL << b);
		fprintf(out, ") %10" PRIu64 " %.*s\n", r->hist[b], (int)(40 * r->hist[b] / most),
			"########################################");
	}
}

/* One latency table of a scope; hv: the hypervisor's own exit counters per reason (or NULL). */
static void print_table(FILE *out, const struct report_scope *s, enum report_table t, const uint64_t *hv,
			bool histogram)
{
	uint64_t count, total;
	char key[64];
	bool any = false;

	table_sums(s, t, &count, &total);
	for (size_t i = 0; i < s->nr_rows; i++) {
		const struct report_row *r = &s->rows[i];
		if (r->table != t)
			continue;
		if (!any) {
			fprintf(out, "  %-14s %10s %7s %10s %7s %10s %10s %10s %10s %10s %10s",
				t == REPORT_T_EXIT ? "reason" : report_table_key_title(t), "count", "share",
				"total", "Time%", "min", "median", "mean", "+-stddev", "p99", "max");
			if (hv)
				fprintf(out, " %10s", "hv count");
			fprintf(out, "\n");
			any = true;
		}
		report_key_text(t, r->key, key, sizeof(key));
		fprintf(out, "  %-14s %10" PRIu64 " %6.2f%%", key, r->count, pct(r->count, count));
		if (r->n) {
			print_time(out, r->total);
			fprintf(out, " %6.2f%%", pct(r->total, total));
			print_time(out, r->min);
			print_time(out, r->median);
			print_timef(out, r->mean);
			print_timef(out, r->stddev);
			print_time(out, r->p99);
			print_time(out, r->max);
		} else {
			fprintf(out, " %10s %7s %10s %10s %10s %10s %10s %10s", "-", "-", "-", "-", "-", "-",
				"-", "-");
		}
		if (hv)
			fprintf(out, " %10" PRIu64, r->key < TESSERA_ER_COUNT ? hv[r->key] : 0);
		fprintf(out, "\n");
		if (histogram && r->n)
			print_hist(out, r);
	}
}

static const char *const table_titles[REPORT_T_COUNT] = {
	[REPORT_T_PIO] = "port exits by port (handler time)",
	[REPORT_T_MSR] = "MSR exits by MSR (handler time)",
	[REPORT_T_MMIO] = "nested page faults by guest-physical address (handler time)",
	[REPORT_T_HYPERCALL] = "hypercalls by number (handler time)",
	[REPORT_T_IRQ] = "injections by vector/kind (injection -> the guest resumes)",
	[REPORT_T_IRQ_POST_INJECT] = "interrupt latency by vector/source: post -> injection",
	[REPORT_T_IRQ_INJECT_RESUME] = "interrupt latency by vector/source: injection -> the guest resumes",
	[REPORT_T_IRQ_POST_RESUME] = "interrupt latency by vector/source: post -> the guest resumes",
};

static void print_times(FILE *out, const struct report_scope *s)
{
	uint64_t all = s->guest_ns + s->hv_ns + s->lost_ns;

	fprintf(out, "  time: guest");
	print_time(out, s->guest_ns);
	fprintf(out, " (%.2f%%), hypervisor", pct(s->guest_ns, all));
	print_time(out, s->hv_ns);
	fprintf(out, " (%.2f%%), lost", pct(s->hv_ns, all));
	print_time(out, s->lost_ns);
	fprintf(out, " (%.2f%%); %" PRIu64 " intervals excluded (a loss inside)\n", pct(s->lost_ns, all),
		s->excluded);
}

/* The tables of s from `first` on that have rows, each under its title. */
static void print_tables_from(FILE *out, const struct report_scope *s, enum report_table first,
			      bool histogram)
{
	for (enum report_table t = first; t < REPORT_T_COUNT; t++) {
		uint64_t count, total;
		table_sums(s, t, &count, &total);
		if (!count)
			continue;
		fprintf(out, "  %s:\n", table_titles[t]);
		print_table(out, s, t, NULL, histogram);
	}
}

static void print_scope(FILE *out, const struct report_scope *s, const uint64_t *hv, bool histogram)
{
	print_times(out, s);
	print_table(out, s, REPORT_T_EXIT, hv, histogram);
	print_tables_from(out, s, REPORT_T_PIO, histogram);
}

static unsigned int cell_vcpus(const struct report *rp, const struct trace_dir *td, int cell)
{
	unsigned int n = 0;

	for (unsigned int c = 0; c < td->nr_cpus; c++)
		n += rp->vcpus[c].cell == cell;
	return n;
}

static void print_text(FILE *out, const struct trace_dir *td, const struct report *rp, bool histogram)
{
	uint64_t places = 0;

	for (unsigned int c = 0; c < td->nr_cpus; c++)
		places += td->nr_losses[c];
	fprintf(out,
		"trace: %u CPUs, %u cells, %" PRIu64 " events recorded, %" PRIu64 " lost in %" PRIu64
		" places, TSC %" PRIu64 " Hz (%s)\n",
		td->nr_cpus, td->nr_cells, rp->records, rp->lost, places, td->ns_hz,
		td->ns_hz != td->tsc_hz ? "measured against the host clock"
					: "the hypervisor's PIT calibration");
	for (unsigned int c = 0; c < TESSERA_TRACE_MAX_CELLS; c++) {
		const struct report_scope *s = &rp->cells[c];
		if (c >= td->nr_cells && !s->events)
			continue;
		fprintf(out, "\ncell %u '%s': %" PRIu64 " events, %" PRIu64 " exits, %" PRIu64 " violations",
			c, cell_name(td, (int)c), s->events, s->exits, s->violations);
		if (td->have_counters)
			fprintf(out, " (hv count %" PRIu64 ")", td->cell_violations[c]);
		if (td->cell_cpus[c])
			fprintf(out, ", %" PRIu64 " lost",
				trace_dir_cell_lost(td, c, TESSERA_TRACE_MAX_EVENTS));
		fprintf(out, "\n");
		print_scope(out, s, td->have_counters ? td->cell_exits[c] : NULL, histogram);
		if (s->hc_errors)
			fprintf(out, "  (%" PRIu64 " hypercalls returned an error)\n", s->hc_errors);
		if (cell_vcpus(rp, td, (int)c) < 2)
			continue;
		for (unsigned int v = 0; v < td->nr_cpus; v++) {
			if (rp->vcpus[v].cell != (int)c)
				continue;
			fprintf(out, " vcpu on cpu %u: %" PRIu64 " exits, %" PRIu64 " lost\n", v,
				rp->vcpus[v].exits, rp->vcpus[v].lost_records);
			print_times(out, &rp->vcpus[v]);
			print_table(out, &rp->vcpus[v], REPORT_T_EXIT, NULL, histogram);
			print_tables_from(out, &rp->vcpus[v], REPORT_T_IRQ_POST_INJECT, histogram);
		}
	}
	if (rp->lost) {
		fprintf(out, "\nlost events (ring full):\n");
		for (unsigned int c = 0; c < td->nr_cpus; c++) {
			if (!td->lost[c])
				continue;
			fprintf(out,
				"  cpu %u: %" PRIu64 " in %" PRIu64 " places, %" PRIu64
				" after the last record (",
				c, td->lost[c], td->nr_losses[c], td->tail_lost[c]);
			for (unsigned int e = 0; e < TESSERA_TRACE_MAX_EVENTS; e++) {
				const struct trace_event_desc *ev = trace_event_by_id(e);
				if (td->lost_per_event[c][e])
					fprintf(out, " %s=%" PRIu64, ev ? ev->name : "?",
						td->lost_per_event[c][e]);
			}
			fprintf(out, " )\n");
		}
	}
}

/* ---- JSON ---- */

static json_t *row_json(const struct report_scope *s, const struct report_row *r, const uint64_t *hv)
{
	uint64_t count, total;
	char key[64];
	json_t *o = json_object(), *h = json_array();

	table_sums(s, r->table, &count, &total);
	report_key_text(r->table, r->key, key, sizeof(key));
	json_object_set_new(o, "key", json_integer((json_int_t)r->key));
	json_object_set_new(o, "name", json_string(key));
	json_object_set_new(o, "count", json_integer((json_int_t)r->count));
	json_object_set_new(o, "share_pct", json_real(pct(r->count, count)));
	json_object_set_new(o, "intervals", json_integer((json_int_t)r->n));
	json_object_set_new(o, "total_ns", json_integer((json_int_t)r->total));
	json_object_set_new(o, "time_pct", json_real(pct(r->total, total)));
	json_object_set_new(o, "min_ns", r->n ? json_integer((json_int_t)r->min) : json_null());
	json_object_set_new(o, "median_ns", r->n ? json_integer((json_int_t)r->median) : json_null());
	json_object_set_new(o, "mean_ns", r->n ? json_real(r->mean) : json_null());
	json_object_set_new(o, "stddev_ns", r->n ? json_real(r->stddev) : json_null());
	json_object_set_new(o, "p99_ns", r->n ? json_integer((json_int_t)r->p99) : json_null());
	json_object_set_new(o, "max_ns", r->n ? json_integer((json_int_t)r->max) : json_null());
	if (hv)
		json_object_set_new(o, "hv_count",
				    json_integer((json_int_t)(r->key < TESSERA_ER_COUNT ? hv[r->key] : 0)));
	/* log2 buckets: [2^b, 2^(b+1)) ns; only those with latencies, as [b, count] pairs. */
	for (unsigned int b = 0; b < REPORT_HIST_BUCKETS; b++)
		if (r->hist[b])
			json_array_append_new(h, json_pack("[iI]", b, (json_int_t)r->hist[b]));
	json_object_set_new(o, "histogram_log2_ns", h);
	return o;
}

static json_t *scope_json(const struct report_scope *s, const uint64_t *hv)
{
	json_t *o = json_object(), *tables = json_object();

	json_object_set_new(o, "exits", json_integer((json_int_t)s->exits));
	json_object_set_new(o, "violations", json_integer((json_int_t)s->violations));
	json_object_set_new(o, "hypercall_errors", json_integer((json_int_t)s->hc_errors));
	json_object_set_new(o, "guest_ns", json_integer((json_int_t)s->guest_ns));
	json_object_set_new(o, "hypervisor_ns", json_integer((json_int_t)s->hv_ns));
	json_object_set_new(o, "lost_ns", json_integer((json_int_t)s->lost_ns));
	json_object_set_new(o, "excluded_intervals", json_integer((json_int_t)s->excluded));
	json_object_set_new(o, "loss_places", json_integer((json_int_t)s->losses));
	json_object_set_new(o, "lost_records", json_integer((json_int_t)s->lost_records));
	for (enum report_table t = 0; t < REPORT_T_COUNT; t++) {
		json_t *a = json_array();
		for (size_t i = 0; i < s->nr_rows; i++)
			if (s->rows[i].table == t)
				json_array_append_new(
					a, row_json(s, &s->rows[i], t == REPORT_T_EXIT ? hv : NULL));
		json_object_set_new(tables, report_table_name(t), a);
	}
	json_object_set_new(o, "tables", tables);
	return o;
}

static void print_json(FILE *out, const struct trace_dir *td, const struct report *rp)
{
	json_t *root = json_object(), *cells = json_array(), *cpus = json_array();

	json_object_set_new(root, "nr_cpus", json_integer(td->nr_cpus));
	json_object_set_new(root, "tsc_hz", json_integer((json_int_t)td->ns_hz));
	json_object_set_new(root, "tsc_hz_pit", json_integer((json_int_t)td->tsc_hz));
	json_object_set_new(root, "records", json_integer((json_int_t)rp->records));
	json_object_set_new(root, "lost", json_integer((json_int_t)rp->lost));
	for (unsigned int c = 0; c < td->nr_cpus; c++) {
		json_t *o = json_object(), *per = json_object();
		json_object_set_new(o, "cpu", json_integer(c));
		json_object_set_new(o, "lost", json_integer((json_int_t)td->lost[c]));
		json_object_set_new(o, "loss_places", json_integer((json_int_t)td->nr_losses[c]));
		json_object_set_new(o, "lost_after_last_record", json_integer((json_int_t)td->tail_lost[c]));
		json_object_set_new(o, "produced", json_integer((json_int_t)td->produced[c]));
		for (unsigned int e = 0; e < TESSERA_TRACE_MAX_EVENTS; e++) {
			const struct trace_event_desc *ev = trace_event_by_id(e);
			if (td->lost_per_event[c][e])
				json_object_set_new(per, ev ? ev->name : "?",
						    json_integer((json_int_t)td->lost_per_event[c][e]));
		}
		json_object_set_new(o, "lost_per_event", per);
		json_array_append_new(cpus, o);
	}
	json_object_set_new(root, "cpus", cpus);
	for (unsigned int c = 0; c < TESSERA_TRACE_MAX_CELLS; c++) {
		const struct report_scope *s = &rp->cells[c];
		const uint64_t *hv = td->have_counters ? td->cell_exits[c] : NULL;
		if (c >= td->nr_cells && !s->events)
			continue;
		json_t *o = scope_json(s, hv), *vcpus = json_array();
		json_object_set_new(o, "id", json_integer(c));
		json_object_set_new(o, "name", json_string(cell_name(td, (int)c)));
		json_object_set_new(o, "events", json_integer((json_int_t)s->events));
		json_object_set_new(o, "hv_violations",
				    td->have_counters ? json_integer((json_int_t)td->cell_violations[c])
						      : json_null());
		for (unsigned int v = 0; v < td->nr_cpus; v++) {
			if (rp->vcpus[v].cell != (int)c)
				continue;
			json_t *vo = scope_json(&rp->vcpus[v], NULL);
			json_object_set_new(vo, "cpu", json_integer(v));
			json_array_append_new(vcpus, vo);
		}
		json_object_set_new(o, "vcpus", vcpus);
		json_array_append_new(cells, o);
	}
	json_object_set_new(root, "cells", cells);
	json_dumpf(root, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(root);
}

/* ---- CSV: one row per table row of every scope, and the time rows ---- */

static void csv_scope(FILE *out, const struct trace_dir *td, const struct report_scope *s, int cell, int cpu)
{
	const char *name = cell_name(td, cell);
	char key[64];

	fprintf(out, "%d,%s,%d,time,guest_ns,%" PRIu64 ",,,,,,,,,,\n", cell, name, cpu, s->guest_ns);
	fprintf(out, "%d,%s,%d,time,hypervisor_ns,%" PRIu64 ",,,,,,,,,,\n", cell, name, cpu, s->hv_ns);
	fprintf(out, "%d,%s,%d,time,lost_ns,%" PRIu64 ",,,,,,,,,,\n", cell, name, cpu, s->lost_ns);
	fprintf(out, "%d,%s,%d,time,excluded_intervals,%" PRIu64 ",,,,,,,,,,\n", cell, name, cpu,
		s->excluded);
	for (size_t i = 0; i < s->nr_rows; i++) {
		const struct report_row *r = &s->rows[i];
		uint64_t count, total;
		table_sums(s, r->table, &count, &total);
		report_key_text(r->table, r->key, key, sizeof(key));
		fprintf(out, "%d,%s,%d,%s,%s,%" PRIu64 ",%.4f,%zu,%" PRIu64 ",%.4f", cell, name, cpu,
			report_table_name(r->table), key, r->count, pct(r->count, count), r->n, r->total,
			pct(r->total, total));
		if (r->n)
			fprintf(out, ",%" PRIu64 ",%" PRIu64 ",%.1f,%.1f,%" PRIu64 ",%" PRIu64 "\n", r->min,
				r->median, r->mean, r->stddev, r->p99, r->max);
		else
			fprintf(out, ",,,,,,\n");
	}
}

static void print_csv(FILE *out, const struct trace_dir *td, const struct report *rp)
{
	fprintf(out, "cell,name,cpu,table,key,count,share_pct,intervals,total_ns,time_pct,min_ns,median_ns,"
		     "mean_ns,stddev_ns,p99_ns,max_ns\n");
	for (unsigned int c = 0; c < TESSERA_TRACE_MAX_CELLS; c++) {
		if (c >= td->nr_cells && !rp->cells[c].events)
			continue;
		csv_scope(out, td, &rp->cells[c], (int)c, -1);
		for (unsigned int v = 0; v < td->nr_cpus; v++)
			if (rp->vcpus[v].cell == (int)c)
				csv_scope(out, td, &rp->vcpus[v], (int)c, (int)v);
	}
}

void trace_report_as(FILE *out, const struct trace_dir *td, enum trace_report_format fmt, bool histogram)
{
	struct report *rp = report_build(td);

	if (fmt == TRACE_REPORT_JSON)
		print_json(out, td, rp);
	else if (fmt == TRACE_REPORT_CSV)
		print_csv(out, td, rp);
	else
		print_text(out, td, rp, histogram);
	report_free(rp);
}

void trace_report(FILE *out, const struct trace_dir *td)
{
	trace_report_as(out, td, TRACE_REPORT_TEXT, false);
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
