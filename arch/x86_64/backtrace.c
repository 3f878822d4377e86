/*
 * Frame-pointer backtraces (the hypervisor is built with -fno-omit-frame-pointer). Every frame pointer is
 * checked against the bounds of the stack it started on before it is read, so that a corrupt chain or an
 * overflowed stack ends the walk instead of faulting inside the fault handler.
 */
#include <tessera/console.h>
#include "cpu.h"
#include "exception.h"

#define MAX_FRAMES 32

/* The stack of the calling CPU that holds `addr`: its main stack or one of its IST stacks. */
static bool stack_bounds(uint64_t addr, uint64_t *lo, uint64_t *hi)
{
	struct x86_cpu *cpu = this_cpu();

	if (addr >= cpu->stack_lo && addr < cpu->stack_hi) {
		*lo = cpu->stack_lo;
		*hi = cpu->stack_hi;
		return true;
	}
	for (unsigned int i = 0; i < X86_NR_IST; i++) {
		uint64_t base = cpu->ist_lo[i];
		if (addr >= base && addr < base + X86_IST_SIZE) {
			*lo = base;
			*hi = base + X86_IST_SIZE;
			return true;
		}
	}
	return false;
}

void x86_backtrace_locked(uint64_t rip, uint64_t rbp)
{
	unsigned int id = arch_cpu_id();
	uint64_t lo, hi;

	console_printf_locked("[cpu%u] backtrace:\n", id);
	console_printf_locked("[cpu%u]   #0  %#018llx\n", id, (unsigned long long)rip);
	if (!stack_bounds(rbp, &lo, &hi))
		return;
	for (unsigned int i = 1; i < MAX_FRAMES; i++) {
		if (rbp < lo || rbp + 16 > hi || (rbp & 7))
			return;
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
		uint64_t next = frame[0], ret = frame[1];
		if (!ret)
			return;
		console_printf_locked("[cpu%u]   #%-2u %#018llx\n", id, i, (unsigned long long)ret);
		if (next <= rbp) /* callers' frames lie above: anything else is a broken chain */
			return;
		rbp = next;
	}
	console_printf_locked("[cpu%u]   ... (more frames)\n", id);
}

void arch_dump_backtrace(void)
{
	const uint64_t *frame = __builtin_frame_address(0);
	unsigned long flags = console_lock();
	/* start at our caller, so the trace shows where panic() was called from */
	x86_backtrace_locked(frame[1], frame[0]);
	console_unlock(flags);
}
