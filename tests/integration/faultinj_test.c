/*
 * Fault injection end to end (docs/faultinj.md): a plan that names what does not exist is refused before
 * QEMU starts; each model's effect shows in its target and in the trace.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lab/host_files.h"
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
 * asked, with APPEND on the hypervisor command line unless NULL): the run's stdout in *out (malloc'd),
 * the fault_inject records in *ev, the trace in dir.
 */
static void record_with(const char *config, const char *plan, bool icount, const char *append, char *dir,
			char **out, struct fi_events *ev)
{
	struct tessera_proc p;
	struct trace_dir td;
	char err[512];
	const char *args[20];
	unsigned int n = 0;

	strcpy(dir, "/tmp/tessera-fi-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	for (const char *const *a =
		     (const char *const[]){
			     "trace", "record", "-e", "fault_inject,cell_state,violation", "-o", dir, "--",
			     "--config", config, "--faults", plan, "--timeout",
			     /* idle=poll spins through idle virtual time: slow on a loaded host */
			     append ? "300" : "120", NULL};
	     *a; a++)
		args[n++] = *a;
	if (append) {
		args[n++] = "--append";
		args[n++] = append;
	}
	if (icount) {
		args[n++] = "--";
		args[n++] = "-icount";
		args[n++] = ICOUNT;
	}
	args[n] = NULL;
	/* idle=poll spins through idle virtual time (docs/faultinj.md): far slower on a loaded host */
	tessera_run(&p, append ? 2 * LIMIT_S + 60 : LIMIT_S, args);
	cr_assert_eq(p.status, 0, "trace record %s: %d\n%s\n%s", plan, p.status, p.out, p.err);
	*out = strdup(p.out);
	tessera_free(&p);
	memset(ev, 0, sizeof(*ev));
	cr_assert_eq(trace_dir_load(&td, dir, err, sizeof(err)), 0, "%s", err);
	trace_dir_for_each(&td, collect, ev);
	trace_dir_free(&td);
}

static void record(const char *config, const char *plan, bool icount, char *dir, char **out,
		   struct fi_events *ev)
{
	record_with(config, plan, icount, NULL, dir, out, ev);
}

static void cleanup(const char *dir)
{
	sh("rm -rf '%s'", dir);
}

/*
 * Boot-time fail points: the plan is armed before the cells are built, so fail-nth on fiself's first
 * page allocation fails the building of its second-stage tables. That fails fiself alone: reported, never
 * started, counted failed; the canaries run and the system shuts down in order (exit 0).
 */
Test(faultinj, fail_nth_on_page_alloc_at_boot_fails_that_cells_creation_while_the_others_run, .timeout = 200)
{
	char dir[64], *out;
	struct fi_events ev;

	record(ROOT "configs/fi/selfcheck.yaml", PLANS "fail-page-alloc.yaml", false, dir, &out, &ev);
	cr_expect(has_line_with(out, "faultinj: fault 0 (fail_point page_alloc) injected into cell 'fiself'"),
		  "%s", out);
	cr_expect(has_line_with(out, "ERROR: cell 'fiself' failed: cannot be created: second-stage tables: "
				     "out of memory"),
		  "%s", out);
	cr_expect(!has_line_with(out, "cell 'fiself' started"), "%s", out);
	cr_expect(!has_line_with(out, "[fiself]"), "fiself ran:\n%s", out);
	cr_expect(has_line_with(out, "cell 'canary-a' finished: exit status 0"), "%s", out);
	cr_expect(has_line_with(out, "cell 'canary-b' finished: exit status 0"), "%s", out);
	cr_expect(has_line_with(out, "stats: cell 'fiself' (failed: cannot be created: second-stage tables: "
				     "out of memory): 0 exits"),
		  "%s", out);
	cr_expect(has_line_with(out, "shutdown: 2 cells finished, 1 failed"), "%s", out);
	/* Injected before the trace rings exist: in the console and the counters, not in the trace. */
	cr_expect(has_line_with(out, "faultinj: fault 0 (fail_point): 1 injected, 1 passes"), "%s", out);
	cr_expect_eq(ev.n, 0, "%u fault_inject records", ev.n);
	free(out);
	cleanup(dir);
}

/*
 * The 7th page allocation of fiself is the first of its vCPU's state (3 pages, the 7th to 9th), taken
 * while the cell is built (a start takes none): the cell cannot be created, the canaries run. The 10th
 * would be one of its start's, and none comes: nothing injected after the build's 9, fiself finishes.
 */
Test(faultinj, fail_nth_on_page_alloc_fails_the_vcpu_state_at_build_and_a_start_allocates_none,
     .timeout = 200)
{
	char dir[64], *out;
	struct fi_events ev;

	record(ROOT "configs/fi/selfcheck.yaml", PLANS "fail-page-alloc-vcpu.yaml", false, dir, &out, &ev);
	cr_expect(has_line_with(out,
				"ERROR: cell 'fiself' failed: cannot be created: out of memory for CPU 1's "
				"vCPU state"),
		  "%s", out);
	cr_expect(has_line_with(out, "faultinj: fault 0 (fail_point page_alloc) injected into cell 'fiself'"),
		  "%s", out);
	cr_expect(!has_line_with(out, "cell 'fiself' started"), "%s", out);
	cr_expect(has_line_with(out, "cell 'canary-a' finished: exit status 0"), "%s", out);
	cr_expect(has_line_with(out, "cell 'canary-b' finished: exit status 0"), "%s", out);
	cr_expect(has_line_with(out, "faultinj: fault 0 (fail_point): 1 injected, 7 passes"), "%s", out);
	cr_expect_eq(ev.n, 0, "%u fault_inject records (injected before the rings exist)", ev.n);
	free(out);
	cleanup(dir);

	record(ROOT "configs/fi/selfcheck.yaml", PLANS "fail-page-alloc-start.yaml", false, dir, &out, &ev);
	cr_expect(has_line_with(out, "cell 'fiself' finished: exit status 0"), "%s", out);
	cr_expect(has_line_with(out, "faultinj: fault 0 (fail_point): 0 injected, 9 passes"),
		  "a start allocated a page:\n%s", out);
	cr_expect_eq(ev.n, 0, "%u fault_inject records", ev.n);
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

/*
 * The guest-physical address of the second page of fiself's sort array, read from the built image: a
 * fixed address in the plan broke when a runtime change moved `arr` by a page (the page then was one
 * fiself never touched again, and no violation came).
 */
static uint64_t fiself_arr_second_page(void)
{
	char out[4096], cmd[4200];
	unsigned long long addr = 0;

	cr_assert_eq(lab_path_beside_exe(out, sizeof(out), "x86_64_hv/fiself.elf"), 0);
	snprintf(cmd, sizeof(cmd), "nm '%s'", out);
	FILE *f = popen(cmd, "r");
	cr_assert_not_null(f, "%s", cmd);
	char line[256], type[8], name[128];
	unsigned long long a;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %7s %127s", &a, type, name) == 3 && !strcmp(name, "arr"))
			addr = a;
	pclose(f);
	cr_assert(addr && addr % 4096 == 0, "no page-aligned `arr` in %s (%#llx)", out, addr);
	return addr + 4096;
}

Test(faultinj, a_not_present_page_gives_the_cells_violation_policy, .timeout = 200)
{
	char dir[64], *out, plan[64], text[1024], denied[96];
	struct fi_events ev;
	uint64_t page = fiself_arr_second_page();

	/* tests/integration/plans/page-gone.yaml with the address of this build's `arr` */
	snprintf(plan, sizeof(plan), "/tmp/tessera-it-page-gone.%d.yaml", getpid());
	FILE *in = fopen(PLANS "page-gone.yaml", "r"), *o = fopen(plan, "w");
	cr_assert(in && o);
	while (fgets(text, sizeof(text), in)) {
		if (strstr(text, "addr: 0x"))
			fprintf(o, "    addr: %#llx\n", (unsigned long long)page);
		else
			fputs(text, o);
	}
	fclose(in);
	fclose(o);
	record(ROOT "configs/fi/selfcheck.yaml", plan, false, dir, &out, &ev);
	unlink(plan);
	snprintf(denied, sizeof(denied), "at guest-physical %#llx denied", (unsigned long long)page);
	cr_expect(has_line_with(out, "VIOLATION cell 'fiself' cpu 1") && has_line_with(out, denied), "%s",
		  out);
	cr_expect(has_line_with(out, "ERROR: cell 'fiself' failed: violation on cpu 1"), "%s", out);
	cr_expect(has_line_with(out, "cell 'canary-a' finished: exit status 0"), "%s", out);
	cr_expect_eq(ev.n, 1);
	cr_expect_eq(ev.by_model[5], 1);
	cr_expect_eq(ev.target, page);
	free(out);
	cleanup(dir);
}

/*
 * QEMU 7.2's icount with sleep=off has a race of its own (docs/faultinj.md, "Determinism"): when every
 * vCPU halts, its main loop may warp the clock to the next timer from an instruction count that lacks the
 * few instructions the halting CPU ran since its last clock read, and from then on every stamp of that
 * run is late by those nanoseconds. With `idle=poll` no CPU of the hypervisor ever halts, so QEMU never
 * warps and two runs must give the same bytes: every CPU's raw trace is compared whole. On a difference
 * the message names the first record that differs (or the sizes), for the kept directories.
 */
#define DETERMINISTIC "idle=poll"

static bool traces_identical(const char *a, const char *b, char *why, size_t len)
{
	struct trace_dir ta, tb;
	char err[512];
	bool ok = true;

	if (trace_dir_load(&ta, a, err, sizeof(err)))
		return snprintf(why, len, "%s: %s", a, err), false;
	if (trace_dir_load(&tb, b, err, sizeof(err))) {
		trace_dir_free(&ta);
		return snprintf(why, len, "%s: %s", b, err), false;
	}
	if (ta.nr_cpus != tb.nr_cpus)
		ok = (snprintf(why, len, "%u CPUs vs %u", ta.nr_cpus, tb.nr_cpus), false);
	for (unsigned int cpu = 0; ok && cpu < ta.nr_cpus; cpu++) {
		size_t off = 0, common = MIN(ta.len[cpu], tb.len[cpu]);
		unsigned int n = 0;

		if (ta.lost[cpu] != tb.lost[cpu])
			ok = (snprintf(why, len, "cpu%u lost %llu and %llu records", cpu,
				       (unsigned long long)ta.lost[cpu], (unsigned long long)tb.lost[cpu]),
			      false);
		else if (ta.len[cpu] == tb.len[cpu] && !memcmp(ta.data[cpu], tb.data[cpu], ta.len[cpu]))
			continue;
		/* They differ: find the first record that does, to say where. */
		for (; ok && off + sizeof(struct tessera_trace_record_header) <= common; n++) {
			const struct tessera_trace_record_header *ha = (const void *)(ta.data[cpu] + off);
			const struct tessera_trace_record_header *hb = (const void *)(tb.data[cpu] + off);

			if (ha->size < sizeof(*ha) || off + ha->size > common || ha->size != hb->size ||
			    memcmp(ha, hb, ha->size))
				ok = (snprintf(why, len,
					       "cpu%u record %u (offset %zu): differs (tsc %llu vs %llu, "
					       "%+lld ns)",
					       cpu, n, off, (unsigned long long)ha->tsc,
					       (unsigned long long)hb->tsc, (long long)(hb->tsc - ha->tsc)),
				      false);
			else
				off += ha->size;
		}
		if (ok)
			ok = (snprintf(why, len, "cpu%u.raw: %zu bytes vs %zu, the same up to %zu", cpu,
				       ta.len[cpu], tb.len[cpu], off),
			      false);
	}
	trace_dir_free(&ta);
	trace_dir_free(&tb);
	return ok;
}

#define FI_TIMER_CPU0 ROOT "tests/integration/configs/fi-timer-cpu0.yaml"

/* Two recordings of one plan and seed under icount and idle=poll: the same bytes, or the kept dirs. */
static void expect_identical(const char *a, const char *b, char *out_a, char *out_b)
{
	char why[1024] = "";
	bool same = traces_identical(a, b, why, sizeof(why));

	cr_expect(same, "the traces in %s and %s differ: %s (kept)", a, b, why);
	free(out_a);
	free(out_b);
	if (same) {
		cleanup(a);
		cleanup(b);
	}
}

Test(faultinj, two_icount_runs_of_one_plan_and_seed_give_identical_traces, .timeout = 800)
{
	char a[64], b[64], *out_a, *out_b;
	struct fi_events ev_a, ev_b;

	record_with(FI_TIMER_CPU0, PLANS "timer-drop-random.yaml", true, DETERMINISTIC, a, &out_a, &ev_a);
	record_with(FI_TIMER_CPU0, PLANS "timer-drop-random.yaml", true, DETERMINISTIC, b, &out_b, &ev_b);
	cr_expect(has_line_with(out_a, "idle=poll: waiting CPUs spin"), "%s", out_a);
	cr_expect_eq(ev_a.n, 10, "%u drops, not the 10 the plan allows", ev_a.n);
	cr_expect_eq(ev_a.n, ev_b.n);
	expect_identical(a, b, out_a, out_b);
}

/*
 * The recorder's own timing must not reach the recording: one drains every millisecond, the other naps
 * 300 ms between drains (TESSERA_TRACE_DRAIN_NAP_MS). A host-timed command that reached the guest (a
 * clock sync served by CPU 0 while it runs the cell, sent from the drain loop), or a ring whose
 * contents depended on when the host drained it, makes the two differ here whatever the load.
 */
Test(faultinj, a_recording_does_not_depend_on_when_the_host_drains, .timeout = 800)
{
	char a[64], b[64], *out_a, *out_b;
	struct fi_events ev_a, ev_b;

	record_with(FI_TIMER_CPU0, PLANS "timer-drop-random.yaml", true, DETERMINISTIC, a, &out_a, &ev_a);
	setenv("TESSERA_TRACE_DRAIN_NAP_MS", "300", 1);
	record_with(FI_TIMER_CPU0, PLANS "timer-drop-random.yaml", true, DETERMINISTIC, b, &out_b, &ev_b);
	unsetenv("TESSERA_TRACE_DRAIN_NAP_MS");
	cr_expect_eq(ev_a.n, 10, "%u drops, not the 10 the plan allows", ev_a.n);
	cr_expect_eq(ev_a.n, ev_b.n);
	expect_identical(a, b, out_a, out_b);
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

/*
 * The control ABI from a manager cell (docs/hypercalls.md, `control`): the manager inmate's lifecycle
 * sequence of cells_test.c's manager test, with every start, stop and restart sent as a control command,
 * then what the hypercall refuses (the host's time_sync, a short request, an unknown command).
 */
Test(faultinj, a_manager_stops_and_starts_another_cell_through_the_control_hypercall, .timeout = 120)
{
	struct tessera_proc p;

	tessera_run(&p, 90,
		    (const char *const[]){"run", "--config",
					  ROOT "tests/integration/configs/manager-control.yaml", "--timeout",
					  "60", NULL});
	cr_expect(has_line_with(p.out, "[boss] manager: cell commands through the control hypercall"), "%s",
		  p.out);
	cr_expect(has_line_with(p.out, "[boss] TESTS: 16 passed, 0 failed"), "%s", p.out);
	cr_expect(has_line_with(p.out, "[boss] TEST control_time_sync_refused: PASS"), "%s", p.out);
	cr_expect(has_line_with(p.out, "cell 'target' stopped: stopped by cell 'boss'"), "%s", p.out);
	cr_expect(!strstr(p.out, "marker word 0x"), "the target saw a previous run's memory:\n%s", p.out);
	cr_expect(has_line_with(p.out, "[cpu0] shutdown: 2 cells finished, 0 failed"), "%s", p.out);
	cr_expect_eq(p.status, 0, "exit status %d\n%s", p.status, p.err);
	tessera_free(&p);
}
