/*
 * The exit path's records, inline in core/exit.c's vcpu_exit_hooked, which calls them while
 * HOOK_TRACE_BIT is set (some event is on for some cell): the exit record before the exit is handled
 * (a port, MSR or memory exit's own record after it, out of line in trace/hv.c), a hypercall's record
 * once it has its result, the entry record before the guest resumes. Each tests its event's bit for the
 * vCPU's cell itself (trace_point). Inline because as three calls each record paid a call, a frame and
 * its argument moves, about a fifth of its cost; out-of-line forms for other callers are in
 * tessera/trace.h.
 */
#ifndef TESSERA_TRACE_EXIT_PATH_H
#define TESSERA_TRACE_EXIT_PATH_H

#include <tessera/arch.h>
#include <tessera/cell.h>
#include <tessera/exit.h>

#include "write.h"

/* The records that depend on the exit's reason (trace/hv.c). */
void trace_exit_detail(struct vcpu *v, struct vcpu_exit *e);

static inline bool trace_exit_has_detail(enum tessera_exit_reason reason)
{
	return reason == TESSERA_ER_PIO || reason == TESSERA_ER_MSR_READ || reason == TESSERA_ER_MSR_WRITE ||
	       reason == TESSERA_ER_MMIO;
}

static inline void trace_exit_inline(struct vcpu *v, struct vcpu_exit *e)
{
	trace_point(exit, v->cpu, (int)v->cell->id, (uint16_t)e->reason,
		    e->reason == TESSERA_ER_EXCEPTION ? e->exception.vector : 0, e->pc, e->raw_code,
		    e->raw_info1, e->raw_info2);
	if (unlikely(trace_exit_has_detail(e->reason)))
		trace_exit_detail(v, e);
}

static inline void trace_result_inline(struct vcpu *v, const struct vcpu_exit *e)
{
	if (e->reason == TESSERA_ER_HYPERCALL)
		trace_point(hypercall, v->cpu, (int)v->cell->id, (uint32_t)e->hypercall.nr,
			    e->hypercall.result, e->hypercall.args[0], e->hypercall.args[1],
			    e->hypercall.args[2], e->hypercall.args[3]);
}

/*
 * The pc (a call into the arch) is read before the reservation and the cell read again after it: with
 * the reservation before the call, the ring and the record stayed live across it in two more
 * callee-saved registers, saved and restored on every exit.
 */
static inline void trace_entry_inline(struct vcpu *v)
{
	if (trace_is_enabled(TESSERA_TRACE_EV_entry, (int)v->cell->id)) {
		uint64_t pc = arch_vcpu_pc(v);
		trace_write_entry(v->cpu, (int)v->cell->id, pc);
	}
}

#endif
