/*
 * Interrupts, the local APIC timer and sleeping (docs/ivc.md). The cell's local APIC is the virtual one
 * the hypervisor emulates behind the xAPIC page; only the cell's own CPUs can be reached through it.
 *
 * Handlers run with interrupts off on the CPU that took the interrupt; the runtime sends the EOI after
 * the handler returns. Waiting without losing a wakeup: check the condition with interrupts off, then
 * cpu_wait_for_interrupt() (STI;HLT is atomic: an interrupt that arrives in between still wakes it).
 */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

#include <tessera/compiler.h>

#define IRQ_TIMER_VECTOR 0x30 /* the runtime's timer vector */

typedef void (*irq_handler_fn)(unsigned int vector, void *ctx);

/* Enable this CPU's local APIC (software enable, spurious vector 0xff). Each CPU calls it once. */
void irq_cpu_init(void);
/* Install a handler for a vector 0x20-0xfe (shared by all CPUs of the cell). */
void irq_set_handler(unsigned int vector, irq_handler_fn fn, void *ctx);

static inline void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

/* Enable interrupts and halt until one has been handled; returns with interrupts off. */
static inline void cpu_wait_for_interrupt(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* The local APIC timer on this CPU: periodic at `hz`, or one-shot after `us`; 0 ticks stops it. */
void timer_start_periodic(uint64_t hz, unsigned int vector);
void timer_start_oneshot_us(uint64_t us, unsigned int vector);
void timer_stop(void);
/* The timer's input clock and the TSC rate (from the boot info). */
uint64_t timer_input_hz(void);
uint64_t tsc_hz(void);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/*
 * Sleep at least `us` microseconds in HLT; returns with interrupts off. If this CPU's timer runs periodic
 * (comm_start_heartbeat_timer, timer_start_periodic) it is left running with its handler, and the sleep
 * ends at the first tick after the deadline (up to one period late). Otherwise the timer is borrowed
 * one-shot and IRQ_TIMER_VECTOR's handler is restored afterwards.
 */
void sleep_us(uint64_t us);

/* Send a fixed IPI to the CPU with APIC ID `apic_id` (only the cell's own CPUs are allowed). */
void lapic_send_ipi(uint32_t apic_id, unsigned int vector);
uint32_t lapic_id(void);
/* Raw register access to the xAPIC page (32-bit). */
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t value);

#endif
