/*
 * The core's side of the one exit path: hooks first, then the handler for the arch-neutral reason.
 * Anything a cell's config did not grant arrives here as a violation; anything the core does not expect
 * stops the cell that caused it, never the machine.
 */
#include <stdarg.h>
#include <tessera/arch.h>
#include <tessera/cell.h>
#include <tessera/console.h>
#include <tessera/exit.h>
#include <tessera/format.h>
#include <tessera/hooks.h>

#include "../trace/write.h"

#define NO_FAULT (-1)

/*
 * A refused request that needs no fault (a hypercall answers -EPERM): counted, reported and traced (the
 * trace's violations must add up to the counter, as its exits do), the cell goes on.
 */
void cell_violation_count(struct vcpu *v, uint64_t addr, const char *what)
{
	__atomic_fetch_add(&v->cell->stats.violations, 1, __ATOMIC_RELAXED);
	pr_info("VIOLATION cell '%s' cpu %u %s %#llx: %s", v->cell->name, v->cpu, arch_pc_name(),
		(unsigned long long)arch_vcpu_pc(v), what);
	trace_point(violation, v->cpu, (int)v->cell->id, TESSERA_ER_HYPERCALL, 0, arch_vcpu_pc(v), addr);
}

void cell_violation(struct vcpu *v, const struct vcpu_exit *exit, int fault, const char *fmt, ...)
{
	struct cell *c = v->cell;
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	format_vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	__atomic_fetch_add(&c->stats.violations, 1, __ATOMIC_RELAXED);
	pr_info("VIOLATION cell '%s' cpu %u %s %#llx: %s", c->name, v->cpu, arch_pc_name(),
		(unsigned long long)exit->pc, what);
	bool inject = c->cfg->policy == TESSERA_POLICY_INJECT && fault != NO_FAULT;
	uint64_t addr = exit->reason == TESSERA_ER_PIO	  ? exit->pio.port
			: exit->reason == TESSERA_ER_MMIO ? exit->mem.gpa
			: exit->reason == TESSERA_ER_MSR_READ || exit->reason == TESSERA_ER_MSR_WRITE
				? exit->msr.index
				: 0;
	trace_point(violation, v->cpu, (int)c->id, (uint16_t)exit->reason, !inject, exit->pc, addr);
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

static void handle_core(struct vcpu *v, struct vcpu_exit *exit)
{
	struct cell *c = v->cell;

	switch (exit->reason) {
	case TESSERA_ER_HYPERCALL:
		exit->hypercall.result = hypercall_dispatch(v, exit->hypercall.nr, exit->hypercall.args);
		arch_vcpu_set_hypercall_result(v, exit->hypercall.result);
		arch_vcpu_skip(v, exit);
		break;
	case TESSERA_ER_PIO:
		/* Granted ports never exit (the I/O map lets them through): this one is denied. */
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

void exit_handle(struct vcpu *v, struct vcpu_exit *exit)
{
	if (hooks_run(v, exit) != HOOK_CONSUMED)
		handle_core(v, exit);
	hooks_run_after(v, exit);
}
