/*
 * Boot CPU, first C code: console, per-CPU data and exception handling first (so that everything after
 * can fault visibly), then the memory map, ACPI, the hypervisor's own page tables, the local APIC and
 * timers, and finally the arch-neutral core.
 */
#include <tessera/arch.h>
#include <tessera/cmdline_options.h>
#include <tessera/console.h>
#include <tessera/memmap.h>
#include <tessera/panic.h>
#include <tessera/string.h>
#include "acpi.h"
#include "config_platform.h"
#include "exception.h"
#include "cpu.h"
#include "mce.h"
#include "io.h"
#include "lapic.h"
#include "multiboot.h"
#include "paging.h"
#include "smp.h"

void x86_serial_init(void);
void x86_pci_find_host_channel(void);
void arch_x86_boot(uint32_t magic, uint32_t info);

#define DEBUG_EXIT_PORT 0xf4

extern char __hv_start[], __hv_end[];
extern char boot_stack[], boot_stack_top[], boot_stack_guard[];
extern uint8_t boot_ist[X86_NR_IST][2][PAGE_SIZE]; /* entry.S: [i][0] guard page, [i][1] the stack */

_Static_assert(X86_IST_SIZE == PAGE_SIZE, "boot_ist in entry.S holds one page per IST stack");

static struct boot_info boot_info;
static struct memmap boot_memmap;
static struct acpi_platform platform;
static struct config_platform config_platform;

/* From what boot found: the MADT's LAPIC and IOAPIC, the host channel's BAR (if any). */
const struct config_platform *arch_config_platform(void)
{
	void *chan = NULL;
	uint64_t chan_size = 0;

	if (!arch_host_channel(&chan, &chan_size))
		chan_size = 0;
	x86_config_platform_fill(&config_platform, platform.lapic_base, platform.ioapic_base,
				 (uint64_t)(uintptr_t)chan, chan_size);
	/* What the firmware's memory map reserves above the low 1 MiB (QEMU: the top 128 KiB of low RAM):
	 * the same rows the host derives for the machine it starts (x86_config_platform_add_qemu_pc_ram). */
	for (unsigned int i = 0; i < boot_memmap.nr; i++) {
		const struct mem_range *r = &boot_memmap.ranges[i];
		if (r->type == MEM_RESERVED && r->base >= X86_LOW_MEMORY)
			x86_config_platform_add_firmware_ram(&config_platform, r->base, r->size);
	}
	return &config_platform;
}

__noreturn void arch_machine_stop(enum tessera_exit_code code)
{
	/* An orderly end says how many NMIs the hypervisor took (fault.c); a fault's end may hold the
	 * console lock, so it does not. */
	if (code == TESSERA_EXIT_OK && x86_nmi_count())
		pr_info("nmi: %llu taken by the hypervisor", (unsigned long long)x86_nmi_count());
	/* QEMU exits at once, which stops every CPU; on hardware the others stay where they are */
	outl(DEBUG_EXIT_PORT, code);
	arch_cpu_park();
}

__noreturn void arch_cpu_park(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

void arch_cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

unsigned long arch_irq_save(void)
{
	unsigned long flags;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

void arch_irq_restore(unsigned long flags)
{
	if (flags & (1 << 9))
		__asm__ volatile("sti" : : : "memory");
}

static void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

/* Keep what the loader left in RAM and we still read later (command lines, module list) away from others. */
static void claim_if_ram(uint64_t base, uint64_t size)
{
	uint64_t lo = ALIGN_DOWN(base, PAGE_SIZE), hi = ALIGN_UP(base + size, PAGE_SIZE);

	if (size && memmap_is(&boot_memmap, lo, hi - lo, MEM_RAM))
		memmap_claim(&boot_memmap, lo, hi - lo);
}

static void claim_multiboot_data(uint32_t info)
{
	const struct multiboot_info *mbi = phys_to_virt(info);

	claim_if_ram(info, sizeof(*mbi));
	claim_if_ram((uintptr_t)boot_info.cmdline, strlen(boot_info.cmdline) + 1);
	if (mbi->flags & MB_INFO_MODS)
		claim_if_ram(mbi->mods_addr, mbi->mods_count * sizeof(struct multiboot_mod));
	for (unsigned int i = 0; i < boot_info.nr_modules; i++)
		claim_if_ram((uintptr_t)boot_info.modules[i].name, strlen(boot_info.modules[i].name) + 1);
}

void arch_x86_boot(uint32_t magic, uint32_t info)
{
	x86_serial_init();
	x86_idt_init();
	uintptr_t ist_lo[X86_NR_IST];
	for (unsigned int i = 0; i < X86_NR_IST; i++)
		ist_lo[i] = (uintptr_t)boot_ist[i][1];
	x86_cpu_init(0, 0, (uintptr_t)boot_stack, (uintptr_t)boot_stack_top, ist_lo);
	x86_mce_init();
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		panic("not started by a multiboot loader (magic %#x)", magic);
	if (multiboot_parse(phys_to_virt(info), phys_to_virt, &boot_info, &boot_memmap))
		panic("multiboot: no usable memory map");
	boot_info.hv_start = (uintptr_t)__hv_start;
	boot_info.hv_end = (uintptr_t)__hv_end;
	memmap_claim(&boot_memmap, boot_info.hv_start, boot_info.hv_end - boot_info.hv_start);
	claim_multiboot_data(info);

	/* ACPI tables and the BIOS areas are not RAM: read them while the boot identity map still covers them */
	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	uint32_t bsp_apic_id = b >> 24;
	x86_cpu_get(0)->apic_id = bsp_apic_id;
	if (acpi_parse(phys_to_virt, bsp_apic_id, &platform))
		pr_warn("acpi: no MADT found, running on the boot CPU only");
	if (!platform.lapic_base)
		platform.lapic_base = LAPIC_DEFAULT_BASE;

	x86_paging_init(&boot_info);
	x86_paging_set((uintptr_t)boot_stack_guard, PAGE_SIZE, 0);
	for (unsigned int i = 0; i < X86_NR_IST; i++)
		x86_paging_set((uintptr_t)boot_ist[i][0], PAGE_SIZE, 0);
	lapic_map(platform.lapic_base);
	if (platform.ioapic_base)
		x86_paging_map_device(platform.ioapic_base, PAGE_SIZE);
	x86_paging_load();
	x86_pci_find_host_channel();

	struct cmdline_arg opt;
	cmdline_report(boot_info.cmdline); /* before the first option is read */
	if (cmdline_option(boot_info.cmdline, CMDLINE_TEST_PIC_PENDING, &opt) && !x86_pic_wait_irq0())
		pr_warn("test_pic_pending: the PIC never showed IRQ0 pending");
	lapic_enable();
	x86_timer_calibrate();
	x86_idle_init(boot_info.cmdline); /* before the other CPUs can wait */
	x86_smp_setup(&platform, &boot_memmap, boot_info.cmdline);
	hv_main(&boot_info);
}
