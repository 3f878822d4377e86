/*
 * The hypervisor side of tracing (implemented in trace/hv.c; the events and writers are trace/events.h and
 * trace/write.h). Without a host channel (arch_host_channel() false) every call here does nothing and
 * every trace point stays disabled: one load and one branch.
 */
#ifndef TESSERA_TRACE_H
#define TESSERA_TRACE_H

#include <tessera/compiler.h>

/*
 * After the cells are built, before any starts: lay out the control block and the per-CPU rings in the
 * host channel, apply the boot options (trace_events=HEXMASK, trace_cells=HEXMASK, trace_ring=SIZE) and
 * register the trace client (CPU 0's tick: the mailbox) and set HOOK_TRACE_BIT while an event is on.
 */
void trace_hv_init(const char *cmdline);
/* CPU 0's loop: carry out a pending mailbox command and publish the cells' counters. */
void trace_hv_poll(void);
/* At shutdown: publish the final counters and mark the run over (running = 0). */
void trace_hv_finish(void);
/* Enable (op 1) or disable (op 2) the events of `events` for the cells of `cells` (abi/trace.h). */
int64_t trace_hv_control(uint32_t op, uint64_t events, uint64_t cells);

struct vcpu;
struct vcpu_exit;
/*
 * The exit path's records out of line (trace/exit_path.h has them inline for core/exit.c), for callers
 * while HOOK_TRACE_BIT is set: core/vcpu.c's first entry.
 */
void trace_hv_exit(struct vcpu *v, struct vcpu_exit *e);
void trace_hv_result(struct vcpu *v, struct vcpu_exit *e);
void trace_hv_entry(struct vcpu *v);

#endif
