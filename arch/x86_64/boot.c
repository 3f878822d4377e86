/*
 * Boot CPU, first C code. Minimal bring-up: serial console, memory map, then core. The full x86 setup (GDT,
 * IDT, W^X page tables, SMP, LAPIC) replaces the placeholders below.
 */
#include <tessera/arch.h>
#include <tessera/memmap.h>
#include "io.h"
#include "multiboot.h"

void x86_serial_init(void);
void arch_x86_boot(uint32_t magic, uint32_t info);

#define DEBUG_EXIT_PORT 0xf4

extern char __hv_start[], __hv_end[];

static struct boot_info boot_info;
static struct memmap boot_memmap;

__noreturn void arch_machine_stop(enum tessera_exit_code code)
{
	outl(DEBUG_EXIT_PORT, code);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

void arch_x86_boot(uint32_t magic, uint32_t info)
{
	x86_serial_init();
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
		static const char msg[] = "tessera: not started by a multiboot loader\n";
		arch_console_write(msg, sizeof(msg) - 1);
		arch_machine_stop(TESSERA_EXIT_PANIC);
	}
	multiboot_parse(phys_to_virt(info), phys_to_virt, &boot_info, &boot_memmap);
	boot_info.hv_start = (uintptr_t)__hv_start;
	boot_info.hv_end = (uintptr_t)__hv_end;
	memmap_claim(&boot_memmap, boot_info.hv_start, boot_info.hv_end - boot_info.hv_start);
	hv_main(&boot_info);
}

/* ---- placeholders until the full x86 bring-up lands ---- */
unsigned int arch_cpu_id(void)
{
	return 0;
}
unsigned int arch_cpu_count(void)
{
	return 1;
}
unsigned int arch_cpus_start(void)
{
	return 1;
}
void arch_cpu_relax(void)
{
	__asm__ volatile("pause");
}
__noreturn void arch_cpu_park(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}
uint64_t arch_timestamp(void)
{
	return rdtsc();
}
uint64_t arch_timestamp_hz(void)
{
	return 0;
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
void arch_dump_backtrace(void)
{
}
int arch_virt_probe(char *why, size_t len)
{
	(void)why;
	(void)len;
	return 0;
}
void arch_test_fault(const char *kind)
{
	(void)kind;
}
