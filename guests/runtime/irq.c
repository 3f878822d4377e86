/* Interrupt dispatch, the local APIC, its timer and sleep (guest/irq.h). */
#include <guest/irq.h>
#include <guest/runtime.h>

#define LAPIC_BASE  0xfee00000UL
#define LAPIC_ID    0x020
#define LAPIC_EOI   0x0b0
#define LAPIC_SVR   0x0f0
#define LAPIC_ICR   0x300
#define LAPIC_ICR2  0x310
#define LAPIC_LVT_T 0x320
#define LAPIC_TICR  0x380
#define LAPIC_TDCR  0x3e0
#define LVT_MASKED  (1u << 16)
#define LVT_PERIOD  (1u << 17)

static struct {
	irq_handler_fn fn;
	void *ctx;
} handlers[256];

static volatile uint32_t sleep_done[RUNTIME_MAX_CPUS];
static bool timer_periodic[RUNTIME_MAX_CPUS]; /* this CPU's timer runs periodic (e.g. heartbeats) */

uint32_t lapic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(LAPIC_BASE + reg);
}

void lapic_write(uint32_t reg, uint32_t value)
{
	*(volatile uint32_t *)(LAPIC_BASE + reg) = value;
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

void irq_dispatch(unsigned int vector)
{
	if (vector != 0xff) {
		if (handlers[vector].fn)
			handlers[vector].fn(vector, handlers[vector].ctx);
		lapic_write(LAPIC_EOI, 0);
	}
}

void irq_cpu_init(void)
{
	lapic_write(LAPIC_SVR, 0x1ff);
}

void irq_set_handler(unsigned int vector, irq_handler_fn fn, void *ctx)
{
	if (vector < 0x20 || vector > 0xfe)
		return;
	handlers[vector].ctx = ctx;
	__atomic_store_n(&handlers[vector].fn, fn, __ATOMIC_RELEASE);
}

uint64_t tsc_hz(void)
{
	return runtime_boot_info()->tsc_hz;
}

uint64_t timer_input_hz(void)
{
	const struct tessera_cell_boot_info *bi = runtime_boot_info();
	return bi->version >= 2 && bi->timer_hz ? bi->timer_hz : bi->tsc_hz;
}

/* Divide by 16 keeps 32-bit counts for periods up to many seconds. */
static uint32_t ticks_of(uint64_t num, uint64_t den)
{
	uint64_t t = timer_input_hz() / 16 * num / den;
	return t ? (t > 0xffffffffULL ? 0xffffffffu : (uint32_t)t) : 1;
}

void timer_start_periodic(uint64_t hz, unsigned int vector)
{
	lapic_write(LAPIC_TDCR, 0x3);
	lapic_write(LAPIC_LVT_T, LVT_PERIOD | vector);
	lapic_write(LAPIC_TICR, ticks_of(1, hz));
	timer_periodic[cpu_current()] = true;
}

void timer_start_oneshot_us(uint64_t us, unsigned int vector)
{
	lapic_write(LAPIC_TDCR, 0x3);
	lapic_write(LAPIC_LVT_T, vector);
	lapic_write(LAPIC_TICR, ticks_of(us, 1000000));
	timer_periodic[cpu_current()] = false;
}

void timer_stop(void)
{
	lapic_write(LAPIC_TICR, 0);
	lapic_write(LAPIC_LVT_T, LVT_MASKED);
	timer_periodic[cpu_current()] = false;
}

static void sleep_tick(unsigned int vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	sleep_done[cpu_current()] = 1;
}

/*
 * One LAPIC timer per CPU. When it runs periodic (a heartbeat timer, say), sleep_us leaves it and its
 * handler alone and halts until the TSC deadline, woken by each tick: the sleep is then at least `us`
 * and overshoots by up to one period. Otherwise it borrows the timer one-shot and gives the vector's
 * handler back afterwards.
 */
void sleep_us(uint64_t us)
{
	unsigned int cpu = cpu_current();
	irq_handler_fn old_fn = handlers[IRQ_TIMER_VECTOR].fn;
	void *old_ctx = handlers[IRQ_TIMER_VECTOR].ctx;
	uint64_t end = rdtsc() + tsc_hz() * us / 1000000;

	irq_disable();
	if (timer_periodic[cpu]) {
		while (rdtsc() < end)
			cpu_wait_for_interrupt();
		return;
	}
	irq_set_handler(IRQ_TIMER_VECTOR, sleep_tick, NULL);
	sleep_done[cpu] = 0;
	timer_start_oneshot_us(us, IRQ_TIMER_VECTOR);
	while (!sleep_done[cpu])
		cpu_wait_for_interrupt();
	handlers[IRQ_TIMER_VECTOR].ctx = old_ctx;
	__atomic_store_n(&handlers[IRQ_TIMER_VECTOR].fn, old_fn, __ATOMIC_RELEASE);
}

void lapic_send_ipi(uint32_t apic_id, unsigned int vector)
{
	lapic_write(LAPIC_ICR2, apic_id << 24);
	lapic_write(LAPIC_ICR, 0x4000 | vector);
}
