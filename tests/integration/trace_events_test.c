/*
 * Trace points outside the exit hooks, recorded from the shipped configs: every virtual interrupt the
 * hypervisor injects (pingpong's doorbells) and the watchdog's misses and its action (watchdog).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../trace/tracedir.h"
#include "harness.h"

#define CONFIGS TESSERA_SOURCE_ROOT "/configs/"

/* Records CONFIG with -e EVENTS into a fresh directory; returns it (static) and the run's stdout in *out. */
static const char *record(const char *config, const char *events, char **out)
{
	static char dir[64];
	struct tessera_proc p;

	strcpy(dir, "/tmp/tessera-trev-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	tessera_run(&p, 150,
		    (const char *const[]){"trace", "record", "-e", events, "-o", dir, "--", "--config",
					  config, "--timeout", "120", NULL});
	cr_assert_eq(p.status, 0, "trace record %s: %d\n%s\n%s", config, p.status, p.out, p.err);
	*out = strdup(p.out);
	tessera_free(&p);
	return dir;
}

static void load(struct trace_dir *td, const char *dir)
{
	char err[512];

	cr_assert_eq(trace_dir_load(td, dir, err, sizeof(err)), 0, "%s", err);
	cr_assert(td->have_counters, "the hypervisor did not publish its final counters");
	for (unsigned int c = 0; c < td->nr_cpus; c++)
		cr_assert_eq(td->lost[c], 0, "cpu %u lost %lu records: the counts would not be exact", c,
			     (unsigned long)td->lost[c]);
}

struct injections {
	uint64_t by_cell_kind_vector[TESSERA_TRACE_MAX_CELLS][4][256];
};

static int count_injections(const struct trace_rec *r, void *ctx)
{
	struct injections *n = ctx;
	const struct tessera_trace_ev_irq_inject *e = (const void *)r->hdr;

	if (r->ev && r->ev->id == TESSERA_TRACE_EV_irq_inject && r->cell >= 0 &&
	    r->cell < TESSERA_TRACE_MAX_CELLS && e->kind < 4)
		n->by_cell_kind_vector[r->cell][e->kind][e->vector]++;
	return 0;
}

/* "[name] pingpong: N messages received, B bad, D doorbell interrupts, ..." -> D */
static unsigned long doorbells_counted_by(const char *out, const char *cell)
{
	char needle[64];
	unsigned long msgs, bad, db;

	snprintf(needle, sizeof(needle), "[%s] pingpong: ", cell);
	for (const char *l = out; (l = strstr(l, needle)); l++)
		if (sscanf(l + strlen(needle), "%lu messages received, %lu bad, %lu doorbell interrupts",
			   &msgs, &bad, &db) == 3)
			return db;
	cr_assert_fail("no result line of %s in:\n%s", cell, out);
	return 0;
}

/*
 * Each doorbell interrupt the guest's handler counted was injected once as an `interrupt` (an injection
 * an exit cut short is traced again as `reinject`, and delivered once), so the trace's count of first
 * injections of the doorbell vector equals the guest's own count, exactly, in both cells.
 */
Test(trace_events, pingpong_doorbell_injections_are_traced_in_both_cells, .timeout = 200)
{
	char *out;
	const char *dir = record(CONFIGS "pingpong.yaml", "irq_inject,cell_state", &out);
	static struct injections n;
	struct trace_dir td;
	static const struct {
		const char *cell;
		unsigned int id, vector;
	} cells[] = {{"ping", 0, 0x42}, {"pong", 1, 0x41}};

	load(&td, dir);
	memset(&n, 0, sizeof(n));
	trace_dir_for_each(&td, count_injections, &n);
	trace_dir_free(&td);
	for (unsigned int i = 0; i < 2; i++) {
		uint64_t traced =
			n.by_cell_kind_vector[cells[i].id][TESSERA_TRACE_IRQ_INTERRUPT][cells[i].vector];
		unsigned long counted = doorbells_counted_by(out, cells[i].cell);
		cr_expect_gt(traced, 0, "%s: no irq_inject of its doorbell vector %#x", cells[i].cell,
			     cells[i].vector);
		cr_expect_eq(traced, counted, "%s: %lu doorbell injections traced, the guest took %lu",
			     cells[i].cell, (unsigned long)traced, counted);
	}
	free(out);
	sh("rm -rf %s", dir);
}

struct wd_seen {
	unsigned int missed, stop, other;
	uint32_t stop_missed;
	uint64_t stop_silent_ms;
	char stop_name[TESSERA_TRACE_STR_LEN];
};

static int watchdog_events(const struct trace_rec *r, void *ctx)
{
	struct wd_seen *s = ctx;
	const struct tessera_trace_ev_watchdog *e = (const void *)r->hdr;

	if (!r->ev || r->ev->id != TESSERA_TRACE_EV_watchdog)
		return 0;
	if (e->cell != 0 || r->cell != 0) {
		s->other += e->action != TESSERA_TRACE_WD_MISSED; /* a miss under a loaded host is fine */
	} else if (e->action == TESSERA_TRACE_WD_MISSED) {
		s->missed++;
	} else if (e->action == TESSERA_TRACE_WD_STOP) {
		s->stop++;
		s->stop_missed = e->missed;
		s->stop_silent_ms = e->silent_ms;
		memcpy(s->stop_name, e->name, sizeof(s->stop_name));
	}
	return 0;
}

/* watchdog.yaml: 'hang' (cell 0) goes silent; 3 missed heartbeats of 100 ms stop it. 'healthy' answers. */
Test(trace_events, watchdog_misses_and_stop_of_the_hung_cell_are_traced, .timeout = 200)
{
	char *out;
	const char *dir = record(CONFIGS "watchdog.yaml", "watchdog,cell_state", &out);
	struct trace_dir td;
	struct wd_seen s = {0};

	load(&td, dir);
	trace_dir_for_each(&td, watchdog_events, &s);
	trace_dir_free(&td);
	cr_expect_eq(s.stop, 1, "%u watchdog stop events for 'hang'", s.stop);
	cr_expect_str_eq(s.stop_name, "hang");
	cr_expect_eq(s.stop_missed, 3, "the stop came after %u misses", s.stop_missed);
	cr_expect_geq(s.stop_silent_ms, 200, "silent for only %lu ms", (unsigned long)s.stop_silent_ms);
	cr_expect_geq(s.missed, 2, "%u missed-heartbeat events before the stop", s.missed);
	cr_expect_eq(s.other, 0, "%u watchdog actions on 'healthy', which answered", s.other);
	free(out);
	sh("rm -rf %s", dir);
}
