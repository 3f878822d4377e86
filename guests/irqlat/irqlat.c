/*
 * irqlat: interrupt latency, from a timer deadline to the first instruction of the handler, by TSC
 * (docs/workloads.md). Each sample arms the local APIC timer one-shot with divide-by-1 and a count of
 * `deadline_us`, so that the deadline is a known number of TSC ticks after the arming write (the virtual
 * timer's input clock is the TSC, docs/ivc.md); the handler's first act is RDTSC.
 *
 * The arming write is an MMIO exit, and the hypervisor takes its "now" somewhere inside it: the deadline
 * is at least t0 + span, where t0 is the TSC just before the write. So each sample is measured from
 * t0 + span, an upper bound of the true latency that overstates it by less than the arming exit's
 * round trip, which is reported per sample as metric `arm`. Metrics:
 *   halt  the CPU waits in HLT (sleeps in the hypervisor until the timer wakes it)
 *   spin  the CPU spins with interrupts enabled (the physical timer must exit the guest)
 *   arm   TSC ticks of the arming write (the bound on the overstatement above)
 * A handler that runs before t0 + span would be a timer that fired early: counted in the `early` param
 * (recorded as 0), and the cell fails (status 1).
 *
 * Args: iters=N (default 100), deadline_us=N (default 200).
 */
#include <guest/bench.h>
#include <guest/irq.h>
#include <guest/runtime.h>

#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TICR	0x380
#define LAPIC_TDCR	0x3e0
#define TDCR_DIVIDE_1	0xb

static volatile uint64_t entered;
static uint64_t samples[3][BENCH_MAX_SAMPLES];

/* a * b / c for a * b / c < 2^64, with DIV's 128-bit dividend (no libgcc helper in a guest). */
static uint64_t muldiv(uint64_t a, uint64_t b, uint64_t c)
{
	unsigned __int128 p = (unsigned __int128)a * b;
	uint64_t q, r;

	__asm__("divq %4" : "=a"(q), "=d"(r) : "a"((uint64_t)p), "d"((uint64_t)(p >> 64)), "rm"(c));
	(void)r;
	return q;
}

static void timer_irq(unsigned int vector, void *ctx)
{
	uint64_t now = bench_tsc();

	(void)vector;
	(void)ctx;
	entered = now;
}

/* One sample: arm, wait (halted or spinning), return handler entry minus the earliest deadline. */
static uint64_t sample(uint32_t count, uint64_t span, bool halt, uint64_t *arm, uint64_t *early)
{
	uint64_t t0, t1;

	entered = 0;
	irq_disable();
	if (!halt)
		irq_enable();
	t0 = bench_tsc();
	lapic_write(LAPIC_TICR, count);
	t1 = bench_tsc();
	if (halt) {
		while (!entered)
			cpu_wait_for_interrupt();
	} else {
		while (!entered)
			cpu_relax();
		irq_disable();
	}
	*arm = t1 - t0;
	if (entered < t0 + span) {
		++*early;
		return 0;
	}
	return entered - (t0 + span);
}

int main(const struct tessera_cell_boot_info *info)
{
	bench_start("irqlat"); /* first: argument errors name the workload */
	uint64_t iters = bench_arg("iters", 100, 1, BENCH_MAX_SAMPLES);
	uint64_t us = bench_arg("deadline_us", 200, 1, 1000000);
	uint64_t count = timer_input_hz() * us / 1000000, span, early = 0;

	if (count == 0 || count > 0xffffffffULL)
		bench_fail(2, "deadline_us=%lu gives a timer count of %lu", us, count);
	/* the count in TSC ticks; equal unless the timer's input clock is not the TSC */
	span = muldiv(count, info->tsc_hz, timer_input_hz());
	irq_cpu_init();
	irq_set_handler(IRQ_TIMER_VECTOR, timer_irq, NULL);
	lapic_write(LAPIC_TDCR, TDCR_DIVIDE_1);
	lapic_write(LAPIC_LVT_TIMER, IRQ_TIMER_VECTOR);
	for (uint64_t it = 0; it < iters; it++) {
		samples[0][it] = sample((uint32_t)count, span, true, &samples[2][it], &early);
		samples[1][it] = sample((uint32_t)count, span, false, &samples[2][it], &early);
	}
	timer_stop();
	bench_param("iters", iters);
	bench_param("deadline_ticks", span);
	bench_param("tsc_hz", info->tsc_hz);
	bench_param("early", early);
	bench_series("halt", WORKLOAD_UNIT_TSC_TICKS, samples[0], iters);
	bench_series("spin", WORKLOAD_UNIT_TSC_TICKS, samples[1], iters);
	bench_series("arm", WORKLOAD_UNIT_TSC_TICKS, samples[2], iters);
	if (early)
		bench_fail(1, "%lu of %lu interrupts came before their deadline", early, 2 * iters);
	return bench_done();
}
