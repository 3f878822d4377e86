/*
 * mcewait: waits for machine checks (docs/machine-checks.md). Prints `mcewait: waiting for N machine
 * check(s)` once it is ready (a test injects after that line), then waits until the runtime's #MC
 * handler has seen N records (each printed as `MCE seen: ...`, guest/mce.h), prints `mcewait: done` and
 * exits 0. Args:
 *   count=N         machine checks to wait for (default 1)
 *   spin            wait in a busy loop, so that the CPU is in the guest when the #MC comes (default:
 *                   halted in HLT, so that the vCPU waits in the hypervisor)
 *   clear_cr4_mce   clear CR4.MCE first: the hypervisor keeps it set underneath, so a hardware #MC
 *                   still reaches a handler instead of resetting the machine
 *   no_idt          load an empty IDT first (with spin): a machine check then cannot be delivered, and
 *                   the CPU shuts down (TCG: a SHUTDOWN exit with EXITINTINFO vector 18)
 *   limit_ms=N      give up after N ms of TSC time and exit 1 (default 0: wait for ever); a halted
 *                   wait then takes a 100 Hz timer tick to look at the limit
 */
#include <guest/irq.h>
#include <guest/mce.h>
#include <guest/print.h>
#include <guest/runtime.h>

#define CR4_MCE (1UL << 6)

static void tick(unsigned int vector, void *ctx)
{
	(void)vector;
	(void)ctx;
}

int main(const struct tessera_cell_boot_info *info)
{
	uint64_t want = args_number("count", 1), limit_ms = args_number("limit_ms", 0);
	bool spin = args_get("spin", NULL, NULL), clear = args_get("clear_cr4_mce", NULL, NULL);
	bool no_idt = args_get("no_idt", NULL, NULL);
	uint64_t start = rdtsc(), limit = limit_ms * (info->tsc_hz / 1000);

	if (clear) {
		uint64_t cr4;
		__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
		__asm__ volatile("mov %0, %%cr4" ::"r"(cr4 & ~CR4_MCE) : "memory");
		__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
		printf("mcewait: CR4.MCE cleared (reads back %lu)\n", (cr4 & CR4_MCE) >> 6);
	}
	/* A halted wait with a limit wakes now and then to look at it. */
	if (limit && !spin) {
		irq_cpu_init();
		irq_set_handler(IRQ_TIMER_VECTOR, tick, NULL);
		timer_start_periodic(100, IRQ_TIMER_VECTOR);
	}
	printf("mcewait: waiting for %lu machine check(s) (%s)\n", want, spin ? "spinning" : "halted");
	if (no_idt) {
		struct __packed {
			uint16_t limit;
			uint64_t base;
		} empty = {0, 0};
		__asm__ volatile("lidt %0" ::"m"(empty));
	}
	while (mce_seen_count() < want) {
		if (limit && rdtsc() - start > limit) {
			printf("mcewait: gave up after %lu ms with %u machine check(s) seen\n", limit_ms,
			       mce_seen_count());
			return 1;
		}
		if (spin)
			cpu_relax();
		else
			cpu_wait_for_interrupt();
	}
	printf("mcewait: done, %u machine check(s) seen\n", mce_seen_count());
	return 0;
}
