/*
 * SMP bring-up: the application processors listed in the MADT are started one at a time with
 * INIT-SIPI-SIPI through a real-mode trampoline below 1 MiB. Each gets its stack and its three IST stacks
 * from the page pool (each with an unmapped guard page below it), its per-CPU data, GDT, TSS and IDT, and
 * ends in hv_cpu_main().
 *
 * Every CPU the firmware lists must come up: a missing one would leave the machine smaller than its config
 * says, and an AP that arrives late, after the trampoline is unmapped, would run into undefined behaviour.
 * So the wait is generous (a loaded host can hold a TCG vCPU thread off for a long time) and a CPU that
 * still does not arrive stops the machine with a panic.
 */
#include <tessera/cmdline_options.h>
#include <tessera/console.h>
#include <tessera/error.h>
#include <tessera/memmap.h>
#include <tessera/page_pool.h>
#include <tessera/panic.h>
#include <tessera/string.h>
#include "acpi.h"
#include "cpu.h"
#include "lapic.h"
#include "paging.h"
#include "smp.h"

/* TCG on a loaded host: a vCPU thread may wait long for a host core. A CPU that never comes is fatal. */
#define AP_TIMEOUT_S 10

extern const uint8_t x86_trampoline_start[], x86_trampoline_end[];
extern const uint8_t x86_tr_gdt_base[], x86_tr_pm_target[], x86_tr_lm_target[], x86_tr_cr3[];
extern const uint32_t x86_tr_pm_offset, x86_tr_gdt_offset;
extern char x86_ap_start64[];

/* Read by x86_ap_start64 (trampoline.S) on the AP being started. */
uint64_t x86_ap_boot_stack;
uint32_t x86_ap_boot_cpu;
static uintptr_t ap_boot_ist[X86_NR_IST]; /* read by x86_ap_main() */

static const struct acpi_platform *platform;
static struct memmap *boot_memmap;
static unsigned int ap_arrived;
static unsigned long test_skip_cpu; /* test_smp_skip=N: never start cpuN, to show the timeout's panic */

void x86_smp_setup(const struct acpi_platform *plat, struct memmap *map, const char *cmdline)
{
	struct cmdline_arg a;

	platform = plat;
	boot_memmap = map;
	if (cmdline_option(cmdline, CMDLINE_TEST_SMP_SKIP, &a))
		test_skip_cpu = (unsigned long)a.num;
}

__noreturn void x86_ap_main(unsigned int cpu)
{
	uintptr_t top = x86_ap_boot_stack;
	x86_cpu_init(cpu, platform->apic_ids[cpu], top - X86_STACK_PAGES * PAGE_SIZE, top, ap_boot_ist);
	lapic_enable();
	__atomic_store_n(&ap_arrived, cpu, __ATOMIC_RELEASE);
	hv_cpu_main(cpu);
}

static void patch32(uint8_t *page, const uint8_t *field, uint32_t v)
{
	memcpy(page + (field - x86_trampoline_start), &v, 4);
}

/* Copy the trampoline to a free page below 1 MiB and claim it; returns its address. */
static uint64_t trampoline_install(void)
{
	uint64_t base;
	size_t len = x86_trampoline_end - x86_trampoline_start;

	if (memmap_find_free(boot_memmap, PAGE_SIZE, PAGE_SIZE, PAGE_SIZE, &base) || base >= 0x100000 ||
	    memmap_claim(boot_memmap, base, PAGE_SIZE))
		panic("smp: no free page below 1 MiB for the AP trampoline");
	BUG_ON(len > PAGE_SIZE || x86_paging_root() >> 32);
	uint8_t *page = (uint8_t *)(uintptr_t)base;
	memcpy(page, x86_trampoline_start, len);
	patch32(page, x86_tr_gdt_base, (uint32_t)base + x86_tr_gdt_offset);
	patch32(page, x86_tr_pm_target, (uint32_t)base + x86_tr_pm_offset);
	patch32(page, x86_tr_lm_target, (uint32_t)(uintptr_t)x86_ap_start64);
	patch32(page, x86_tr_cr3, (uint32_t)x86_paging_root());
	/* W^X: written while RW-, executed while R-X */
	if (x86_paging_set(base, PAGE_SIZE, PGF_READ | PGF_EXEC))
		panic("smp: cannot map the trampoline");
	return base;
}

/* A stack of `pages` with an unmapped guard page below it; returns its lowest usable address, or 0. */
static uintptr_t stack_alloc(unsigned int pages)
{
	uint8_t *p = page_pool_alloc(&hv_page_pool, pages + 1, 1);

	if (!p)
		return 0;
	if (x86_paging_set((uintptr_t)p, PAGE_SIZE, 0))
		return 0;
	return (uintptr_t)p + PAGE_SIZE;
}

static void ap_start(unsigned int cpu, uint64_t tramp)
{
	uint32_t apic_id = platform->apic_ids[cpu];
	uintptr_t stack = stack_alloc(X86_STACK_PAGES);

	for (unsigned int i = 0; i < X86_NR_IST; i++)
		if (stack && !(ap_boot_ist[i] = stack_alloc(X86_IST_SIZE / PAGE_SIZE)))
			stack = 0;
	if (!stack)
		panic("smp: no memory in the page pool for the stacks of cpu%u", cpu);
	x86_ap_boot_stack = stack + X86_STACK_PAGES * PAGE_SIZE;
	x86_ap_boot_cpu = cpu;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (cpu == test_skip_cpu)
		pr_warn("test_smp_skip: not starting cpu%u on purpose", cpu);
	else
		lapic_send_init(apic_id);
	x86_udelay(10000);
	for (int i = 0; i < 2 && cpu != test_skip_cpu; i++) {
		lapic_send_sipi(apic_id, (uint8_t)(tramp >> 12));
		x86_udelay(200);
	}
	uint64_t start = arch_timestamp(), limit = arch_timestamp_hz() * AP_TIMEOUT_S;
	while (__atomic_load_n(&ap_arrived, __ATOMIC_ACQUIRE) != cpu) {
		if (arch_timestamp() - start > limit)
			panic("smp: cpu%u (APIC ID %u), listed in the MADT, did not come up within %u s; "
			      "stopping rather than run with %u of %u CPUs",
			      cpu, apic_id, AP_TIMEOUT_S, cpu, platform->nr_cpus);
		arch_cpu_relax();
	}
}

unsigned int arch_cpus_start(void)
{
	unsigned int online = 1;

	x86_timer_report();
	pr_info("acpi: %u CPUs in the MADT, LAPIC at %#llx, IOAPIC at %#llx", platform->nr_cpus,
		(unsigned long long)platform->lapic_base, (unsigned long long)platform->ioapic_base);
	if (platform->nr_cpus_ignored)
		pr_warn("smp: %u CPUs beyond the limit of %u are left off", platform->nr_cpus_ignored,
			HV_MAX_CPUS);
	if (platform->nr_cpus <= 1)
		return online;
	uint64_t tramp = trampoline_install();
	pr_debug("smp: AP trampoline at %#llx", (unsigned long long)tramp);
	for (unsigned int cpu = 1; cpu < platform->nr_cpus; cpu++) {
		ap_start(cpu, tramp);
		x86_cpu_set_online(++online);
	}
	/* no AP runs the trampoline any more */
	x86_paging_set(tramp, PAGE_SIZE, 0);
	return online;
}
