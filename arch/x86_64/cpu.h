/*
 * Per-CPU state of the x86 code and the control-register helpers. Each CPU's GS base points at its
 * struct x86_cpu, so that arch_cpu_id() is one load.
 */
#ifndef TESSERA_X86_CPU_H
#define TESSERA_X86_CPU_H

#include <tessera/arch.h>

#define X86_IST_NMI 1
#define X86_IST_DF  2
#define X86_IST_MC  3
#define X86_NR_IST  3

#define X86_STACK_PAGES 4    /* per-CPU hypervisor stack, plus one unmapped guard page below it */
#define X86_IST_SIZE	4096 /* each IST stack, plus one unmapped guard page below it */

#define GDT_CODE 0x08
#define GDT_DATA 0x10
#define GDT_TSS	 0x18

struct x86_tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

struct x86_cpu {
	struct x86_cpu *self; /* offset 0: read through %gs */
	unsigned int id;      /* offset 8: arch_cpu_id() */
	uint32_t apic_id;
	uint64_t wakeups;	      /* offset 16: interrupts taken, counted only with idle=poll (idle.c) */
	uintptr_t stack_lo, stack_hi; /* the main stack, without its guard page */
	int in_fault;		      /* set while the fatal-exception dump runs, to catch nested faults */
	uint64_t gdt[5] __aligned(16);
	struct x86_tss tss __aligned(16);
	/*
	 * The IST stacks (NMI, #DF, #MC): the lowest address of each, X86_IST_SIZE bytes with an unmapped
	 * guard page below, so that an overflowing handler faults instead of overwriting its neighbours.
	 */
	uintptr_t ist_lo[X86_NR_IST];
};

#define X86_CPU_ID_OFFSET      8
#define X86_CPU_WAKEUPS_OFFSET 16 /* irq_stubs.S: x86_irq_count_stub */

static inline struct x86_cpu *this_cpu(void)
{
	struct x86_cpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

/*
 * Set up the calling CPU's per-CPU data (GS base), GDT, TSS (IST stacks starting at ist_lo[], each with a
 * guard page below) and IDT.
 */
struct x86_cpu *x86_cpu_init(unsigned int id, uint32_t apic_id, uintptr_t stack_lo, uintptr_t stack_hi,
			     const uintptr_t ist_lo[X86_NR_IST]);
struct x86_cpu *x86_cpu_get(unsigned int id);
void x86_gdt_load(struct x86_cpu *cpu);
void x86_idt_init(void);
void x86_idt_count_wakeups(void);
/* `idle=hlt|poll` (idle.c): how a CPU waits for its timer or an interrupt. Boot CPU, before the others. */
void x86_idle_init(const char *cmdline);
void x86_idt_load(void);
void x86_cpu_set_online(unsigned int count);

static inline uint64_t read_cr0(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}
static inline uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}
static inline uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}
static inline uint64_t read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}
static inline void write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}
static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}
static inline void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}
static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

#define MSR_EFER      0xC0000080
#define MSR_GS_BASE   0xC0000101
#define MSR_APIC_BASE 0x1B
#define MSR_VM_CR     0xC0010114
#define EFER_NXE      (1ULL << 11)
#define CR0_WP	      (1ULL << 16)
#define CR4_MCE	      (1ULL << 6)

#endif
