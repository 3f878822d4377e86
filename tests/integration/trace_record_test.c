/*
 * `tessera trace record` against the real hypervisor: the trace's exit events per cell and reason equal
 * the hypervisor's own counters minus the losses it counted; reports, conversions (babeltrace2,
 * trace-cmd) read the same recorded trace; -e and --cell filter; a tiny ring floods and the hypervisor's
 * accounting still adds up.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../trace/report.h"
#include "../../trace/tracedir.h"
#include "harness.h"

/* Records the default config into a fresh directory with the extra options; returns the directory. */
static char *record(const char *const *opts)
{
	static char dir[64];
	const char *args[32] = {"trace", "record", "-o"};
	unsigned int n = 3;
	struct tessera_proc p;

	strcpy(dir, "/tmp/tessera-rec-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	args[n++] = dir;
	for (; opts && *opts; opts++)
		args[n++] = *opts;
	args[n++] = "--";
	args[n++] = "--timeout";
	args[n++] = "60";
	args[n] = NULL;
	tessera_run(&p, 90, args);
	cr_assert_eq(p.status, 0, "tessera trace record failed (%d): %s", p.status, p.err);
	cr_assert(has_line_with(p.err, "tessera trace record: "), "no summary line: %s", p.err);
	tessera_free(&p);
	return dir;
}

static void load(struct trace_dir *td, const char *dir)
{
	char err[512];

	cr_assert_eq(trace_dir_load(td, dir, err, sizeof(err)), 0, "%s", err);
	cr_assert(td->have_counters, "the hypervisor did not publish its final counters");
}

/* Exit events of cell c lost on its CPUs (each CPU belongs to one cell: partitioning). */
static uint64_t lost_exits(const struct trace_dir *td, unsigned int c)
{
	uint64_t lost = 0;

	cr_assert_neq(td->cell_cpus[c], 0, "cell %u: no CPU mask in meta", c);
	for (unsigned int cpu = 0; cpu < td->nr_cpus; cpu++)
		if (td->cell_cpus[c] >> cpu & 1)
			lost += td->lost_per_event[cpu][TESSERA_TRACE_EV_exit];
	return lost;
}

/* Per cell: trace exits + counted exit losses == the hypervisor's exits; per reason exactly when none
 * were lost. Returns the total of the hypervisor's exits. */
static uint64_t check_exits_match(const struct trace_dir *td)
{
	static uint64_t counts[TESSERA_TRACE_MAX_CELLS][TESSERA_ER_COUNT];
	uint64_t all = 0;

	trace_count_exits(td, counts);
	cr_assert_eq(td->nr_cells, 3);
	for (unsigned int c = 0; c < td->nr_cells; c++) {
		uint64_t hv = 0, seen = 0, lost = lost_exits(td, c);
		for (unsigned int r = 0; r < TESSERA_ER_COUNT; r++) {
			hv += td->cell_exits[c][r];
			seen += counts[c][r];
			cr_assert_leq(counts[c][r], td->cell_exits[c][r],
				      "cell %u reason %u: more events than exits", c, r);
			if (!lost)
				cr_assert_eq(counts[c][r], td->cell_exits[c][r],
					     "cell %u reason %u: %lu exit events, hypervisor counted %lu", c,
					     r, (unsigned long)counts[c][r],
					     (unsigned long)td->cell_exits[c][r]);
		}
		cr_assert_eq(seen + lost, hv, "cell %u: %lu events + %lu lost != %lu exits", c,
			     (unsigned long)seen, (unsigned long)lost, (unsigned long)hv);
		cr_assert_gt(hv, 0, "cell %u never exited", c);
		all += hv;
	}
	return all;
}

static int count_violations(const struct trace_rec *r, void *ctx)
{
	uint64_t *per_cell = ctx;

	if (r->ev && r->ev->id == TESSERA_TRACE_EV_violation && r->cell >= 0 &&
	    r->cell < TESSERA_TRACE_MAX_CELLS)
		per_cell[r->cell]++;
	return 0;
}

/* Per cell: violation events + violation events lost on its CPUs == the hypervisor's violation counter
 * (refused hypercalls such as a doorbell to an unlisted cell included). */
static void check_violations_match(const struct trace_dir *td)
{
	uint64_t per_cell[TESSERA_TRACE_MAX_CELLS] = {0};

	trace_dir_for_each(td, count_violations, per_cell);
	for (unsigned int c = 0; c < td->nr_cells; c++) {
		uint64_t lost = trace_dir_cell_lost(td, c, TESSERA_TRACE_EV_violation);
		cr_assert_eq(per_cell[c] + lost, td->cell_violations[c],
			     "cell %u: %lu violation events + %lu lost, the hypervisor counted %lu", c,
			     (unsigned long)per_cell[c], (unsigned long)lost,
			     (unsigned long)td->cell_violations[c]);
	}
	cr_assert_gt(td->cell_violations[2], 0, "the probe's violations were not counted");
}

static int count_records(const struct trace_rec *r, void *ctx)
{
	uint64_t *per_event = ctx;
	per_event[((const struct tessera_trace_common *)r->payload)->type]++;
	return 0;
}

Test(trace_record, default_config_every_counted_exit_is_an_event_and_tools_read_it, .timeout = 180)
{
	const char *dir = record(NULL);
	struct trace_dir td;
	uint64_t lost = 0, produced = 0, per_event[TESSERA_TRACE_MAX_EVENTS] = {0}, n = 0;

	/* The boot's run record is beside the trace: what booted and how to boot it again. */
	char rec[4096];
	json_error_t jerr;
	snprintf(rec, sizeof(rec), "%s/run-record.json", dir);
	json_t *r = json_load_file(rec, 0, &jerr);
	cr_assert_not_null(r, "%s: %s", rec, jerr.text);
	cr_expect_eq(json_integer_value(json_object_get(r, "exit_status")), 0);
	cr_expect_eq(strlen(json_string_value(json_object_get(r, "config_sha256")) ?: ""), 64);
	cr_expect(strstr(json_string_value(json_object_get(r, "qemu_cmdline")) ?: "", "qemu-system-x86_64"),
		  "%s", json_string_value(json_object_get(r, "qemu_cmdline")));
	json_decref(r);

	load(&td, dir);
	for (unsigned int c = 0; c < td.nr_cpus; c++) {
		lost += td.lost[c];
		produced += td.produced[c];
	}
	cr_assert_eq(lost, 0, "4 MiB of rings should hold the default run: %lu lost", (unsigned long)lost);
	check_exits_match(&td);
	trace_dir_for_each(&td, count_records, per_event);
	for (unsigned int e = 0; e < TESSERA_TRACE_MAX_EVENTS; e++)
		n += per_event[e];
	cr_assert_eq(n, produced, "%lu records on disk, hypervisor produced %lu", (unsigned long)n,
		     (unsigned long)produced);
	/* The probe's refused accesses are violations, each one an event; entries follow exits. */
	cr_assert_gt(per_event[TESSERA_TRACE_EV_violation], 0);
	check_violations_match(&td);
	cr_assert_gt(per_event[TESSERA_TRACE_EV_irq_inject], 0);
	cr_assert_gt(per_event[TESSERA_TRACE_EV_entry], 0);
	cr_assert_eq(per_event[TESSERA_TRACE_EV_hypercall], td.cell_exits[0][TESSERA_ER_HYPERCALL] +
								    td.cell_exits[1][TESSERA_ER_HYPERCALL] +
								    td.cell_exits[2][TESSERA_ER_HYPERCALL]);
	cr_assert_geq(per_event[TESSERA_TRACE_EV_cell_state], 6, "3 cells start and finish");
	trace_dir_free(&td);

	struct tessera_proc p;
	tessera_run(&p, 30, (const char *const[]){"trace", "report", dir, NULL});
	cr_assert_eq(p.status, 0, "%s", p.err);
	cr_assert(has_line_with(p.out, "cell 0 'worker-a'") && has_line_with(p.out, "cell 2 'probe'"), "%s",
		  p.out);
	cr_assert(has_line_with(p.out, "hv count") && has_line_with(p.out, "  hypercall "), "%s", p.out);
	cr_assert(has_line_with(p.out, "violations (hv count ") && has_line_with(p.out, " lost"), "%s",
		  p.out);
	tessera_free(&p);

	tessera_run(&p, 30, (const char *const[]){"trace", "convert", dir, "--to", "ctf", NULL});
	cr_assert_eq(p.status, 0, "%s", p.err);
	tessera_free(&p);
	cr_assert_eq(sh("test \"$(babeltrace2 %s/ctf | grep -c ' exit: ')\" -gt 0", dir), 0);
	cr_assert_eq(sh("test \"$(babeltrace2 %s/ctf | wc -l)\" -eq %lu", dir, (unsigned long)n), 0,
		     "babeltrace2 does not print every recorded event");
	tessera_run(&p, 30, (const char *const[]){"trace", "convert", dir, "--to", "tracedat", NULL});
	cr_assert_eq(p.status, 0, "%s", p.err);
	tessera_free(&p);
	cr_assert_eq(sh("trace-cmd report %s/trace.dat 2>/dev/null | grep -q ' violation: '", dir), 0);
	cr_assert_eq(
		sh("trace-cmd report %s/trace.dat 2>/dev/null | grep -q 'cell_state: .*name=probe'", dir), 0);
	sh("rm -rf %s", dir);
}

static int not_probe(const struct trace_rec *r, void *ctx)
{
	*(int *)ctx += r->cell != 2;
	return 0;
}

Test(trace_record, e_and_cell_filter_what_the_hypervisor_records, .timeout = 180)
{
	const char *dir = record((const char *const[]){"-e", "exit,cell_state", NULL});
	struct trace_dir td;
	uint64_t per_event[TESSERA_TRACE_MAX_EVENTS] = {0};

	load(&td, dir);
	check_exits_match(&td);
	trace_dir_for_each(&td, count_records, per_event);
	for (unsigned int e = 0; e < TESSERA_TRACE_MAX_EVENTS; e++)
		if (e != TESSERA_TRACE_EV_exit && e != TESSERA_TRACE_EV_cell_state)
			cr_assert_eq(per_event[e], 0, "event %u recorded although not asked for", e);
	cr_assert_gt(per_event[TESSERA_TRACE_EV_cell_state], 0);
	trace_dir_free(&td);
	sh("rm -rf %s", dir);

	dir = record((const char *const[]){"--cell", "probe", NULL});
	load(&td, dir);
	uint64_t counts[TESSERA_TRACE_MAX_CELLS][TESSERA_ER_COUNT];
	trace_count_exits(&td, counts);
	for (unsigned int r = 0; r < TESSERA_ER_COUNT; r++) {
		cr_assert_eq(counts[0][r] + counts[1][r], 0, "a worker's exit recorded with --cell probe");
		cr_assert_eq(counts[2][r], td.cell_exits[2][r]);
	}
	int other = 0;
	trace_dir_for_each(&td, not_probe, &other);
	cr_assert_eq(other, 0, "%d events of other cells or of the hypervisor with --cell probe", other);
	trace_dir_free(&td);
	sh("rm -rf %s", dir);
}

Test(trace_record, tiny_ring_floods_and_losses_are_counted_exactly, .timeout = 180)
{
	const char *dir = record((const char *const[]){"--ring", "256", NULL});
	struct trace_dir td;
	uint64_t lost = 0, per_cpu[TESSERA_TRACE_MAX_CPUS] = {0};

	load(&td, dir);
	for (unsigned int c = 0; c < td.nr_cpus; c++) {
		uint64_t by_event = 0;
		lost += td.lost[c];
		for (unsigned int e = 0; e < TESSERA_TRACE_MAX_EVENTS; e++)
			by_event += td.lost_per_event[c][e];
		cr_assert_eq(by_event, td.lost[c], "cpu %u: per-event losses do not add up", c);
		for (size_t off = 0; off < td.len[c];
		     off += ((const struct tessera_trace_record_header *)(td.data[c] + off))->size)
			per_cpu[c]++;
		cr_assert_eq(per_cpu[c], td.produced[c], "cpu %u: %lu delivered, %lu produced", c,
			     (unsigned long)per_cpu[c], (unsigned long)td.produced[c]);
	}
	cr_assert_gt(lost, 0, "a 256-byte ring never overflowed: the flood test proves nothing");
	check_exits_match(&td);
	trace_dir_free(&td);
	sh("rm -rf %s", dir);
}

struct cmd_seen {
	unsigned int ok, refused;
};

static int trace_commands(const struct trace_rec *r, void *ctx)
{
	struct cmd_seen *s = ctx;

	if (r->ev && r->ev->id == TESSERA_TRACE_EV_trace_command) {
		int32_t result = (int32_t)trace_field_get(&r->ev->fields[1], r->payload);
		s->ok += result == 0;
		s->refused += result == -2; /* -HV_EINVAL */
	}
	return 0;
}

Test(trace_record, mailbox_commands_change_masks_while_it_runs, .timeout = 120)
{
	char dir[] = "/tmp/tessera-rec-XXXXXX";
	struct tessera_proc p;
	struct trace_dir td;
	struct cmd_seen seen = {0};
	uint64_t per_event[TESSERA_TRACE_MAX_EVENTS] = {0};

	cr_assert_not_null(mkdtemp(dir));
	/* An event id the catalog lacks is refused; then `entry` is switched off for every cell. */
	tessera_run(&p, 90,
		    (const char *const[]){"trace", "record", "--mailbox", "disable:0x4000000000000000:0x7",
					  "--mailbox", "disable:0x4:0x7", "-o", dir, NULL});
	cr_assert_eq(p.status, 0, "%s", p.err);
	cr_assert(has_line_with(p.err, "mailbox command 1: result -2"), "%s", p.err);
	cr_assert(has_line_with(p.err, "mailbox command 2: result 0"), "%s", p.err);
	tessera_free(&p);
	load(&td, dir);
	check_exits_match(&td);
	trace_dir_for_each(&td, trace_commands, &seen);
	cr_assert_eq(seen.ok, 1);
	cr_assert_eq(seen.refused, 1);
	trace_dir_for_each(&td, count_records, per_event);
	cr_assert_lt(per_event[TESSERA_TRACE_EV_entry], per_event[TESSERA_TRACE_EV_exit],
		     "entries were still recorded after they were disabled");
	trace_dir_free(&td);
	sh("rm -rf %s", dir);
}
