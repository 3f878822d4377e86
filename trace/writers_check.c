/*
 * Compiles every generated writer in the freestanding toolchains (x86_64 and arm64), so that write.h stays
 * usable in the hypervisor before its trace points exist. Nothing links this object.
 */
#include "write.h"

void trace_writers_check(void);
void trace_writers_check(void)
{
	trace_exit(0, 0, 0, 0, 0, 0, 0, 0);
	trace_entry(0, 0, 0);
	trace_hypercall(0, 0, 0, 0, 0, 0, 0, 0);
	trace_pio(0, 0, 0, 0, 0, 0, 0, 0);
	trace_msr(0, 0, 0, 0, 0, 0);
	trace_npf(0, 0, 0, 0, 0, 0, 0);
	trace_irq_inject(0, 0, 0, 0, 0, 0);
	trace_violation(0, 0, 0, 0, 0, 0);
	trace_cell_state(0, -1, 0, 0, 0, "cell");
	trace_watchdog(0, -1, 0, 0, 0);
	trace_console(0, 0, 0, "text");
	trace_mce(0, -1, 0, 0, 0, 0);
	trace_fault_inject(0, 0, 0, 0, 0);
	trace_trace_command(0, -1, 0, 0, 0, 0);
}
