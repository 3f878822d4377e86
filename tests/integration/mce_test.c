/*
 * Machine checks from the hardware (docs/machine-checks.md): QEMU's monitor `mce` command, sent through
 * the QMP connection the lab's runner offers (lab/runner.h, on_started; lab/qmp.h), into CPUs whose cells wait in different ways (tests/integration/configs/mce.yaml).
 * Each record must be attributed to the right cell and handled by that cell's on_machine_check policy,
 * and every other cell must go on. The software path (a fault plan's machine_check model) runs the same
 * handling code, recorded in the trace.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lab/qmp.h"
#include "../../lab/runner.h"
#include "../../trace/tracedir.h"
#include "harness.h"

/* Which CPU prints an MCE line is whichever drained the queue (mce.h): the tests match from "MCE". */

/*
 * A boot of one of the MCE configs through the lab's runner in this process, with the monitor it offers
 * (lab/runner.h, on_started): a script of machine checks, each sent when every line it waits for has
 * appeared on the console. The console goes to a file, so a QMP call made from on_line never holds
 * the guest up.
 */
struct mce_step {
	const char *const *after; /* lines (substrings) that must all have appeared first */
	unsigned int cpu, bank;
	uint64_t status, addr;
	bool may_fail; /* the machine may stop before QEMU answers */
};

struct mce_run {
	const struct mce_step *steps;
	unsigned int nr_steps, done;
	struct qmp *q;
	bool qmp_ready_before_first_line;
	unsigned int lines;
	char *out; /* the console, '\n' after each line */
	size_t len;
	int status;
	char summary[160];
};

static int mce_started(struct qmp *q, void *ctx)
{
	struct mce_run *r = ctx;

	r->q = q;
	r->qmp_ready_before_first_line = r->lines == 0;
	return 0;
}

static bool seen_all(const struct mce_run *r, const char *const *needles)
{
	for (; needles && *needles; needles++)
		if (!strstr(r->out, *needles))
			return false;
	return true;
}

static int mce_line(const char *line, void *ctx)
{
	struct mce_run *r = ctx;
	size_t n = strlen(line);

	r->lines++;
	r->out = realloc(r->out, r->len + n + 2);
	if (!r->out)
		return 1;
	memcpy(r->out + r->len, line, n);
	r->len += n;
	r->out[r->len++] = '\n';
	r->out[r->len] = '\0';
	while (r->done < r->nr_steps && seen_all(r, r->steps[r->done].after)) {
		const struct mce_step *st = &r->steps[r->done++];
		int ret =
			r->q ? qmp_mce(r->q, st->cpu, st->bank, st->status, 0x5 /* MCIP RIPV */, st->addr, 0)
			     : -1;
		if (ret && !st->may_fail) {
			cr_expect_fail("machine check %u: %s", r->done,
				       r->q ? r->q->error : "no QMP connection");
			return 1;
		}
	}
	return 0;
}

/* Boot `yaml` (tests/integration/configs/) with its script; the console is in r->out. */
static void mce_boot(struct mce_run *r, const char *yaml, const struct mce_step *steps, unsigned int nr)
{
	char path[512];
	struct lab_system s = {.config = path, .timeout_s = 90};
	struct lab_hooks h = {.on_line = mce_line, .on_started = mce_started, .ctx = r, .quiet = true};
	struct lab_run run;

	memset(r, 0, sizeof(*r));
	r->steps = steps;
	r->nr_steps = nr;
	r->out = strdup("");
	snprintf(path, sizeof(path), "%s/tests/integration/configs/%s", TESSERA_SOURCE_ROOT, yaml);
	r->status = lab_run(&s, &h, &run);
	snprintf(r->summary, sizeof(r->summary), "%s", run.summary);
	lab_run_release(&run);
	cr_expect(r->qmp_ready_before_first_line, "the monitor came after the console's first line");
	cr_expect_eq(r->done, nr, "%u of %u machine checks sent; console:\n%s", r->done, nr, r->out);
}

static void expect_console(const struct mce_run *r, const char *needle)
{
	cr_expect(has_line_with(r->out, needle), "no line with \"%s\" in:\n%s\n(%s)", needle, r->out,
		  r->summary);
}

static const char *const all_waiting[] = {
	"[halted] mcewait: waiting",
	"[running] mcewait: waiting",
	"[restarter] mcewait: waiting",
	"[noidt] mcewait: waiting",
	NULL,
};

/*
 * One boot, five machine checks, each a different arrival and policy:
 *   CPU 1, its cell halted (the vCPU in the hypervisor): the hypervisor's #MC handler; forward injects a
 *     virtual #MC, and the cell reads back the bank, the status and its own guest-physical address
 *   CPU 2, its cell spinning with CR4.MCE cleared: TCG delivers it through the cell's IDT; the runtime's
 *     handler reading MCG_STATUS brings it to the hypervisor; forward, attributed by CPU (no address)
 *   CPU 3, its cell halted, action required in its memory: restart; the second run starts waiting again
 *   CPU 5, its cell spinning without an IDT: the shutdown form (EXITINTINFO vector 18); log, then the
 *     crash stops that cell
 *   CPU 0 (no cell), a corrected error in halted's memory: no #MC, found by CPU 0's poll, logged
 * and the neighbour finishes normally.
 */
Test(mce, hardware_machine_checks_are_attributed_and_handled_by_policy, .timeout = 150)
{
	static const char *const halted_done[] = {"[halted] mcewait: done", NULL};
	static const char *const running_done[] = {"[running] mcewait: done", NULL};
	static const char *const restarter_stopped[] = {"cell 'restarter' stopped: machine check", NULL};
	static const struct mce_step steps[] = {
		/* AO, in halted's memory (guest 0x1000) */
		{all_waiting, 1, 1, 0xbd00000000000000ULL, 0x4001000, false},
		{halted_done, 2, 2, 0xb100000000000000ULL, 0, false},	       /* AO, no address */
		{running_done, 3, 3, 0xbd80000000000000ULL, 0x4802000, false}, /* AR, in restarter's memory */
		{restarter_stopped, 5, 2, 0xbd00000000000000ULL, 0x5003000, false},
		{restarter_stopped, 0, 4, 0x9c00000000000000ULL, 0x4002000,
		 false}, /* corrected: VAL EN MISCV ADDRV */
	};
	struct mce_run r;

	mce_boot(&r, "mce.yaml", steps, sizeof(steps) / sizeof(steps[0]));
	const struct mce_run *p = &r;
	expect_console(p, "MCE cpu 1 bank 1 status 0xbd00000000000000 addr 0x4001000 misc 0: "
			  "action_optional, owner halted, action forward");
	expect_console(p, "[halted] MCE seen: cpu 0 bank 1 status 0xbd00000000000000 addr 0x1000 misc 0 "
			  "mcg_status 0x5");
	expect_console(p, "cell 'halted' finished: exit status 0");

	expect_console(p, "[running] mcewait: CR4.MCE cleared (reads back 0)");
	expect_console(p, "MCE cpu 2 bank 2 status 0xb100000000000000 addr 0 misc 0: action_optional, "
			  "owner running, action forward");
	expect_console(
		p, "[running] MCE seen: cpu 0 bank 2 status 0xb100000000000000 addr 0 misc 0 mcg_status 0x5");
	expect_console(p, "cell 'running' finished: exit status 0");

	expect_console(p, "MCE cpu 3 bank 3 status 0xbd80000000000000 addr 0x4802000 misc 0: "
			  "action_required, owner restarter, action restart");
	expect_console(p, "cell 'restarter' stopped: machine check (action_required, bank 3, status "
			  "0xbd80000000000000, addr 0x4802000) (restarting)");
	const char *again = strstr(p->out, "(restarting)");
	cr_expect(again && strstr(again, "[restarter] mcewait: waiting"), "no second run:\n%s", p->out);
	cr_expect(!strstr(p->out, "[restarter] MCE seen"), "the restarter saw the machine check:\n%s",
		  p->out);

	expect_console(p, "MCE cpu 5 bank 2 status 0xbd00000000000000 addr 0x5003000 misc 0: "
			  "action_optional, owner noidt, action log");
	expect_console(p,
		       "cell 'noidt' failed: cpu 5 crashed: triple fault delivering a machine check (#MC)");

	expect_console(p, "MCE cpu 0 bank 4 status 0x9c00000000000000 addr 0x4002000 misc 0: corrected, "
			  "owner halted, action log");
	expect_console(p, "cell 'neighbour' finished: exit status 0");
	expect_console(
		p, "machine checks: 5 (corrected 1, ucna 0, action optional 3, action required 1, fatal 0; "
		   "0 lost to a full queue)");
	cr_expect(!strstr(p->out, "FATAL") && !strstr(p->out, "PANIC"), "the hypervisor died:\n%s", p->out);
	cr_expect_eq(p->status, 0, "exit status %d (%s)\n%s", p->status, p->summary, p->out);
	free(r.out);
}

/* Uncorrected in the hypervisor's own memory (CPU 0 runs no cell): an orderly report, exit 1. */
Test(mce, uncorrected_error_in_hypervisor_memory_panics_in_order, .timeout = 150)
{
	/* The machine stops before QEMU answers, or just after: either way the call may fail. */
	static const struct mce_step steps[] = {
		{all_waiting, 0, 1, 0xbd00000000000000ULL, 0x100000, true}, /* the hypervisor's image */
	};
	struct mce_run r;

	mce_boot(&r, "mce.yaml", steps, 1);
	expect_console(&r, "[cpu0] PANIC: uncorrected machine check in the hypervisor (action_optional, from "
			   "the hardware)");
	expect_console(
		&r, "[cpu0] MCE cpu 0 bank 1 status 0xbd00000000000000 addr 0x100000 misc 0 mcg_status 0x5");
	cr_expect(strstr(r.summary, "hypervisor panic"), "summary: %s", r.summary);
	cr_expect(!strstr(r.out, "FATAL"), "the fatal exception dump instead:\n%s", r.out);
	cr_expect_eq(r.status, 1, "exit status %d (%s)", r.status, r.summary);
	free(r.out);
}

/*
 * A cell that clears CR4.MCE reads it back clear, but the hypervisor keeps it set underneath: a machine
 * check QEMU delivers into the cell (TCG does not turn it into an exit) reaches the cell's handler, and
 * its first MCA MSR access brings the record to the hypervisor. The policy is the default (stop): only
 * that cell fails, with the record as the reason. With the cell's value in the real CR4, QEMU reset the
 * whole machine.
 */
Test(mce, machine_check_in_a_running_cell_with_cr4_mce_cleared_stops_only_the_cell, .timeout = 150)
{
	static const char *const waiting[] = {"hostile: waiting", NULL};
	static const struct mce_step steps[] = {
		{waiting, 1, 1, 0xb200000000000000ULL, 0x1234000, false}, /* PCC: fatal */
	};
	struct mce_run r;

	mce_boot(&r, "hostile-mce.yaml", steps, 1);
	expect_console(&r, "[hostile] hostile: nomce: ok (CR4 0x");
	expect_console(&r, "MCE cpu 1 bank 1 status 0xb200000000000000 addr 0 misc 0: fatal, owner hostile, "
			   "action stop");
	expect_console(
		&r,
		"cell 'hostile' failed: machine check (fatal, bank 1, status 0xb200000000000000, addr 0)");
	expect_console(&r, "cell 'worker' finished: exit status 0");
	expect_console(&r, "shutdown: 1 cells finished, 1 failed");
	cr_expect_eq(r.status, 0, "exit status %d (%s)", r.status, r.summary);
	free(r.out);
}

/* A plan's machine check is checked before anything boots, as a config is: FILE:LINE:COL and exit 2. */
Test(mce, a_plan_machine_check_without_val_is_refused_before_boot, .timeout = 60)
{
	struct tessera_proc p;

	tessera_run(&p, 30,
		    (const char *const[]){
			    "run", "--config", TESSERA_SOURCE_ROOT "tests/integration/configs/mce-plan.yaml",
			    "--faults", TESSERA_SOURCE_ROOT "tests/integration/plans/mce-no-val.yaml", NULL});
	cr_expect_eq(p.status, 2, "exit %d, stderr:\n%s", p.status, p.err);
	cr_expect(has_line_with(p.err,
				"mce-no-val.yaml:6:13: status 0x3400000000000000 has VAL (bit 63) clear"),
		  "stderr:\n%s", p.err);
	cr_expect_eq(p.qemu_pid, 0, "QEMU was started");
	tessera_free(&p);
}

/* Each traced `mce` record, by severity and action. */
struct mce_seen_in_trace {
	unsigned int by[TESSERA_MCE_SEV_COUNT][TESSERA_MCE_ACT_COUNT];
	unsigned int hardware, other_owner;
};

static int count_mce(const struct trace_rec *r, void *ctx)
{
	struct mce_seen_in_trace *n = ctx;
	const struct tessera_trace_ev_mce *e = (const void *)r->hdr;

	if (!r->ev || r->ev->id != TESSERA_TRACE_EV_mce)
		return 0;
	if (e->severity < TESSERA_MCE_SEV_COUNT && e->action < TESSERA_MCE_ACT_COUNT)
		n->by[e->severity][e->action]++;
	n->hardware += !e->software;
	n->other_owner += e->owner != r->cell;
	return 0;
}

/*
 * tests/integration/plans/mce-classes.yaml synthesizes every severity class on four cells' CPUs
 * (configs/mce-plan.yaml, one cell per policy): each goes through the classifier, the hw_error point,
 * attribution and the owner's policy, as a hardware machine check does, and is traced. Each cell's faults
 * fire at its own exits, far apart: a record forwarded from another CPU could meet the cell's previous one
 * still in progress (virtual MCIP), which shuts the cell down, as on hardware, and depends on timing.
 */
Test(mce, every_severity_class_through_the_software_path, .timeout = 200)
{
	char dir[] = "/tmp/tessera-mce-XXXXXX";
	struct tessera_proc p;
	struct trace_dir td;
	char err[512];
	static struct mce_seen_in_trace n;

	cr_assert_not_null(mkdtemp(dir));
	tessera_run(&p, 150,
		    (const char *const[]){
			    "trace", "record", "-e", "mce,fault_inject", "-o", dir, "--", "--config",
			    TESSERA_SOURCE_ROOT "tests/integration/configs/mce-plan.yaml", "--faults",
			    TESSERA_SOURCE_ROOT "tests/integration/plans/mce-classes.yaml", "--timeout",
			    "120", NULL});
	cr_assert_eq(p.status, 0, "exit %d\n%s\n%s", p.status, p.out, p.err);
	expect_line(
		&p,
		"MCE cpu 1 bank 1 status 0xb400000000000000 addr 0x4002000 misc 0: ucna, owner fwd, action "
		"forward (synthesized)");
	expect_line(
		&p,
		"[fwd] MCE seen: cpu 0 bank 1 status 0xb400000000000000 addr 0x2000 misc 0 mcg_status 0x5");
	expect_line(&p,
		    "MCE cpu 1 bank 2 status 0xb100000000000000 addr 0 misc 0: action_optional, owner fwd, "
		    "action forward (synthesized)");
	expect_line(&p,
		    "[fwd] MCE seen: cpu 0 bank 2 status 0xb100000000000000 addr 0 misc 0 mcg_status 0x5");
	/* Taken on stp's CPU, in lg's memory: lg's. */
	expect_line(&p, "MCE cpu 3 bank 3 status 0xbd80000000000000 addr 0x4c03000 misc 0: action_required, "
			"owner lg, action log (synthesized)");
	expect_line(&p, "cell 'fwd' finished: exit status 0");
	expect_line(&p,
		    "cell 'stp' failed: machine check (action_required, bank 3, status 0xbd80000000000000, "
		    "addr 0x4801000)");
	expect_line(&p,
		    "cell 'rst' stopped: machine check (fatal, bank 4, status 0xb200000000000000, addr 0) "
		    "(restarting)");
	const char *again = strstr(p.out, "(restarting)");
	cr_expect(again && strstr(again, "[rst] mcewait: waiting"), "rst did not run again:\n%s", p.out);
	expect_line(&p,
		    "MCE cpu 4 bank 5 status 0x9c00000000000000 addr 0x4c00040 misc 0: corrected, owner lg, "
		    "action log (synthesized)");
	expect_line(
		&p,
		"MCE cpu 4 bank 6 status 0xb400000000000000 addr 0x4c00080 misc 0: ucna, owner lg, action "
		"log (synthesized)");
	expect_line(
		&p,
		"machine checks: 7 (corrected 1, ucna 2, action optional 1, action required 2, fatal 1; 0 "
		"lost to a full queue)");
	tessera_free(&p);

	cr_assert_eq(trace_dir_load(&td, dir, err, sizeof(err)), 0, "%s", err);
	memset(&n, 0, sizeof(n));
	trace_dir_for_each(&td, count_mce, &n);
	trace_dir_free(&td);
	sh("rm -rf %s", dir);
	cr_expect_eq(n.by[TESSERA_MCE_SEV_CORRECTED][TESSERA_MCE_ACT_LOG], 1);
	cr_expect_eq(n.by[TESSERA_MCE_SEV_UCNA][TESSERA_MCE_ACT_FORWARD], 1);
	cr_expect_eq(n.by[TESSERA_MCE_SEV_UCNA][TESSERA_MCE_ACT_LOG], 1);
	cr_expect_eq(n.by[TESSERA_MCE_SEV_AO][TESSERA_MCE_ACT_FORWARD], 1);
	cr_expect_eq(n.by[TESSERA_MCE_SEV_AR][TESSERA_MCE_ACT_LOG], 1);
	cr_expect_eq(n.by[TESSERA_MCE_SEV_AR][TESSERA_MCE_ACT_STOP], 1);
	cr_expect_eq(n.by[TESSERA_MCE_SEV_FATAL][TESSERA_MCE_ACT_RESTART], 1);
	cr_expect_eq(n.hardware, 0, "%u records say they came from the hardware", n.hardware);
	cr_expect_eq(n.other_owner, 0, "a record filed under another cell than its owner");
}
