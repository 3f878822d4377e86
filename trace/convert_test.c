/*
 * Readers and converters on synthetic traces written through the real rings: the report's counts, the
 * docs table's freshness, libtraceevent parsing our ftrace formats, and the converted traces read back by
 * babeltrace2 (CTF) and by libtracecmd and `trace-cmd report` (trace.dat).
 */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <trace-cmd/trace-cmd.h>
#include <traceevent/event-parse.h>

#include "convert.h"
#include "formats.h"
#include "host_writer.h"
#include "report.h"

static char tmp[256];

static void make_trace(unsigned int cpus, unsigned int rounds, uint64_t ring, unsigned int every,
		       struct trace_synth_stats *st, struct trace_dir *td)
{
	char err[512];

	snprintf(tmp, sizeof(tmp), "/tmp/tessera-trace-test-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
	cr_assert_eq(trace_synth_write(tmp, cpus, rounds, ring, every, st), 0);
	cr_assert_eq(trace_dir_load(td, tmp, err, sizeof(err)), 0, "%s", err);
}

static void cleanup(struct trace_dir *td)
{
	char cmd[512];

	trace_dir_free(td);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	cr_assert_eq(system(cmd), 0);
}

/* Runs a shell command and counts output lines containing `needle` (all lines when NULL). */
static long count_lines(const char *cmd, const char *needle, long *total)
{
	FILE *p = popen(cmd, "r");
	char line[4096];
	long n = 0, all = 0;

	cr_assert_not_null(p);
	while (fgets(line, sizeof(line), p)) {
		all++;
		if (!needle || strstr(line, needle))
			n++;
	}
	cr_assert_eq(pclose(p), 0, "%s failed", cmd);
	if (total)
		*total = all;
	return n;
}

Test(trace_convert, report_counts_every_exit_per_cell)
{
	struct trace_synth_stats st;
	struct trace_dir td;
	uint64_t counts[TESSERA_TRACE_MAX_CELLS][TESSERA_ER_COUNT];

	make_trace(3, 200, 1 << 14, 1, &st, &td);
	trace_count_exits(&td, counts);
	for (unsigned int c = 0; c < 2; c++) {
		uint64_t sum = 0;
		for (unsigned int r = 0; r < TESSERA_ER_COUNT; r++)
			sum += counts[c][r];
		cr_assert_eq(sum, st.exits_per_cell[c]);
	}
	cr_assert_eq(td.produced[0] + td.produced[1] + td.produced[2], st.events);

	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	trace_report(m, &td);
	fclose(m);
	cr_assert(strstr(text, "cell 0 'alpha'"));
	cr_assert(strstr(text, "cell 1 'beta'"));
	cr_assert(strstr(text, "hypercall"));
	cr_assert(strstr(text, "median"));
	free(text);
	cleanup(&td);
}

Test(trace_convert, small_ring_losses_are_counted_exactly)
{
	struct trace_synth_stats st;
	struct trace_dir td;
	uint64_t lost = 0, produced = 0, per_event = 0;

	make_trace(2, 500, 256, 4, &st, &td);
	for (unsigned int c = 0; c < 2; c++) {
		lost += td.lost[c];
		produced += td.produced[c];
		for (unsigned int e = 0; e < TESSERA_TRACE_MAX_EVENTS; e++)
			per_event += td.lost_per_event[c][e];
	}
	cr_assert_gt(lost, 0, "a 256-byte ring drained every 4 rounds must overflow");
	cr_assert_eq(produced, st.events, "every record the ring accepted reached the files");
	cr_assert_eq(per_event, lost);
	/* What the writers were asked to record: 2 lifecycle events per cell plus each round's events. */
	uint64_t attempts = 0;
	for (unsigned int i = 0; i < 500; i++)
		for (unsigned int c = 0; c < 2; c++) {
			unsigned int k = (i + c) % 6; /* synth_reasons order in host_writer.c */
			attempts += 2 + (k == 0 || k == 1 || k == 2 || k == 4 ? 1 : k == 5 ? 2 : 0);
		}
	cr_assert_eq(st.events + lost, attempts + 4);
	cleanup(&td);
}

Test(trace_convert, docs_table_is_generated_from_the_catalog)
{
	char *text = NULL, *want = NULL;
	size_t len = 0, n;
	FILE *m = open_memstream(&text, &len);
	FILE *f = fopen(TESSERA_SOURCE_ROOT "docs/trace-events.md", "r");

	trace_format_markdown(m);
	fclose(m);
	cr_assert_not_null(f, "docs/trace-events.md missing: run tessera trace catalog --markdown");
	want = calloc(1, len + 2);
	n = fread(want, 1, len + 1, f);
	fclose(f);
	cr_assert(n == len && !memcmp(want, text, len),
		  "docs/trace-events.md is stale: regenerate with `tessera trace catalog --markdown`");
	free(text);
	free(want);
}

Test(trace_convert, libtraceevent_parses_every_format_and_decodes_records)
{
	struct tep_handle *tep = tep_alloc();

	for (unsigned int i = 0; i < trace_event_count(); i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);
		trace_format_ftrace(m, trace_event_at(i));
		fclose(m);
		cr_assert_eq(tep_parse_event(tep, text, len, TRACE_FTRACE_SYSTEM), 0, "%s", text);
		free(text);
	}
	struct tep_event *ev = tep_find_event_by_name(tep, TRACE_FTRACE_SYSTEM, "exit");
	cr_assert_not_null(ev);
	cr_assert_not_null(tep_find_field(ev, "reason"));

	struct tessera_trace_ev_exit rec = {.common = {.type = TESSERA_TRACE_EV_exit, .pid = 1},
					    .reason = TESSERA_ER_MSR_WRITE,
					    .pc = 0x1234};
	struct tep_record r = {.data = &rec.common, .size = sizeof(rec) - sizeof(rec.hdr)};
	struct trace_seq s;
	trace_seq_init(&s);
	tep_print_event(tep, &s, &r, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(&s);
	cr_assert(strstr(s.buffer, "reason=msr_write"), "%s", s.buffer);
	cr_assert(strstr(s.buffer, "pc=0x1234"), "%s", s.buffer);
	trace_seq_destroy(&s);
	tep_free(tep);
}

Test(trace_convert, babeltrace2_reads_the_ctf_conversion)
{
	struct trace_synth_stats st;
	struct trace_dir td;
	char out[512], cmd[1024], err[512];
	long total;

	make_trace(2, 300, 1 << 14, 1, &st, &td);
	snprintf(out, sizeof(out), "%s/ctf", tmp);
	cr_assert_eq(trace_convert_ctf(&td, out, err, sizeof(err)), 0, "%s", err);
	snprintf(cmd, sizeof(cmd), "babeltrace2 '%s'", out);
	long exits = count_lines(cmd, " exit: ", &total);
	cr_assert_eq(total, st.events, "babeltrace2 printed %ld events, we wrote %lu", total, st.events);
	cr_assert_eq(exits, st.per_event[TESSERA_TRACE_EV_exit]);
	cr_assert_eq(count_lines(cmd, "reason = ( \"hypercall\"", NULL) > 0, 1);
	cr_assert_eq(count_lines(cmd, "name = \"alpha\"", NULL), 2);
	cleanup(&td);
}

Test(trace_convert, trace_cmd_reads_the_tracedat_conversion)
{
	struct trace_synth_stats st;
	struct trace_dir td;
	char out[512], cmd[1024], err[512];

	make_trace(2, 300, 1 << 14, 1, &st, &td);
	snprintf(out, sizeof(out), "%s/trace.dat", tmp);
	setenv("TMPDIR", tmp, 1); /* where the converter stages its tracefs-shaped directory */
	cr_assert_eq(trace_convert_tracedat(&td, out, err, sizeof(err)), 0, "%s", err);
	glob_t g;
	snprintf(cmd, sizeof(cmd), "%s/tessera-tracedat-*", tmp);
	cr_assert_eq(glob(cmd, 0, NULL, &g), GLOB_NOMATCH, "the staging directory was left behind");

	snprintf(cmd, sizeof(cmd), "trace-cmd report '%s' 2>&1", out);
	cr_assert_eq(count_lines(cmd, " exit: ", NULL), st.per_event[TESSERA_TRACE_EV_exit]);
	cr_assert_eq(count_lines(cmd, " hypercall: ", NULL), st.per_event[TESSERA_TRACE_EV_hypercall]);
	cr_assert_gt(count_lines(cmd, "reason=pio", NULL), 0);
	/* cells appear as a task per vCPU ((cell + 1) * 100 + CPU), the hypervisor as hv/N (10 + N) */
	cr_assert_gt(count_lines(cmd, "alpha-100 ", NULL), 0, "cells appear as processes");
	cr_assert_gt(count_lines(cmd, "beta-201 ", NULL), 0, "cells appear as processes");
	cr_assert_gt(count_lines(cmd, "sched_switch:", NULL), 0, "exits and entries switch tasks");
	/* 3 idle gaps of 200 ms (host_writer.c): the last events are 0.6 s in, encoded with TIME_EXTEND */
	snprintf(cmd, sizeof(cmd), "trace-cmd report '%s' 2>&1 | tail -n 1", out);
	cr_assert_eq(count_lines(cmd, " 0.600", NULL), 1);

	struct tracecmd_input *in = tracecmd_open(out, TRACECMD_FL_LOAD_NO_PLUGINS);
	cr_assert_not_null(in, "libtracecmd opens our trace.dat");
	/* Every record decodes with the formats embedded in the file, as one of our events, or as the
	 * kernel's sched_switch that the converter adds at each exit and entry. */
	struct tep_handle *tep = tracecmd_get_tep(in);
	uint64_t n = 0, symbolic = 0, switches = 0;
	struct trace_seq s;
	trace_seq_init(&s);
	for (int cpu = 0; cpu < 2; cpu++)
		for (struct tep_record *r = tracecmd_read_cpu_first(in, cpu); r;
		     r = tracecmd_read_data(in, cpu)) {
			struct tep_event *e = tep_find_event_by_record(tep, r);
			cr_assert_not_null(e, "record of type %d", tep_data_type(tep, r));
			if (!strcmp(e->system, "sched") && !strcmp(e->name, "sched_switch")) {
				switches++;
				tracecmd_free_record(r);
				continue;
			}
			cr_assert(!strcmp(e->system, TRACE_FTRACE_SYSTEM), "record of type %d",
				  tep_data_type(tep, r));
			trace_seq_reset(&s);
			tep_print_event(tep, &s, r, "%s", TEP_PRINT_INFO);
			trace_seq_terminate(&s);
			const char *rs = strstr(s.buffer, "reason=");
			/* __print_symbolic prints a value it has no name for as a number */
			symbolic += !strcmp(e->name, "exit") && rs && rs[7] >= 'a' && rs[7] <= 'z';
			n++;
			tracecmd_free_record(r);
		}
	trace_seq_destroy(&s);
	cr_assert_eq(n, st.events);
	cr_assert_eq(symbolic, st.per_event[TESSERA_TRACE_EV_exit], "exit reasons print by name");
	cr_assert_eq(switches, st.per_event[TESSERA_TRACE_EV_exit] + st.per_event[TESSERA_TRACE_EV_entry],
		     "a switch at each exit and entry");
	tracecmd_close(in);
	cleanup(&td);
}
