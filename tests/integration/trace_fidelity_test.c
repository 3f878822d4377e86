/*
 * Trace fidelity against the real hypervisor: a flooded ring's losses appear where they happened, with
 * their counts, in the raw records, the report (no latency spans one), babeltrace2's reading of the CTF
 * and trace-cmd's reading of the trace.dat; the trace.dat of the pingpong system shows hypervisor and
 * guest time as different tasks; `trace report --json` of the default system, field by field.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../trace/report.h"
#include "../../trace/report_model.h"
#include "../../trace/tracedir.h"
#include "harness.h"

#define MAX_PLACES 100000

/* Records CONFIG (NULL: the default) with the recorder options into a fresh directory. */
static char *record(const char *config, const char *const *opts)
{
	static char dir[64];
	const char *args[32] = {"trace", "record", "-o"};
	unsigned int n = 3;
	struct tessera_proc p;

	strcpy(dir, "/tmp/tessera-fid-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	args[n++] = dir;
	for (; opts && *opts; opts++)
		args[n++] = *opts;
	args[n++] = "--";
	if (config) {
		args[n++] = "--config";
		args[n++] = config;
	}
	args[n++] = "--timeout";
	args[n++] = "60";
	args[n] = NULL;
	tessera_run(&p, 90, args);
	cr_assert_eq(p.status, 0, "tessera trace record failed (%d): %s", p.status, p.err);
	tessera_free(&p);
	return dir;
}

static void load(struct trace_dir *td, const char *dir)
{
	char err[512];

	cr_assert_eq(trace_dir_load(td, dir, err, sizeof(err)), 0, "%s", err);
}

/* The losses of one CPU in stream order, as the raw records' sequence numbers show them. */
struct places {
	uint64_t n;
	uint64_t count[MAX_PLACES];
	uint64_t at[MAX_PLACES]; /* the first record after the loss: its index in the CPU's records */
	uint64_t records;
	uint64_t valid_pairs; /* exit -> entry with no loss between */
	uint64_t max_valid_ns;
	bool open;
	uint64_t open_ns;
};

static int scan(const struct trace_rec *r, void *arg)
{
	struct places *pl = arg;

	if (r->lost_before) {
		cr_assert_lt(pl->n, MAX_PLACES);
		pl->count[pl->n] = r->lost_before;
		pl->at[pl->n++] = pl->records;
		pl->open = false;
	}
	pl->records++;
	if (r->ev && r->ev->id == TESSERA_TRACE_EV_exit) {
		pl->open = true;
		pl->open_ns = r->ns;
	} else if (r->ev && r->ev->id == TESSERA_TRACE_EV_entry && pl->open) {
		pl->valid_pairs++;
		if (r->ns - pl->open_ns > pl->max_valid_ns)
			pl->max_valid_ns = r->ns - pl->open_ns;
		pl->open = false;
	}
	return 0;
}

/*
 * Interrupt latency recomputed from the raw records, for the report to match: each post opens its
 * vector on the target CPU (later posts before the injection merge), its injection (interrupt or nmi)
 * and the next entry there close it. A triple counts when neither CPU has a loss between the post and
 * the entry: a loss lies between the record that reports it (lost_before) and the one before it.
 */
#define IRQ_MAX_TRIPLES 200000
#define IRQ_MAX_LOSSES	20000

struct irq_triples {
	struct {
		bool open;
		unsigned int from;
		uint64_t ns;
	} post[TESSERA_TRACE_MAX_CPUS][256];
	bool injected[TESSERA_TRACE_MAX_CPUS];
	unsigned int from[TESSERA_TRACE_MAX_CPUS];
	uint64_t post_ns[TESSERA_TRACE_MAX_CPUS], inject_ns[TESSERA_TRACE_MAX_CPUS];
	uint64_t prev_ns[TESSERA_TRACE_MAX_CPUS];
	uint64_t loss_from[TESSERA_TRACE_MAX_CPUS][IRQ_MAX_LOSSES],
		loss_to[TESSERA_TRACE_MAX_CPUS][IRQ_MAX_LOSSES];
	unsigned int nr_losses[TESSERA_TRACE_MAX_CPUS];
	uint64_t n, t1[IRQ_MAX_TRIPLES], t2[IRQ_MAX_TRIPLES], t3[IRQ_MAX_TRIPLES];
	unsigned int a[IRQ_MAX_TRIPLES], b[IRQ_MAX_TRIPLES];
};

static uint64_t field(const struct trace_rec *r, const char *name)
{
	for (unsigned int i = 0; i < r->ev->nr_fields; i++)
		if (!strcmp(r->ev->fields[i].name, name))
			return trace_field_get(&r->ev->fields[i], r->payload);
	cr_assert_fail("event %s has no field %s", r->ev->name, name);
	return 0;
}

static int irq_walk(const struct trace_rec *r, void *arg)
{
	struct irq_triples *t = arg;
	unsigned int c = r->cpu;

	if (r->lost_before) {
		cr_assert_lt(t->nr_losses[c], IRQ_MAX_LOSSES);
		t->loss_from[c][t->nr_losses[c]] = t->prev_ns[c];
		t->loss_to[c][t->nr_losses[c]++] = r->ns;
	}
	t->prev_ns[c] = r->ns;
	if (!r->ev)
		return 0;
	if (r->ev->id == TESSERA_TRACE_EV_irq_post) {
		unsigned int to = (unsigned int)field(r, "cpu"), v = (unsigned int)field(r, "vector");
		if (!t->post[to][v].open) {
			t->post[to][v].open = true;
			t->post[to][v].from = c;
			t->post[to][v].ns = r->ns;
		}
	} else if (r->ev->id == TESSERA_TRACE_EV_irq_inject) {
		unsigned int v = (unsigned int)field(r, "vector"), kind = (unsigned int)field(r, "kind");
		if ((kind == TESSERA_TRACE_IRQ_INTERRUPT || kind == TESSERA_TRACE_IRQ_NMI) &&
		    t->post[c][v].open) {
			t->post[c][v].open = false;
			t->injected[c] = true;
			t->from[c] = t->post[c][v].from;
			t->post_ns[c] = t->post[c][v].ns;
			t->inject_ns[c] = r->ns;
		}
	} else if (r->ev->id == TESSERA_TRACE_EV_entry && t->injected[c]) {
		cr_assert_lt(t->n, IRQ_MAX_TRIPLES);
		t->a[t->n] = t->from[c];
		t->b[t->n] = c;
		t->t1[t->n] = t->post_ns[c];
		t->t2[t->n] = t->inject_ns[c];
		t->t3[t->n++] = r->ns;
		t->injected[c] = false;
	} else if (r->ev->id == TESSERA_TRACE_EV_cell_state) {
		cr_assert_lt(field(r, "cell"), TESSERA_TRACE_MAX_CELLS);
	}
	return 0;
}

/* Did CPU c lose records between t1 and t3 (by plain search)? */
static bool irq_lost(const struct irq_triples *t, unsigned int c, uint64_t t1, uint64_t t3)
{
	for (unsigned int i = 0; i < t->nr_losses[c]; i++)
		if (t->loss_to[c][i] > t1 && t->loss_from[c][i] < t3)
			return true;
	return false;
}

/*
 * The report's three interrupt latency tables of every CPU against the raw records: as many intervals
 * as triples with no loss on either CPU (the same number in the three tables), no latency above the
 * largest such triple's, and post -> resume = post -> injection + injection -> resume in total.
 * Returns the triples excluded for a loss.
 */
static uint64_t check_irq_latency(const struct trace_dir *td, const struct report *rp)
{
	static struct irq_triples t;
	uint64_t excluded = 0;

	memset(&t, 0, sizeof(t));
	trace_dir_for_each(td, irq_walk, &t);
	for (unsigned int c = 0; c < td->nr_cpus; c++) {
		uint64_t n = 0, max[3] = {0}, tot[3] = {0}, got_n[3] = {0}, got_max[3] = {0},
			 got_tot[3] = {0};
		for (uint64_t i = 0; i < t.n; i++) {
			if (t.b[i] != c)
				continue;
			if (irq_lost(&t, t.a[i], t.t1[i], t.t3[i]) || irq_lost(&t, c, t.t1[i], t.t3[i])) {
				excluded++;
				continue;
			}
			uint64_t d[3] = {t.t2[i] - t.t1[i], t.t3[i] - t.t2[i], t.t3[i] - t.t1[i]};
			n++;
			for (unsigned int k = 0; k < 3; k++) {
				tot[k] += d[k];
				max[k] = d[k] > max[k] ? d[k] : max[k];
			}
		}
		const struct report_scope *v = &rp->vcpus[c];
		for (size_t i = 0; i < v->nr_rows; i++) {
			int k = v->rows[i].table - REPORT_T_IRQ_POST_INJECT;
			if (k < 0 || k > 2)
				continue;
			got_n[k] += v->rows[i].n;
			got_tot[k] += v->rows[i].total;
			got_max[k] = v->rows[i].max > got_max[k] ? v->rows[i].max : got_max[k];
		}
		for (unsigned int k = 0; k < 3; k++) {
			cr_assert_eq(got_n[k], n,
				     "cpu %u table %u: %lu intervals, %lu triples without a loss", c, k,
				     got_n[k], n);
			cr_assert_eq(got_tot[k], tot[k], "cpu %u table %u: total", c, k);
			cr_assert_leq(got_max[k], max[k], "cpu %u table %u: a latency spans a loss", c, k);
		}
		cr_assert_eq(got_tot[2], got_tot[0] + got_tot[1], "cpu %u: post->resume is the sum", c);
	}
	return excluded;
}

/* Runs cmd and returns its output (malloc'd). */
static char *capture(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	char buf[65536];
	size_t n;

	cr_assert_not_null(f, "%s", cmd);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, m);
	pclose(f);
	fclose(m);
	return text;
}

Test(trace_fidelity, a_flooded_ring_shows_each_loss_where_it_happened, .timeout = 240)
{
	const char *dir = record(TESSERA_SOURCE_ROOT "configs/pingpong.yaml",
				 (const char *const[]){"--ring", "256", NULL});
	static struct places pl[TESSERA_TRACE_MAX_CPUS];
	struct trace_dir td;
	char cmd[1024];
	uint64_t total = 0;

	memset(pl, 0, sizeof(pl));
	load(&td, dir);
	for (unsigned int c = 0; c < td.nr_cpus; c++) {
		uint64_t sum = 0;
		trace_dir_for_each_cpu(&td, c, scan, &pl[c]);
		for (uint64_t i = 0; i < pl[c].n; i++)
			sum += pl[c].count[i];
		/* Every loss the hypervisor counted is a gap at its place, or came after the last record. */
		cr_assert_eq(sum + td.tail_lost[c], td.lost[c],
			     "cpu %u: gaps %lu + after the end %lu != lost %lu", c, sum, td.tail_lost[c],
			     td.lost[c]);
		total += td.lost[c];
	}
	cr_assert_gt(total, 1000, "a 256-byte ring must flood under pingpong");

	/* The report: only exit -> entry pairs with nothing lost between them, the others excluded. */
	struct report *rp = report_build(&td);
	for (unsigned int c = 0; c < td.nr_cpus; c++) {
		const struct report_scope *v = &rp->vcpus[c];
		uint64_t intervals = 0, max = 0;
		for (size_t i = 0; i < v->nr_rows; i++)
			if (v->rows[i].table == REPORT_T_EXIT) {
				intervals += v->rows[i].n;
				max = v->rows[i].max > max ? v->rows[i].max : max;
			}
		cr_assert_eq(intervals, pl[c].valid_pairs,
			     "cpu %u: %lu handler times, %lu pairs without a loss", c, intervals,
			     pl[c].valid_pairs);
		cr_assert_leq(max, pl[c].max_valid_ns, "cpu %u: a reported latency spans a loss", c);
		if (pl[c].n)
			cr_assert_gt(v->excluded, 0, "cpu %u: losses but nothing excluded", c);
		cr_assert_eq(v->losses, pl[c].n + (td.tail_lost[c] != 0));
	}
	/* Interrupt latency across the losses: pingpong's doorbells, posted on one CPU, taken on another. */
	uint64_t irq_excluded = check_irq_latency(&td, rp);
	cr_assert_gt(irq_excluded, 0, "no doorbell's latency spanned a loss in a flooded ring");
	report_free(rp);
	struct tessera_proc p;
	tessera_run(&p, 60, (const char *const[]){"trace", "report", dir, NULL});
	cr_assert_eq(p.status, 0, "%s", p.err);
	cr_assert(has_line_with(p.out, "intervals excluded (a loss inside)"), "%s", p.out);
	tessera_free(&p);

	/* CTF: babeltrace2 says "Tracer discarded N events between [A] and [B]", per stream and in order, with
	 * A the end of the packet before the loss: the last record before it (the first record when the
	 * CPU's first records were lost; the last record for those lost after it). Times compared as
	 * babeltrace2 prints them (--clock-seconds). */
	tessera_run(&p, 60, (const char *const[]){"trace", "convert", dir, "--to", "ctf", NULL});
	cr_assert_eq(p.status, 0, "%s", p.err);
	tessera_free(&p);
	for (unsigned int c = 0; c < td.nr_cpus; c++) {
		if (!pl[c].records)
			continue;
		snprintf(cmd, sizeof(cmd),
			 "babeltrace2 --clock-seconds '%s/ctf' 2>/dev/null | grep '{ cpu_id = %u }' | cut "
			 "-c2-21",
			 dir, c);
		char *times = capture(cmd);
		cr_assert_eq(strlen(times), pl[c].records * 21,
			     "cpu %u: babeltrace2 prints %zu records, %lu written", c, strlen(times) / 21,
			     pl[c].records);
		snprintf(cmd, sizeof(cmd),
			 "babeltrace2 --clock-seconds '%s/ctf' 2>&1 >/dev/null | grep 'stream_%u\"' | "
			 "grep -o 'discarded [0-9]* events* between \\[[0-9.]*\\] and \\[[0-9.]*\\]'",
			 dir, c);
		char *text = capture(cmd), *line = text;
		uint64_t i = 0, n;
		char a[32], b[32];
		cr_assert(!strstr(text, "may have"), "a loss without its count: %s", text);
		while (sscanf(line, "discarded %" SCNu64 " %*s between [%31[0-9.]] and [%31[0-9.]]", &n, a,
			      b) == 3) {
			uint64_t k;
			if (i < pl[c].n) {
				cr_assert_eq(n, pl[c].count[i],
					     "cpu %u loss %lu: babeltrace2 %lu, records %lu", c, i, n,
					     pl[c].count[i]);
				k = pl[c].at[i] ? pl[c].at[i] - 1 : 0;
			} else {
				cr_assert_eq(i, pl[c].n, "cpu %u: more losses in the CTF than in the records",
					     c);
				cr_assert_eq(n, td.tail_lost[c]);
				k = pl[c].records - 1;
			}
			cr_assert(!strncmp(a, times + k * 21, 20),
				  "cpu %u loss %lu: after %s, record %lu is at %.20s", c, i, a, k,
				  times + k * 21);
			(void)b;
			i++;
			line = strchr(line, '\n');
			if (!line)
				break;
			line++;
		}
		cr_assert_eq(i, pl[c].n + (td.tail_lost[c] != 0), "cpu %u: %lu losses in the CTF, %lu places",
			     c, i, pl[c].n);
		free(text);
		free(times);
	}

	/* trace.dat: trace-cmd prints "CPU:N [K EVENTS DROPPED]" before the first record after each loss. */
	tessera_run(&p, 60, (const char *const[]){"trace", "convert", dir, "--to", "tracedat", NULL});
	cr_assert_eq(p.status, 0, "%s", p.err);
	tessera_free(&p);
	for (unsigned int c = 0; c < td.nr_cpus; c++) {
		snprintf(cmd, sizeof(cmd),
			 "trace-cmd report '%s/trace.dat' 2>/dev/null | grep -o '^CPU:%u \\[[0-9]* EVENTS "
			 "DROPPED\\]'",
			 dir, c);
		char *text = capture(cmd), *line = text;
		uint64_t i = 0, n;
		unsigned int cpu;
		while (sscanf(line, "CPU:%u [%" SCNu64 " EVENTS DROPPED]", &cpu, &n) == 2) {
			cr_assert_lt(i, pl[c].n, "cpu %u: more drops in trace.dat than losses", c);
			cr_assert_eq(n, pl[c].count[i], "cpu %u loss %lu: trace-cmd %lu, records %lu", c, i,
				     n, pl[c].count[i]);
			i++;
			line = strchr(line, '\n');
			if (!line)
				break;
			line++;
		}
		cr_assert_eq(i, pl[c].n, "cpu %u: %lu drops in trace.dat, %lu losses", c, i, pl[c].n);
		free(text);
	}
	snprintf(cmd, sizeof(cmd),
		 "trace-cmd report --stat '%s/trace.dat' 2>/dev/null | grep -c '^dropped events: [1-9]'",
		 dir);
	char *stat = capture(cmd);
	cr_assert_geq(atoi(stat), 2, "per-CPU stats with the losses: %s", stat);
	free(stat);
	trace_dir_free(&td);
	sh("rm -rf '%s'", dir);
}

Test(trace_fidelity, pingpong_tracedat_has_hypervisor_and_guest_tasks, .timeout = 240)
{
	/* Rings that hold the whole run (about 4.5 MB per cell CPU) even when the drainer gets no CPU: on a
	 * loaded host the 4 MiB default lost records, and this test is about tasks, not losses. */
	const char *dir = record(TESSERA_SOURCE_ROOT "configs/pingpong.yaml",
				 (const char *const[]){"--shm-mb", "32", NULL});
	struct tessera_proc p;
	struct trace_dir td;
	char cmd[1024];

	load(&td, dir);
	tessera_run(&p, 60, (const char *const[]){"trace", "convert", dir, "--to", "tracedat", NULL});
	cr_assert_eq(p.status, 0, "%s", p.err);
	tessera_free(&p);
	/* ping runs on CPU 1 (task 101), pong on CPU 2 (202); the hypervisor's tasks are hv/N (10 + N). */
	cr_assert_eq(td.cell_cpus[0], 0x2);
	cr_assert_eq(td.cell_cpus[1], 0x4);
	uint64_t exits[3] = {0}, entries[3] = {0};
	for (unsigned int c = 1; c <= 2; c++) {
		for (size_t off = 0; off < td.len[c];) {
			const struct tessera_trace_record_header *h = (const void *)(td.data[c] + off);
			const struct tessera_trace_common *cm = (const void *)(h + 1);
			exits[c] += cm->type == TESSERA_TRACE_EV_exit;
			entries[c] += cm->type == TESSERA_TRACE_EV_entry;
			off += h->size;
		}
	}
	cr_assert_eq(td.lost[1] + td.lost[2], 0, "the default ring holds pingpong");
	const char *rep = "trace-cmd report '%s/trace.dat' 2>/dev/null";
	/* Each exit switches its vCPU task out for the CPU's hypervisor task, each entry back. */
	snprintf(cmd, sizeof(cmd),
		 "test \"$(%s | grep -c 'sched_switch: *ping:101 \\[120\\] R ==> hv/1:11')\" -eq %lu", rep,
		 exits[1]);
	cr_assert_eq(sh(cmd, dir), 0, "exits of ping and its switches to hv/1");
	snprintf(cmd, sizeof(cmd),
		 "test \"$(%s | grep -c 'sched_switch: *hv/2:12 \\[120\\] R ==> pong:202')\" -eq %lu", rep,
		 entries[2]);
	cr_assert_eq(sh(cmd, dir), 0, "entries of pong and its switches from hv/2");
	/* What happens while the hypervisor handles an exit is the hypervisor's: hypercalls, injections. */
	snprintf(cmd, sizeof(cmd), "%s | grep -E ' (hypercall|irq_inject):' | grep -vqE '^ *hv/[12]-1[12] '",
		 rep);
	cr_assert_neq(sh(cmd, dir), 0, "a hypercall or injection record carries a guest task");
	/* CPU 0 runs no cell: its records (the cells' lifecycle) are hv/0's and name the cell in a field. */
	snprintf(cmd, sizeof(cmd), "%s | grep ' cell_state:' | grep -q '^ *hv/0-10 .*name=pong'", rep);
	cr_assert_eq(sh(cmd, dir), 0, "cell_state on CPU 0 as hv/0 naming the cell");
	snprintf(cmd, sizeof(cmd), "%s | grep -q '^ *ping-101 *\\[001\\].* exit: '", rep);
	cr_assert_eq(sh(cmd, dir), 0, "ping's exits in its own task");
	/* The trace clock is saved: the host's monotonic clock, which the clock sync mapped the TSC to. */
	snprintf(cmd, sizeof(cmd),
		 "trace-cmd dump --summary '%s/trace.dat' 2>&1 | grep -A1 'Tracing clock' | grep -q mono",
		 dir);
	cr_assert_eq(sh(cmd, dir), 0, "no trace clock in the trace.dat");
	trace_dir_free(&td);
	sh("rm -rf '%s'", dir);
}

/* The timer system: every tick posted (source timer), injected and resumed, timed in the three tables. */
Test(trace_fidelity, timer_interrupt_latency_from_post_to_the_guest, .timeout = 180)
{
	const char *dir = record(TESSERA_SOURCE_ROOT "configs/timer.yaml", NULL);
	struct trace_dir td;
	struct tessera_proc p;
	char key[64];

	load(&td, dir);
	cr_assert_eq(td.lost[1], 0);
	struct report *rp = report_build(&td);
	cr_assert_eq(check_irq_latency(&td, rp), 0, "nothing lost, nothing excluded");
	const struct report_scope *v = &rp->vcpus[1]; /* the timer cell's CPU */
	const struct report_row *rows[3] = {NULL};
	for (size_t i = 0; i < v->nr_rows; i++) {
		int k = v->rows[i].table - REPORT_T_IRQ_POST_INJECT;
		if (k < 0 || k > 2)
			continue;
		report_key_text(v->rows[i].table, v->rows[i].key, key, sizeof(key));
		cr_assert_str_eq(key, "48/timer", "only the timer's vector 0x30 is posted");
		rows[k] = &v->rows[i];
	}
	for (unsigned int k = 0; k < 3; k++) {
		cr_assert_not_null(rows[k], "table %u missing", k);
		cr_assert_geq(rows[k]->n, 100, "1 s at 100 Hz: at least 100 ticks timed, %zu", rows[k]->n);
		cr_assert(rows[k]->min <= rows[k]->median && rows[k]->median <= rows[k]->p99 &&
			  rows[k]->p99 <= rows[k]->max);
		cr_assert(rows[k]->mean >= rows[k]->min && rows[k]->mean <= rows[k]->max);
	}
	cr_assert_geq(rows[0]->count, rows[0]->n, "posts: timed or merged");
	report_free(rp);
	tessera_run(&p, 60, (const char *const[]){"trace", "report", dir, "--json", NULL});
	cr_assert_eq(p.status, 0, "%s", p.err);
	json_error_t jerr;
	json_t *root = json_loads(p.out, 0, &jerr);
	cr_assert_not_null(root, "%s", jerr.text);
	json_t *tables = json_object_get(json_array_get(json_object_get(root, "cells"), 0), "tables");
	static const char *const names[] = {"irq_post_inject", "irq_inject_resume", "irq_post_resume"};
	for (unsigned int k = 0; k < 3; k++) {
		json_t *row = json_array_get(json_object_get(tables, names[k]), 0);
		cr_assert_not_null(row, "no %s table in the JSON", names[k]);
		cr_assert_str_eq(json_string_value(json_object_get(row, "name")), "48/timer");
		cr_assert_gt(json_integer_value(json_object_get(row, "intervals")), 0);
	}
	json_decref(root);
	tessera_free(&p);
	tessera_run(&p, 60, (const char *const[]){"trace", "report", dir, "--csv", NULL});
	cr_assert(has_line_with(p.out, ",1,irq_post_resume,48/timer,"), "%s", p.out);
	tessera_free(&p);
	tessera_run(&p, 60, (const char *const[]){"trace", "report", dir, "--histogram", NULL});
	cr_assert(has_line_with(p.out, "interrupt latency by vector/source: post -> the guest resumes"), "%s",
		  p.out);
	tessera_free(&p);
	trace_dir_free(&td);
	sh("rm -rf '%s'", dir);
}

static json_int_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	cr_assert(json_is_integer(v), "field %s is not an integer", key);
	return json_integer_value(v);
}

Test(trace_fidelity, report_json_of_the_default_system_field_by_field, .timeout = 180)
{
	const char *dir = record(NULL, NULL);
	struct tessera_proc p;
	struct trace_dir td;
	json_error_t jerr;
	uint64_t counts[TESSERA_TRACE_MAX_CELLS][TESSERA_ER_COUNT];

	load(&td, dir);
	cr_assert(td.have_counters);
	trace_count_exits(&td, counts);
	tessera_run(&p, 60, (const char *const[]){"trace", "report", dir, "--json", NULL});
	cr_assert_eq(p.status, 0, "%s", p.err);
	json_t *root = json_loads(p.out, 0, &jerr);
	cr_assert_not_null(root, "not JSON: %s (%s)", jerr.text, p.out);
	cr_assert_eq(jint(root, "nr_cpus"), td.nr_cpus);
	cr_assert_eq(jint(root, "tsc_hz"), td.ns_hz);
	cr_assert_eq(jint(root, "tsc_hz_pit"), td.tsc_hz);
	cr_assert_eq(jint(root, "lost"), 0);
	uint64_t produced = 0;
	json_t *cpus = json_object_get(root, "cpus");
	cr_assert_eq(json_array_size(cpus), td.nr_cpus);
	for (unsigned int c = 0; c < td.nr_cpus; c++) {
		json_t *o = json_array_get(cpus, c);
		cr_assert_eq(jint(o, "cpu"), c);
		cr_assert_eq(jint(o, "produced"), td.produced[c]);
		cr_assert_eq(jint(o, "lost"), 0);
		cr_assert_eq(jint(o, "loss_places"), 0);
		produced += td.produced[c];
	}
	cr_assert_eq(jint(root, "records"), produced);
	json_t *cells = json_object_get(root, "cells");
	cr_assert_eq(json_array_size(cells), 3, "worker-a, worker-b, probe");
	static const char *const names[] = {"worker-a", "worker-b", "probe"};
	for (unsigned int c = 0; c < 3; c++) {
		json_t *o = json_array_get(cells, c), *tables = json_object_get(o, "tables");
		uint64_t exits = 0, share = 0, hv_total = 0;
		cr_assert_eq(jint(o, "id"), c);
		cr_assert_str_eq(json_string_value(json_object_get(o, "name")), names[c]);
		cr_assert_eq(jint(o, "violations"), td.cell_violations[c]);
		cr_assert_eq(jint(o, "hv_violations"), td.cell_violations[c]);
		cr_assert_eq(jint(o, "lost_records"), 0);
		cr_assert_eq(jint(o, "excluded_intervals"), 0, "no loss, nothing excluded");
		cr_assert_gt(jint(o, "guest_ns"), 0);
		cr_assert_gt(jint(o, "hypervisor_ns"), 0);
		cr_assert_eq(jint(o, "lost_ns"), 0);
		json_t *rows = json_object_get(tables, "exit");
		for (size_t i = 0; i < json_array_size(rows); i++) {
			json_t *r = json_array_get(rows, i);
			json_int_t key = jint(r, "key"), count = jint(r, "count"), n = jint(r, "intervals");
			cr_assert_lt(key, TESSERA_ER_COUNT);
			cr_assert_eq(count, counts[c][key], "cell %u %s: count", c,
				     json_string_value(json_object_get(r, "name")));
			cr_assert_eq(jint(r, "hv_count"), td.cell_exits[c][key],
				     "no loss: the trace's count is the hypervisor's");
			cr_assert_leq(n, count);
			cr_assert_geq(n + 1, count, "at most the last exit (cell_exit) has no entry");
			if (n) {
				json_int_t mn = jint(r, "min_ns"), med = jint(r, "median_ns"),
					   p99 = jint(r, "p99_ns"), mx = jint(r, "max_ns");
				double mean = json_real_value(json_object_get(r, "mean_ns"));
				cr_assert(mn <= med && med <= p99 && p99 <= mx, "cell %u key %lld: order", c,
					  (long long)key);
				cr_assert(mean >= mn && mean <= mx);
				cr_assert_geq(json_real_value(json_object_get(r, "stddev_ns")), 0);
				uint64_t hist = 0;
				json_t *h = json_object_get(r, "histogram_log2_ns");
				for (size_t k = 0; k < json_array_size(h); k++)
					hist += json_integer_value(json_array_get(json_array_get(h, k), 1));
				cr_assert_eq(hist, n, "the histogram holds every interval");
			}
			exits += count;
			share += (uint64_t)(json_real_value(json_object_get(r, "share_pct")) * 1000 + 0.5);
			hv_total += jint(r, "total_ns");
		}
		cr_assert_eq(jint(o, "exits"), exits);
		cr_assert(share >= 99990 && share <= 100010, "shares add up to 100%%: %lu", share);
		cr_assert_eq(hv_total, jint(o, "hypervisor_ns"),
			     "the exit table's time is the hypervisor time");
		json_t *vcpus = json_object_get(o, "vcpus");
		cr_assert_eq(json_array_size(vcpus), 1);
		cr_assert_eq(1ULL << jint(json_array_get(vcpus, 0), "cpu"), td.cell_cpus[c]);
		cr_assert_eq(jint(json_array_get(vcpus, 0), "exits"), exits);
	}
	/* The probe's port, MSR and memory exits are broken down by address, as many as the exit table says. */
	json_t *probe = json_object_get(json_array_get(cells, 2), "tables");
	static const struct {
		const char *table;
		unsigned int r1, r2;
	} by[] = {{"pio", TESSERA_ER_PIO, TESSERA_ER_PIO},
		  {"msr", TESSERA_ER_MSR_READ, TESSERA_ER_MSR_WRITE},
		  {"mmio", TESSERA_ER_MMIO, TESSERA_ER_MMIO}};
	for (unsigned int t = 0; t < 3; t++) {
		json_t *rows = json_object_get(probe, by[t].table);
		uint64_t sum = 0;
		for (size_t i = 0; i < json_array_size(rows); i++)
			sum += jint(json_array_get(rows, i), "count");
		uint64_t want = counts[2][by[t].r1] + (by[t].r2 != by[t].r1 ? counts[2][by[t].r2] : 0);
		cr_assert_eq(sum, want, "%s: %lu by address, %lu exits", by[t].table, sum, want);
		cr_assert_gt(sum, 0);
	}
	json_decref(root);
	tessera_free(&p);
	tessera_run(&p, 60, (const char *const[]){"trace", "report", dir, "--csv", NULL});
	cr_assert_eq(p.status, 0, "%s", p.err);
	cr_assert(has_line_with(p.out, "cell,name,cpu,table,key,count,share_pct"), "%s", p.out);
	cr_assert(has_line_with(p.out, "2,probe,-1,pio,"), "%s", p.out);
	tessera_free(&p);
	tessera_run(&p, 10, (const char *const[]){"trace", "report", "--help", NULL});
	cr_assert_eq(p.status, 0);
	cr_assert(has_line_with(p.out, "usage: tessera trace report DIR"), "%s", p.out);
	cr_assert(has_line_with(p.out, "--histogram"), "%s", p.out);
	tessera_free(&p);
	trace_dir_free(&td);
	sh("rm -rf '%s'", dir);
}
