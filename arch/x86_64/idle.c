/*
 * How a CPU waits for its timer or an interrupt (arch_cpu_idle_us: the idle loop of core/vcpu.c and a
 * vCPU's HLT in arch_vcpu_wait_irq). By default it sleeps in HLT. With `idle=poll` it never halts: it
 * spins on PAUSE with interrupts on until an interrupt has been taken or the time is up.
 *
 * Why poll exists: under QEMU 7.2's `-icount shift=0,sleep=off`, once every vCPU is halted the main loop
 * warps the virtual clock to the next timer, and it can read the instruction count before the halting
 * CPU's last few instructions (pop, ret, sti, hlt) are added to it; then that run's clock is those
 * nanoseconds late from there on, and two runs of one plan differ (docs/faultinj.md, "Determinism"). A
 * CPU that never halts never lets QEMU warp: virtual time advances by instructions only. The price is a
 * host core per busy-waiting CPU (under TCG a spinning CPU takes host time from the working ones), so it
 * is an option for reproducible recordings, not the default.
 */
#include <tessera/arch.h>
#include <tessera/cmdline_options.h>
#include <tessera/compiler.h>
#include <tessera/console.h>
#include <tessera/string.h>
#include "cpu.h"
#include "lapic.h"

_Static_assert(__builtin_offsetof(struct x86_cpu, wakeups) == X86_CPU_WAKEUPS_OFFSET,
	       "x86_irq_count_stub increments %gs:16");

static bool idle_poll;

void x86_idle_init(const char *cmdline)
{
	struct cmdline_arg a;

	/* A malformed value has stopped the boot already (cmdline_report). */
	if (!cmdline_option(cmdline, CMDLINE_IDLE, &a) || a.num == 0 /* hlt */)
		return;
	idle_poll = true;
	x86_idt_count_wakeups();
	pr_info("idle=poll: waiting CPUs spin instead of halting (a host core each)");
}

/* Interrupts on until one has been taken (counted by x86_irq_count_stub) or `us` have passed. */
static void idle_poll_us(uint64_t us)
{
	struct x86_cpu *c = this_cpu();
	uint64_t seen = READ_ONCE(c->wakeups);
	uint64_t end = arch_timestamp() + arch_timestamp_hz() * us / 1000000;

	__asm__ volatile("sti" ::: "memory");
	while (READ_ONCE(c->wakeups) == seen && arch_timestamp() < end)
		__asm__ volatile("pause" ::: "memory");
	__asm__ volatile("cli" ::: "memory");
}

/*
 * Wait until the physical timer (armed for `us`) or any interrupt. Called with interrupts off, so an
 * interrupt that is already pending ends the wait at once (after `sti`'s shadow, at the HLT).
 */
void arch_cpu_idle_us(uint64_t us)
{
	uint64_t hz = lapic_timer_hz();
	uint64_t ticks = hz ? hz * us / 1000000 : 0;

	lapic_timer_oneshot(HV_TIMER_VECTOR, (uint32_t)MIN(MAX(ticks, 1), 0xffffffffULL));
	if (idle_poll)
		idle_poll_us(us);
	else
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}
