/*
 * Compiles every generated writer in the freestanding toolchains (x86_64 and arm64), so that write.h stays
 * usable in the hypervisor before its trace points exist. Nothing links this object.
 */
#include "write.h"

void trace_writers_check(void);
void trace_writers_check(void)
{
	trace_point(exit, 0, 0, 0, 0, 0, 0, 0, 0);
	trace_point(entry, 0, 0, 0);
	trace_point(hypercall, 0, 0, 0, 0, 0, 0, 0, 0);
	trace_point(pio, 0, 0, 0, 0, 0, 0, 0, 0);
	trace_point(msr, 0, 0, 0, 0, 0, 0);
	trace_point(npf, 0, 0, 0, 0, 0, 0, 0);
	trace_point(irq_inject, 0, 0, 0, 0, 0, 0, 0);
	trace_point(violation, 0, 0, 0, 0, 0, 0);
	trace_point(cell_state, 0, -1, 0, 0, 0, "cell");
	trace_point(watchdog, 0, -1, 0, 0, 0, 0, "cell");
	trace_point(console, 0, 0, 0, "text");
	trace_point(mce, 0, -1, 0, 0, 0, 0, 0, 0, -1, 0, 0);
	trace_point(fault_inject, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	trace_point(trace_command, 0, -1, 0, 0, 0, 0);
}
