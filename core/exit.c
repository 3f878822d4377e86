/*
 * The core's side of the one exit path: hooks first, then the handler for the arch-neutral reason.
 * Anything a cell's config did not grant arrives here as a violation; anything the core does not expect
 * stops the cell that caused it, never the machine.
 */
#include <stdarg.h>
#include <tessera/arch.h>
#include <tessera/bench_null_port.h>
#include <tessera/cell.h>
#include <tessera/console.h>
#include <tessera/exit.h>
#include <tessera/format.h>
#include <tessera/hooks.h>
#include <tessera/mce.h>
#include <tessera/trace.h>

#include "../trace/exit_path.h"
#include "../trace/write.h"

#define NO_FAULT (-1)

/*
 * The console's VIOLATION lines, per cell: the first VLOG_BURST in full, then at most one per
 * VLOG_INTERVAL_DIV-th of a second, saying how many were left out since the one before. Every violation
 * is counted and traced at once whatever the console shows, and the shutdown summary gives the totals
 * (cell_stats.c), so a cell hammering a denied port can neither slow the machine down with console
 * writes (thousands of instructions each) nor flood the console.
 */
#define VLOG_BURST	  8
#define VLOG_INTERVAL_DIV 1 /* one line per second */

static bool vlog_admit(struct cell *c, uint64_t *skipped)
{
	struct violation_log *l = &c->vlog;
	uint64_t now, next;

	*skipped = 0;
	if (__atomic_load_n(&l->printed, __ATOMIC_RELAXED) < VLOG_BURST &&
	    __atomic_fetch_add(&l->printed, 1, __ATOMIC_RELAXED) < VLOG_BURST)
		return true;
	now = arch_timestamp();
	next = __atomic_load_n(&l->next_tsc, __ATOMIC_RELAXED);
	if (now >= next &&
	    __atomic_compare_exchange_n(&l->next_tsc, &next, now + arch_timestamp_hz() / VLOG_INTERVAL_DIV,
					false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		*skipped = __atomic_exchange_n(&l->suppressed, 0, __ATOMIC_RELAXED);
		return true;
	}
	__atomic_fetch_add(&l->suppressed, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&l->suppressed_all, 1, __ATOMIC_RELAXED);
	return false;
}

/* Counted (by this vCPU: no other CPU writes its counters) and traced, whatever the console shows. */
static void violation_account(struct vcpu *v, unsigned int reason)
{
	v->stats.violations++;
	if (reason < TESSERA_ER_COUNT)
		v->violations_by_reason[reason]++;
}

static void vlog_print(struct vcpu *v, uint64_t pc, uint64_t skipped, const char *what)
{
	if (skipped)
		pr_info("VIOLATION cell '%s' cpu %u %s %#llx: %s (%llu more suppressed since the last line)",
			v->cell->name, v->cpu, arch_pc_name(), (unsigned long long)pc, what,
			(unsigned long long)skipped);
	else
		pr_info("VIOLATION cell '%s' cpu %u %s %#llx: %s", v->cell->name, v->cpu, arch_pc_name(),
			(unsigned long long)pc, what);
}

/*
 * A refused request that needs no fault (a hypercall answers -EPERM): counted, reported and traced (the
 * trace's violations must add up to the counter, as its exits do), the cell goes on.
 */
void cell_violation_count(struct vcpu *v, uint64_t addr, const char *what)
{
	uint64_t skipped;

	violation_account(v, TESSERA_ER_HYPERCALL);
	trace_point(violation, v->cpu, (int)v->cell->id, TESSERA_ER_HYPERCALL, 0, arch_vcpu_pc(v), addr);
	if (vlog_admit(v->cell, &skipped))
		vlog_print(v, arch_vcpu_pc(v), skipped, what);
}

void cell_violation(struct vcpu *v, const struct vcpu_exit *exit, int fault, const char *fmt, ...)
{
	struct cell *c = v->cell;
	bool inject = c->cfg->policy == TESSERA_POLICY_INJECT && fault != NO_FAULT;
	uint64_t addr = exit->reason == TESSERA_ER_PIO	  ? exit->pio.port
			: exit->reason == TESSERA_ER_MMIO ? exit->mem.gpa
			: exit->reason == TESSERA_ER_MSR_READ || exit->reason == TESSERA_ER_MSR_WRITE
				? exit->msr.index
				: 0;
	uint64_t skipped;
	char what[128];
	va_list ap;

	violation_account(v, exit->reason);
	trace_point(violation, v->cpu, (int)c->id, (uint16_t)exit->reason, !inject, exit->pc, addr);
	/* The text is made only when it is printed or becomes the cell's stop reason. */
	bool print = vlog_admit(c, &skipped);
	if (print || !inject) {
		va_start(ap, fmt);
		format_vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
	}
	if (print)
		vlog_print(v, exit->pc, skipped, what);
	if (inject)
		arch_vcpu_inject_fault(v, exit, (enum vcpu_fault)fault);
	else
		cell_stop(c, TESSERA_CELL_FAILED, "violation on cpu %u: %s", v->cpu, what);
}

bool cell_msr_allowed(const struct cell *c, uint32_t index, uint32_t want)
{
	const struct tessera_config_msr *msr = cell_msrs(c);

	for (unsigned int i = 0; i < c->cfg->msr_count; i++)
		if (index >= msr[i].first && index <= msr[i].last && (msr[i].flags & want))
			return true;
	return false;
}

static void handle_msr(struct vcpu *v, struct vcpu_exit *exit)
{
	bool write = exit->reason == TESSERA_ER_MSR_WRITE;
	bool allowed =
		cell_msr_allowed(v->cell, exit->msr.index, write ? TESSERA_MSR_WRITE : TESSERA_MSR_READ);

	/* MSRs the hypervisor keeps for itself (EFER...) always exit; arch emulates the allowed part. */
	if (arch_vcpu_emulate_owned_msr(v, exit, allowed))
		return;
	if (allowed)
		cell_violation(v, exit, VCPU_FAULT_GP,
			       "MSR %#x %s (allowed, but outside the hardware MSR map)", exit->msr.index,
			       write ? "write" : "read");
	else
		cell_violation(v, exit, VCPU_FAULT_GP, "MSR %#x %s denied", exit->msr.index,
			       write ? "write" : "read");
}

static void handle_hypercall(struct vcpu *v, struct vcpu_exit *exit)
{
	if (exit->hypercall.nr < ARRAY_SIZE(v->stats.hypercalls))
		v->stats.hypercalls[exit->hypercall.nr]++;
	/* The one privilege check, before the number is even looked at (hypercall.c). The arch returns the
	 * result to the guest before the next entry. */
	if (unlikely(exit->hypercall.priv_level != 0))
		exit->hypercall.result = hypercall_refuse_user_mode(v, exit->hypercall.nr);
	else
		exit->hypercall.result = hypercall_dispatch(v, exit->hypercall.nr, exit->hypercall.args);
}

/* Every reason but the hypercall, out of line: the hypercall path saves no registers for them. */
static __noinline void handle_core(struct vcpu *v, struct vcpu_exit *exit)
{
	struct cell *c = v->cell;

	switch (exit->reason) {
	case TESSERA_ER_HYPERCALL: handle_hypercall(v, exit); break;
	case TESSERA_ER_PIO:
		/* Granted ports never exit (the I/O map lets them through); bench_null_port= answers its one
		 * port; any other is denied. */
		if (bench_null_port_answer(v, exit))
			break;
		cell_violation(v, exit, VCPU_FAULT_GP, "port %#x %s (%u bytes%s) denied", exit->pio.port,
			       exit->pio.write ? "write" : "read", exit->pio.size,
			       exit->pio.string ? ", string" : "");
		break;
	case TESSERA_ER_MMIO:
		if (arch_vcpu_emulate_mmio(v, exit))
			break;
		cell_violation(v, exit, VCPU_FAULT_PF, "memory %s at guest-physical %#llx%s denied",
			       exit->mem.exec	 ? "fetch"
			       : exit->mem.write ? "write"
						 : "read",
			       (unsigned long long)exit->mem.gpa, exit->mem.in_walk ? " (page walk)" : "");
		break;
	case TESSERA_ER_MSR_READ:
	case TESSERA_ER_MSR_WRITE: handle_msr(v, exit); break;
	case TESSERA_ER_CPUID:
		arch_vcpu_emulate_cpuid(v, exit);
		arch_vcpu_skip(v, exit);
		break;
	case TESSERA_ER_HALT:
		/* With interrupts on, a halted vCPU sleeps until one can be delivered; with them off (or
		 * asked to stop) nothing can wake it: it is done for this run. */
		arch_vcpu_skip(v, exit);
		if (exit->halt.irq_enabled && arch_vcpu_wait_irq(v))
			break;
		v->halted = true;
		pr_debug("cell '%s' cpu %u halted at %#llx (interrupts %s)", c->name, v->cpu,
			 (unsigned long long)exit->pc, exit->halt.irq_enabled ? "on" : "off");
		break;
	case TESSERA_ER_INTERRUPT: break; /* the host took it at STGI; the guest resumes */
	case TESSERA_ER_NMI:
		/* A physical NMI stopped the guest (it is intercepted, never delivered into a cell). It
		 * stays pending until the host sets GIF again; then the host's NMI handler takes and counts
		 * it (the hypervisor sends none itself). The guest resumes. */
		break;
	case TESSERA_ER_VIRT_INSN:
		if (arch_vcpu_emulate_insn(v, exit))
			break; /* one the arch emulates (x86: CR0/CR4 writes, XSETBV), validated */
		cell_violation(v, exit, VCPU_FAULT_UD, "privileged instruction %s", exit->virt_insn.name);
		break;
	case TESSERA_ER_SHUTDOWN:
		mce_drain_all(); /* a machine check that caused it acts first (its policy may restart) */
		cell_stop(c, TESSERA_CELL_FAILED, "cpu %u crashed: %s at %s %#llx", v->cpu, exit->raw_name,
			  arch_pc_name(), (unsigned long long)exit->pc);
		break;
	case TESSERA_ER_EXCEPTION:
		if (arch_vcpu_reflect_exception(v, exit))
			break;
		cell_stop(c, TESSERA_CELL_FAILED, "cpu %u: unexpected exception %u (error %#x) at %s %#llx",
			  v->cpu, exit->exception.vector, exit->exception.error, arch_pc_name(),
			  (unsigned long long)exit->pc);
		break;
	default:
		/* The PC first: if anything is ever cut, it is the detail, not where it happened. */
		cell_stop(c, TESSERA_CELL_FAILED,
			  "cpu %u at %s %#llx: unexpected exit %s (code %#llx, info %#llx %#llx)", v->cpu,
			  arch_pc_name(), (unsigned long long)exit->pc, exit->raw_name,
			  (unsigned long long)exit->raw_code, (unsigned long long)exit->raw_info1,
			  (unsigned long long)exit->raw_info2);
		break;
	}
}

/* One exit counted by its own vCPU (cell_stats.c says why this is not a hook client). */
static inline void cell_stats_count(struct vcpu *v, const struct vcpu_exit *exit)
{
	struct tessera_cell_stats *s = &v->stats;

	/* The decoder produces only reasons of the table; the test keeps a bad one from writing elsewhere.
	 * Hypercalls by number are counted in handle_hypercall. */
	if (likely(exit->reason < TESSERA_ER_COUNT))
		s->exits[exit->reason]++;
}

/* The points an exit passes through, and CPU 0's tick: their cost when no client has them armed is the
 * one test of vcpu_exit(), the full path below otherwise. */
#define EXIT_POINTS (HOOK_BIT(HOOK_EXIT) | HOOK_BIT(HOOK_RESULT) | HOOK_BIT(HOOK_ENTRY) | HOOK_TRACE_BIT)

/* After the handler: false when the vCPU is to leave (asked to stop, or halted for good). */
static inline bool exit_go_on(struct vcpu *v)
{
	if (unlikely(v->halted) || READ_ONCE(v->stop))
		return false; /* halted for good: cell_vcpu_left() counts it */
	/* CPU 0's periodic work goes on while it runs a vCPU (e.g. the trace mailbox). */
	if (unlikely(--v->tick_countdown == 0)) {
		v->tick_countdown = HOOK_TICK_EXITS;
		if (v->cpu == 0)
			hook_tick();
	}
	return true;
}

/*
 * An exit while some exit-path point is armed or tracing is on: the trace records (inline, the first at
 * each point: the exit as decoded, the result as the guest will see it) and each point's clients, in
 * order. Always inline, so that the form for tracing alone (below) has `armed` constant and none of its
 * tests.
 */
static inline __attribute__((always_inline)) bool exit_hooked(struct vcpu *v, struct vcpu_exit *exit,
							      uint32_t armed)
{
	if (armed & HOOK_TRACE_BIT)
		trace_exit_inline(v, exit);
	if (!(armed & HOOK_BIT(HOOK_EXIT)) || hooks_run_exit(v, exit) != HOOK_CONSUMED) {
		if (exit->reason == TESSERA_ER_HYPERCALL)
			handle_hypercall(v, exit);
		else
			handle_core(v, exit);
	}
	if (armed & HOOK_TRACE_BIT)
		trace_result_inline(v, exit);
	if (armed & HOOK_BIT(HOOK_RESULT))
		hooks_run_result(v, exit);
	if (!exit_go_on(v))
		return false;
	if (armed & HOOK_TRACE_BIT)
		trace_entry_inline(v);
	if (armed & HOOK_BIT(HOOK_ENTRY))
		hooks_run_entry(v);
	return true;
}

/* The common case of a recording: tracing on, no client at the exit points. */
static __noinline bool vcpu_exit_traced(struct vcpu *v, struct vcpu_exit *exit)
{
	return exit_hooked(v, exit, HOOK_TRACE_BIT);
}

static __noinline bool vcpu_exit_hooked(struct vcpu *v, struct vcpu_exit *exit, uint32_t armed)
{
	return exit_hooked(v, exit, armed);
}

/*
 * Each exit, from arch_vcpu_run's loop: the exit path's own accounting, the handler (the hypercall, the
 * most frequent exit, inline), then go on unless the vCPU is to leave. With the exit, result and entry
 * points all disarmed that is one test for the three; one load of the mask serves the whole exit (a
 * point armed meanwhile counts from the next).
 */
bool vcpu_exit(struct vcpu *v, struct vcpu_exit *exit)
{
	uint32_t armed = hooks_armed_mask();

	cell_stats_count(v, exit);
	if (unlikely(armed & EXIT_POINTS))
		return (armed & EXIT_POINTS) == HOOK_TRACE_BIT ? vcpu_exit_traced(v, exit)
							       : vcpu_exit_hooked(v, exit, armed);
	if (likely(exit->reason == TESSERA_ER_HYPERCALL))
		handle_hypercall(v, exit);
	else
		handle_core(v, exit);
	return exit_go_on(v);
}
