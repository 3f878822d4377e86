/* Local APIC access through its MMIO page (mapped uncached by x86_paging_map_device). */
#include "cpu.h"
#include "io.h"
#include "lapic.h"
#include "paging.h"

#define LAPIC_ID	0x020
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_CCR 0x390
#define LAPIC_TIMER_DCR 0x3e0

#define ICR_PENDING  (1u << 12)
#define ICR_ASSERT   (1u << 14)
#define ICR_INIT     (5u << 8)
#define ICR_STARTUP  (6u << 8)
#define LVT_MASKED   (1u << 16)
#define APIC_BASE_EN (1ULL << 11)

static volatile uint32_t *lapic_regs;
static uint64_t timer_hz;

static uint32_t lapic_read(uint32_t reg)
{
	return lapic_regs[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	lapic_regs[reg / 4] = v;
}

void lapic_map(uint64_t base)
{
	x86_paging_map_device(base, PAGE_SIZE);
	lapic_regs = (volatile uint32_t *)(uintptr_t)base;
}

void lapic_enable(void)
{
	uint64_t msr = rdmsr(MSR_APIC_BASE);
	if (!(msr & APIC_BASE_EN))
		wrmsr(MSR_APIC_BASE, msr | APIC_BASE_EN);
	lapic_write(LAPIC_SVR, (1u << 8) | LAPIC_SPURIOUS_VECTOR);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	/*
	 * The hypervisor takes interrupts while idle (svm/svm_irq.c): the legacy PIC, which the firmware
	 * wired to LINT0 (virtual wire) with vectors that collide with exceptions, must never reach it.
	 * Order matters: mask the PIC first, while LINT0 still listens, so that the PIC's output falling
	 * reaches the local APIC. Masking LINT0 first left a PIT tick that was pending at that moment as a
	 * stale interrupt request in QEMU, taken at the first STI as "vector -1": a #GP on CPU 0.
	 */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
}

bool x86_pic_wait_irq0(void)
{
	/* OCW3 "read IRR", then poll: the PIT ticks at 18.2 Hz, so IRQ0 is pending within 55 ms. */
	for (unsigned long i = 0; i < 100000000UL; i++) {
		outb(0x20, 0x0a);
		if (inb(0x20) & 1)
			return true;
	}
	return false;
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

static void icr_wait(void)
{
	while (lapic_read(LAPIC_ICR_LO) & ICR_PENDING)
		arch_cpu_relax();
}

static void icr_send(uint32_t apic_id, uint32_t lo)
{
	icr_wait();
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, lo);
	icr_wait();
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	icr_send(apic_id, ICR_ASSERT | vector);
}

void lapic_send_init(uint32_t apic_id)
{
	icr_send(apic_id, ICR_ASSERT | ICR_INIT);
}

void lapic_send_sipi(uint32_t apic_id, uint8_t page)
{
	icr_send(apic_id, ICR_STARTUP | page);
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

uint64_t lapic_timer_hz(void)
{
	return timer_hz;
}

void lapic_set_timer_hz(uint64_t hz)
{
	timer_hz = hz;
}

void lapic_timer_start_free_running(void)
{
	lapic_write(LAPIC_TIMER_DCR, 0x3); /* divide by 16 */
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_ICR, 0xffffffffu);
}

uint32_t lapic_timer_current(void)
{
	return lapic_read(LAPIC_TIMER_CCR);
}

void lapic_timer_oneshot(uint8_t vector, uint32_t ticks)
{
	lapic_write(LAPIC_TIMER_DCR, 0x3);
	lapic_write(LAPIC_LVT_TIMER, vector);
	lapic_write(LAPIC_TIMER_ICR, ticks);
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_ICR, 0);
}
