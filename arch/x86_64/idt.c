/* The IDT, shared by all CPUs: the 32 exception vectors, NMI/#DF/#MC on IST stacks. */
#include "cpu.h"
#include "lapic.h"

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type; /* present, DPL 0, 64-bit interrupt gate (0x8e) */
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __packed;

extern const uint64_t x86_exc_stubs[32];
extern const char x86_irq_eoi_stub[], x86_irq_count_stub[], x86_irq_spurious_stub[];

static struct idt_gate idt[256] __aligned(16);

static unsigned int vector_ist(unsigned int v)
{
	switch (v) {
	case 2: return X86_IST_NMI;
	case 8: return X86_IST_DF;
	case 18: return X86_IST_MC;
	}
	return 0;
}

static void idt_set(unsigned int v, uint64_t a)
{
	idt[v] = (struct idt_gate){
		.offset_lo = (uint16_t)a,
		.selector = GDT_CODE,
		.ist = (uint8_t)vector_ist(v),
		.type = 0x8e,
		.offset_mid = (uint16_t)(a >> 16),
		.offset_hi = (uint32_t)(a >> 32),
	};
}

void x86_idt_init(void)
{
	/* The hypervisor's interrupts (lapic.h): taken right after a guest exit, see svm/svm_irq.c. */
	idt_set(HV_TIMER_VECTOR, (uintptr_t)x86_irq_eoi_stub);
	idt_set(HV_KICK_VECTOR, (uintptr_t)x86_irq_eoi_stub);
	idt_set(LAPIC_SPURIOUS_VECTOR, (uintptr_t)x86_irq_spurious_stub);
	for (unsigned int v = 0; v < 32; v++)
		idt_set(v, x86_exc_stubs[v]);
}

/* idle=poll (idle.c): the hypervisor's two interrupts also count themselves in this CPU's wakeups. */
void x86_idt_count_wakeups(void)
{
	idt_set(HV_TIMER_VECTOR, (uintptr_t)x86_irq_count_stub);
	idt_set(HV_KICK_VECTOR, (uintptr_t)x86_irq_count_stub);
}

void x86_idt_load(void)
{
	struct __packed {
		uint16_t limit;
		uint64_t base;
	} desc = {sizeof(idt) - 1, (uintptr_t)idt};
	__asm__ volatile("lidt %0" : : "m"(desc));
}
