/*
 * Per-CPU data and descriptor tables: one struct x86_cpu per CPU (GS base points at it), a GDT and TSS in
 * each, with NMI, #DF and #MC on their own IST stacks so that they are handled even on a broken stack.
 * The boot CPU's IST stacks sit in the image's .bss (entry.S), the other CPUs' come from the page pool
 * (smp.c); every one has an unmapped guard page below it.
 */
#include "cpu.h"
#include "io.h"

static struct x86_cpu cpus[HV_MAX_CPUS];
static unsigned int cpus_online = 1;

struct x86_cpu *x86_cpu_get(unsigned int id)
{
	return &cpus[id];
}

unsigned int arch_cpu_id(void)
{
	unsigned int id;
	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(id) : "i"(X86_CPU_ID_OFFSET));
	return id;
}

unsigned int arch_cpu_count(void)
{
	return __atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE);
}

void x86_cpu_set_online(unsigned int count)
{
	__atomic_store_n(&cpus_online, count, __ATOMIC_RELEASE);
}

_Static_assert(__builtin_offsetof(struct x86_cpu, id) == X86_CPU_ID_OFFSET, "arch_cpu_id reads %gs:8");

void x86_gdt_load(struct x86_cpu *cpu)
{
	uint64_t tss = (uintptr_t)&cpu->tss, limit = sizeof(cpu->tss) - 1;

	cpu->gdt[0] = 0;
	cpu->gdt[1] = 0x00af9a000000ffffULL; /* 64-bit code, DPL 0 */
	cpu->gdt[2] = 0x00cf92000000ffffULL; /* data */
	/* 16-byte available 64-bit TSS descriptor (type 9) */
	cpu->gdt[3] = (limit & 0xffff) | ((tss & 0xffffff) << 16) | (0x89ULL << 40) |
		      (((limit >> 16) & 0xf) << 48) | (((tss >> 24) & 0xff) << 56);
	cpu->gdt[4] = tss >> 32;
	for (unsigned int i = 0; i < X86_NR_IST; i++)
		cpu->tss.ist[i] = cpu->ist_lo[i] + X86_IST_SIZE;
	cpu->tss.iomap_base = sizeof(cpu->tss);

	struct __packed {
		uint16_t limit;
		uint64_t base;
	} desc = {sizeof(cpu->gdt) - 1, (uintptr_t)cpu->gdt};
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(desc), "i"(GDT_CODE), "r"(GDT_DATA), "r"(GDT_TSS)
			 : "rax", "memory");
}

struct x86_cpu *x86_cpu_init(unsigned int id, uint32_t apic_id, uintptr_t stack_lo, uintptr_t stack_hi,
			     const uintptr_t ist_lo[X86_NR_IST])
{
	struct x86_cpu *cpu = &cpus[id];

	cpu->self = cpu;
	cpu->id = id;
	cpu->apic_id = apic_id;
	cpu->stack_lo = stack_lo;
	cpu->stack_hi = stack_hi;
	for (unsigned int i = 0; i < X86_NR_IST; i++)
		cpu->ist_lo[i] = ist_lo[i];
	x86_gdt_load(cpu);
	/* after the segment reloads: loading GS would clear the base */
	wrmsr(MSR_GS_BASE, (uintptr_t)cpu);
	x86_idt_load();
	/* machine checks reach the #MC handler instead of shutting the machine down */
	write_cr4(read_cr4() | CR4_MCE);
	return cpu;
}

uint32_t x86_cpu_apic_id(unsigned int cpu)
{
	return x86_cpu_get(cpu)->apic_id;
}
