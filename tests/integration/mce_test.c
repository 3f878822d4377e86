/*
 * Machine checks from the hardware (docs/machine-checks.md): QEMU's monitor `mce` command, sent through
 * QMP (lab/qmp.h), into CPUs whose cells wait in different ways (tests/integration/configs/mce.yaml).
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
#include "../../trace/tracedir.h"
#include "harness.h"

/* Which CPU prints an MCE line is whichever drained the queue (mce.h): the tests match from "MCE". */

#define LIMIT_S 100

struct mce_run {
	struct tessera_proc p;
	char sock[64];
	struct qmp q;
};

/* Boot `yaml` with a QMP socket, wait until every cell in `ready` printed its line, connect. */
static void mce_start(struct mce_run *r, const char *yaml, const char *const *ready)
{
	char path[512], qmp_arg[96];

	snprintf(r->sock, sizeof(r->sock), "/tmp/tessera-it-qmp.%d", (int)getpid());
	snprintf(qmp_arg, sizeof(qmp_arg), "unix:%s,server=on,wait=off", r->sock);
	snprintf(path, sizeof(path), "%s/tests/integration/configs/%s", TESSERA_SOURCE_ROOT, yaml);
	unlink(r->sock);
	tessera_start(&r->p, (const char *const[]){"run", "--config", path, "--timeout", "90", "--", "-qmp",
						   qmp_arg, NULL});
	for (; *ready; ready++)
		cr_assert(tessera_wait_for_output(&r->p, *ready, 60), "no \"%s\" line", *ready);
	cr_assert_eq(qmp_connect(&r->q, r->sock, 10000), 0, "%s", r->q.error);
}

static void mce_inject(struct mce_run *r, unsigned int cpu, unsigned int bank, uint64_t status, uint64_t addr)
{
	cr_assert_eq(qmp_mce(&r->q, cpu, bank, status, 0x5 /* MCIP RIPV */, addr, 0), 0, "%s", r->q.error);
}

static void mce_finish(struct mce_run *r)
{
	qmp_close(&r->q);
	tessera_wait(&r->p, LIMIT_S);
	unlink(r->sock);
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
	struct mce_run r;

	mce_start(&r, "mce.yaml", all_waiting);
	mce_inject(&r, 1, 1, 0xbd00000000000000ULL, 0x4001000); /* AO, in halted's memory (guest 0x1000) */
	cr_expect(tessera_wait_for_output(&r.p, "[halted] mcewait: done", 30));
	mce_inject(&r, 2, 2, 0xb100000000000000ULL, 0); /* AO, no address */
	cr_expect(tessera_wait_for_output(&r.p, "[running] mcewait: done", 30));
	mce_inject(&r, 3, 3, 0xbd80000000000000ULL, 0x4802000); /* AR, in restarter's memory */
	cr_expect(tessera_wait_for_output(&r.p, "cell 'restarter' stopped: machine check", 30));
	mce_inject(&r, 5, 2, 0xbd00000000000000ULL, 0x5003000);
	mce_inject(&r, 0, 4, 0x9c00000000000000ULL, 0x4002000); /* corrected: VAL EN MISCV ADDRV */
	mce_finish(&r);

	const struct tessera_proc *p = &r.p;
	expect_line(p, "MCE cpu 1 bank 1 status 0xbd00000000000000 addr 0x4001000 misc 0: "
		       "action_optional, owner halted, action forward");
	expect_line(p, "[halted] MCE seen: cpu 0 bank 1 status 0xbd00000000000000 addr 0x1000 misc 0 "
		       "mcg_status 0x5");
	expect_line(p, "cell 'halted' finished: exit status 0");

	expect_line(p, "[running] mcewait: CR4.MCE cleared (reads back 0)");
	expect_line(p, "MCE cpu 2 bank 2 status 0xb100000000000000 addr 0 misc 0: action_optional, "
		       "owner running, action forward");
	expect_line(
		p, "[running] MCE seen: cpu 0 bank 2 status 0xb100000000000000 addr 0 misc 0 mcg_status 0x5");
	expect_line(p, "cell 'running' finished: exit status 0");

	expect_line(p, "MCE cpu 3 bank 3 status 0xbd80000000000000 addr 0x4802000 misc 0: "
		       "action_required, owner restarter, action restart");
	expect_line(p, "cell 'restarter' stopped: machine check (action_required, bank 3, status "
		       "0xbd80000000000000, addr 0x4802000) (restarting)");
	const char *again = strstr(p->out, "(restarting)");
	cr_expect(again && strstr(again, "[restarter] mcewait: waiting"), "no second run:\n%s", p->out);
	cr_expect(!strstr(p->out, "[restarter] MCE seen"), "the restarter saw the machine check:\n%s",
		  p->out);

	expect_line(p, "MCE cpu 5 bank 2 status 0xbd00000000000000 addr 0x5003000 misc 0: "
		       "action_optional, owner noidt, action log");
	expect_line(p, "cell 'noidt' failed: cpu 5 crashed: triple fault delivering a machine check (#MC)");

	expect_line(p, "MCE cpu 0 bank 4 status 0x9c00000000000000 addr 0x4002000 misc 0: corrected, "
		       "owner halted, action log");
	expect_line(p, "cell 'neighbour' finished: exit status 0");
	expect_line(p,
		    "machine checks: 5 (corrected 1, ucna 0, action optional 3, action required 1, fatal 0; "
		    "0 lost to a full queue)");
	cr_expect(!strstr(p->out, "FATAL") && !strstr(p->out, "PANIC"), "the hypervisor died:\n%s", p->out);
	cr_expect_eq(p->status, 0, "exit status %d\n%s", p->status, p->out);
	tessera_free(&r.p);
}

/* Uncorrected in the hypervisor's own memory (CPU 0 runs no cell): an orderly report, exit 1. */
Test(mce, uncorrected_error_in_hypervisor_memory_panics_in_order, .timeout = 150)
{
	struct mce_run r;

	mce_start(&r, "mce.yaml", all_waiting);
	/* The machine stops before QEMU answers, or just after: either way the call may fail. */
	qmp_mce(&r.q, 0, 1, 0xbd00000000000000ULL, 0x5, 0x100000, 0); /* the hypervisor's image */
	mce_finish(&r);
	expect_line(&r.p,
		    "[cpu0] PANIC: uncorrected machine check in the hypervisor (action_optional, from the "
		    "hardware)");
	expect_line(&r.p,
		    "[cpu0] MCE cpu 0 bank 1 status 0xbd00000000000000 addr 0x100000 misc 0 mcg_status 0x5");
	cr_expect(has_line_with(r.p.err, "hypervisor panic"), "stderr:\n%s", r.p.err);
	cr_expect(!strstr(r.p.out, "FATAL"), "the fatal exception dump instead:\n%s", r.p.out);
	cr_expect_eq(r.p.status, 1, "exit status %d", r.p.status);
	tessera_free(&r.p);
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
	struct mce_run r;

	mce_start(&r, "hostile-mce.yaml", (const char *const[]){"hostile: waiting", NULL});
	mce_inject(&r, 1, 1, 0xb200000000000000ULL, 0x1234000); /* PCC: fatal */
	mce_finish(&r);
	expect_line(&r.p, "[hostile] hostile: nomce: ok (CR4 0x");
	expect_line(&r.p, "MCE cpu 1 bank 1 status 0xb200000000000000 addr 0 misc 0: fatal, owner hostile, "
			  "action stop");
	expect_line(
		&r.p,
		"cell 'hostile' failed: machine check (fatal, bank 1, status 0xb200000000000000, addr 0)");
	expect_line(&r.p, "cell 'worker' finished: exit status 0");
	expect_line(&r.p, "shutdown: 1 cells finished, 1 failed");
	cr_expect_eq(r.p.status, 0, "exit status %d", r.p.status);
	tessera_free(&r.p);
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
