/*
 * Fault injection end to end (docs/faultinj.md): a plan that names what does not exist is refused before
 * QEMU starts; each model's effect shows in its target and in the trace.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../trace/tracedir.h"
#include "harness.h"

#define ROOT TESSERA_SOURCE_ROOT

Test(faultinj, a_plan_naming_a_missing_cell_is_refused_before_boot, .timeout = 60)
{
	struct tessera_proc p;
	const char *args[] = {"run",
			      "--config",
			      ROOT "configs/fi/selfcheck.yaml",
			      "--faults",
			      ROOT "tests/integration/plans/bad-cell.yaml",
			      NULL};

	tessera_run(&p, 30, args);
	cr_expect_eq(p.status, 2, "exit %d, stderr:\n%s", p.status, p.err);
	cr_expect(has_line_with(p.err,
				"bad-cell.yaml:5:11: no cell 'nosuch' in the config (its cells: fiself, "
				"canary-a, canary-b)"),
		  "stderr:\n%s", p.err);
	cr_expect_eq(p.qemu_pid, 0, "QEMU was started");
	tessera_free(&p);
}

#define PLANS	ROOT "tests/integration/plans/"
#define ICOUNT	"shift=0,sleep=off"
#define LIMIT_S 150

struct fi_events {
	unsigned int n; /* fault_inject records */
	unsigned int by_model[16];
	uint64_t param, target, value; /* of the last one */
	int cell;
};

static int collect(const struct trace_rec *r, void *ctx)
{
	struct fi_events *ev = ctx;
	const struct tessera_trace_ev_fault_inject *e = (const void *)r->hdr;

	if (!r->ev || r->ev->id != TESSERA_TRACE_EV_fault_inject)
		return 0;
	ev->n++;
	ev->by_model[e->model & 15]++;
	ev->param = e->param;
	ev->target = e->target;
	ev->value = e->value;
	ev->cell = r->cell;
	return 0;
}

/*
 * `tessera trace record` of CONFIG with PLAN (fault_inject and cell_state events, under icount when
 * asked): the run's stdout in *out (malloc'd), the fault_inject records in *ev, the trace in dir.
 */
static void record(const char *config, const char *plan, bool icount, char *dir, char **out,
		   struct fi_events *ev)
{
	struct tessera_proc p;
	struct trace_dir td;
	char err[512];

	strcpy(dir, "/tmp/tessera-fi-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	const char *args[] = {"trace",	 "record",
			      "-e",	 "fault_inject,cell_state,violation",
			      "-o",	 dir,
			      "--",	 "--config",
			      config,	 "--faults",
			      plan,	 "--timeout",
			      "120",	 icount ? "--" : NULL,
			      "-icount", ICOUNT,
			      NULL};
	tessera_run(&p, LIMIT_S, args);
	cr_assert_eq(p.status, 0, "trace record %s: %d\n%s\n%s", plan, p.status, p.out, p.err);
	*out = strdup(p.out);
	tessera_free(&p);
	memset(ev, 0, sizeof(*ev));
	cr_assert_eq(trace_dir_load(&td, dir, err, sizeof(err)), 0, "%s", err);
	trace_dir_for_each(&td, collect, ev);
	trace_dir_free(&td);
}

static void cleanup(const char *dir)
{
	sh("rm -rf '%s'", dir);
}

Test(faultinj, fail_nth_on_page_alloc_fails_that_cells_start_while_the_others_run, .timeout = 200)
{
	char dir[64], *out;
	struct fi_events ev;

	record(ROOT "configs/fi/selfcheck.yaml", PLANS "fail-page-alloc.yaml", false, dir, &out, &ev);
	cr_expect(has_line_with(out,
				"ERROR: cell 'fiself' failed: cpu 1: cannot set up the vCPU: out of memory"),
		  "%s", out);
	cr_expect(has_line_with(out, "faultinj: fault 0 (fail_point page_alloc) injected into cell 'fiself'"),
		  "%s", out);
	cr_expect(has_line_with(out, "cell 'canary-a' finished: exit status 0"), "%s", out);
	cr_expect(has_line_with(out, "cell 'canary-b' finished: exit status 0"), "%s", out);
	cr_expect_eq(ev.n, 1, "%u fault_inject records", ev.n);
	cr_expect_eq(ev.by_model[1], 1);
	cr_expect_eq(ev.cell, 0, "attributed to cell %d", ev.cell);
	cr_expect_eq(ev.param, 0, "site %llu, not page_alloc", (unsigned long long)ev.param);
	free(out);
	cleanup(dir);
}

/* "timer: G ticks for W periods in the 1 s window" */
static void window_counts(const char *out, unsigned long *got, unsigned long *want)
{
	const char *l = strstr(out, "timer: ");

	for (; l; l = strstr(l + 1, "timer: "))
		if (sscanf(l, "timer: %lu ticks for %lu periods", got, want) == 2)
			return;
	cr_assert_fail("no window line in:\n%s", out);
}

Test(faultinj, dropped_timer_interrupts_are_missed_by_the_timer_inmate_and_traced, .timeout = 200)
{
	char dir[64], *out;
	struct fi_events ev;
	unsigned long got, want;

	record(ROOT "configs/timer.yaml", PLANS "timer-drop.yaml", true, dir, &out, &ev);
	window_counts(out, &got, &want);
	/* every 4th dropped: 3 of 4 periods counted in the window (+-1 at each edge) */
	cr_expect(got * 4 + 8 >= want * 3 && got * 4 <= want * 3 + 8, "%lu ticks for %lu periods", got, want);
	cr_expect(has_line_with(out, "TEST timer_periodic_count: FAIL"), "%s", out);
	cr_expect_geq(ev.n, want / 4, "%u drops traced, the window alone missed %lu", ev.n, want - got);
	cr_expect_eq(ev.by_model[2], ev.n);
	cr_expect_eq(ev.target, 0x30, "vector %#llx", (unsigned long long)ev.target);
	free(out);
	cleanup(dir);
}

Test(faultinj, a_failed_hypercall_returns_its_error_to_the_cell, .timeout = 200)
{
	char dir[64], *out;
	struct fi_events ev;

	record(ROOT "configs/fi/selfcheck.yaml", PLANS "hypercall-fail.yaml", false, dir, &out, &ev);
	cr_expect(has_line_with(out, "[fiself] FI round=0 "), "%s", out);
	cr_expect(!has_line_with(out, "[fiself] FI round=1 "), "the failed console write printed:\n%s", out);
	cr_expect(has_line_with(out, "[fiself] FI round=2 "), "%s", out);
	cr_expect_eq(ev.n, 1);
	cr_expect_eq(ev.by_model[3], 1);
	cr_expect_eq(ev.target, 1, "hypercall %llu, not console_write", (unsigned long long)ev.target);
	cr_expect_eq((int64_t)ev.value, -9, "result %lld, not -EIO", (long long)ev.value);
	free(out);
	cleanup(dir);
}

Test(faultinj, a_register_flip_in_fiself_is_caught_by_its_checks, .timeout = 200)
{
	char dir[64], *out;
	struct fi_events ev;

	record(ROOT "configs/fi/selfcheck.yaml", PLANS "register-flip.yaml", true, dir, &out, &ev);
	cr_expect(has_line_with(out, "crc=mismatch"), "%s", out);
	cr_expect(has_line_with(out, "[fiself] FI result=") && has_line_with(out, "check=mismatch"), "%s",
		  out);
	cr_expect(has_line_with(out, "ERROR: cell 'fiself' failed: exit status 1"), "%s", out);
	cr_expect_eq(ev.n, 1);
	cr_expect_eq(ev.by_model[4], 1);
	cr_expect_eq(ev.param, 2, "register %llu, not rcx", (unsigned long long)ev.param);
	free(out);
	cleanup(dir);
}

Test(faultinj, a_not_present_page_gives_the_cells_violation_policy, .timeout = 200)
{
	char dir[64], *out;
	struct fi_events ev;

	record(ROOT "configs/fi/selfcheck.yaml", PLANS "page-gone.yaml", false, dir, &out, &ev);
	cr_expect(has_line_with(out, "VIOLATION cell 'fiself' cpu 1") &&
			  has_line_with(out, "at guest-physical 0x113000 denied"),
		  "%s", out);
	cr_expect(has_line_with(out, "ERROR: cell 'fiself' failed: violation on cpu 1"), "%s", out);
	cr_expect(has_line_with(out, "cell 'canary-a' finished: exit status 0"), "%s", out);
	cr_expect_eq(ev.n, 1);
	cr_expect_eq(ev.by_model[5], 1);
	cr_expect_eq(ev.target, 0x113000);
	free(out);
	cleanup(dir);
}

/* The rings' files of two recordings, byte for byte (the meta file holds host clock readings). */
static bool same_files(const char *a, const char *b, const char *name)
{
	return sh("cmp -s '%s/%s' '%s/%s'", a, name, b, name) == 0;
}

Test(faultinj, two_icount_runs_of_one_plan_and_seed_give_identical_traces, .timeout = 300)
{
	char a[64], b[64], *out_a, *out_b;
	struct fi_events ev_a, ev_b;

	record(ROOT "tests/integration/configs/fi-timer-cpu0.yaml", PLANS "timer-drop-random.yaml", true, a,
	       &out_a, &ev_a);
	record(ROOT "tests/integration/configs/fi-timer-cpu0.yaml", PLANS "timer-drop-random.yaml", true, b,
	       &out_b, &ev_b);
	cr_expect_eq(ev_a.n, 10, "%u drops, not the 10 the plan allows", ev_a.n);
	cr_expect_eq(ev_a.n, ev_b.n);
	cr_expect(same_files(a, b, "cpu0.raw") && same_files(a, b, "cpu1.raw"),
		  "the traces in %s and %s differ", a, b);
	free(out_a);
	free(out_b);
	cleanup(a);
	cleanup(b);
}

/* A fault sent to a running system through its control mailbox, then a cell command the same way. */
Test(faultinj, a_live_injection_and_a_cell_stop_reach_a_running_system, .timeout = 200)
{
	struct tessera_proc run, p;
	char channel[64];

	snprintf(channel, sizeof(channel), "/tmp/tessera-fi-ch.%d", getpid());
	tessera_start(&run, (const char *const[]){"run", "--config", ROOT "configs/timer.yaml", "--channel",
						  channel, "--timeout", "120", NULL});
	tessera_run(&p, 30,
		    (const char *const[]){"fi", "inject", "--channel", channel, "--config",
					  ROOT "configs/timer.yaml", "interrupt", "cell=timer", "action=drop",
					  "source=timer", "trigger.every=2", NULL});
	cr_expect_eq(p.status, 0, "fi inject: %d\n%s", p.status, p.err);
	cr_expect(has_line_with(p.out, "fault armed in slot 0"), "%s", p.out);
	tessera_free(&p);
	/* The timer inmate's first test (100 interrupts) takes about 2 s with every 2nd one dropped. */
	sleep(1);
	tessera_run(&p, 30, (const char *const[]){"fi", "status", "--channel", channel, "0", NULL});
	cr_expect_eq(p.status, 0, "fi status: %d\n%s", p.status, p.err);
	unsigned long injected = 0;
	const char *l = strstr(p.out, "slot 0: armed interrupt, ");
	cr_expect(l && sscanf(l, "slot 0: armed interrupt, %lu injected", &injected) == 1 && injected > 0,
		  "%s", p.out);
	tessera_free(&p);
	tessera_run(&p, 30, (const char *const[]){"cell", "stop", "--channel", channel, "timer", NULL});
	cr_expect_eq(p.status, 0, "cell stop: %d\n%s", p.status, p.err);
	tessera_free(&p);
	tessera_wait(&run, 150);
	cr_expect_eq(run.status, 0, "run: %d\n%s\n%s", run.status, run.out, run.err);
	cr_expect(has_line_with(run.out, "faultinj: fault 0 (interrupt drop) armed live") ||
			  has_line_with(run.out, "faultinj: fault 0 (interrupt) armed live"),
		  "%s", run.out);
	cr_expect(has_line_with(run.out, "cell 'timer' (stopped: stopped by the host)"), "%s", run.out);
	cr_expect(access(channel, F_OK) != 0, "the channel file %s outlived the run", channel);
	tessera_free(&run);
}
