/*
 * noisy: a noisy neighbour (docs/workloads.md). It runs beside a workload on another CPU until that
 * workload's cell has ended, and reports what it did, so that an interference study sees both sides.
 *   mode=mem   a memory hog: read-modify-write passes over all its writable RAM (the free RAM after its
 *              image and every other writable region, shared `out` regions included); metric `pass`,
 *              the TSC ticks of each pass, and param bytes_per_pass
 *   mode=irq   an interrupt storm: its local APIC timer periodic at hz, each tick an exit and an injection
 *              on its CPU; metric `irqs`, the interrupts taken in each window of window_ms
 *   mode=both  the two at once (metrics `pass` and `irqs`: ticks counted per pass)
 * Args: mode (default mem); until=CELL_ID (the cell to outlast: stop once it has finished or failed,
 * after at least one pass or window; without it, run max_ms); vector=N (the storm's vector, default the
 * runtime's timer vector); hz=N (default 1000; under TCG each tick costs an injection and an EOI exit,
 * so above a few kHz the neighbour spends all its time in its handler: still a storm, no longer at that
 * rate); window_ms=N (default 10); max_ms=N (default 60000: a neighbour never outlives a forgotten
 * victim by more).
 */
#include <guest/bench.h>
#include <guest/hypercall.h>
#include <guest/irq.h>
#include <guest/ram.h>
#include <guest/runtime.h>
#include <tessera/string.h>

#define NO_CELL UINT64_MAX

static volatile uint64_t ticks;
static uint64_t pass_ticks[BENCH_MAX_SAMPLES], irqs[BENCH_MAX_SAMPLES];
static struct ram_span spans[TESSERA_BOOT_MAX_REGIONS + 1];
static unsigned int nr_spans;

static void tick(unsigned int vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	ticks++;
}

/* Every writable RAM span the hog may overwrite: not the image, not the boot area, not devices. */
static uint64_t find_spans(void)
{
	const struct tessera_cell_boot_info *bi = runtime_boot_info();
	struct ram_span own = ram_free();
	uint64_t bytes = own.size;

	spans[nr_spans++] = own;
	for (uint32_t i = 0; i < bi->nr_regions && i < TESSERA_BOOT_MAX_REGIONS; i++) {
		const struct tessera_boot_region *r = &bi->regions[i];
		bool holds_image = own.base >= r->guest_addr && own.base <= r->guest_addr + r->size;
		if (holds_image || !(r->flags & TESSERA_MEM_WRITE) || (r->flags & TESSERA_MEM_DEVICE))
			continue;
		spans[nr_spans++] = (struct ram_span){r->guest_addr, r->size};
		bytes += r->size;
	}
	return bytes;
}

static void hog_pass(void)
{
	for (unsigned int s = 0; s < nr_spans; s++) {
		volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)spans[s].base;
		for (uint64_t i = 0; i < spans[s].size / 8; i++)
			p[i] = p[i] + 1;
	}
}

/* True once the victim has ended (or never existed); a cell not started yet is waited for. */
static bool victim_done(uint64_t cell)
{
	int64_t st;

	if (cell == NO_CELL)
		return false;
	st = hypercall_cell_state(cell);
	return st < 0 || st == TESSERA_CELL_FINISHED || st == TESSERA_CELL_FAILED;
}

int main(const struct tessera_cell_boot_info *info)
{
	bench_start("noisy");
	uint64_t until = bench_arg("until", NO_CELL, 0, NO_CELL);
	uint64_t hz = bench_arg("hz", 1000, 1, 1000000);
	uint64_t window_ms = bench_arg("window_ms", 10, 1, 10000);
	uint64_t max_ms = bench_arg("max_ms", 60000, 1, 3600000);
	unsigned int vector = (unsigned int)bench_arg("vector", IRQ_TIMER_VECTOR, 0x20, 0xfe);
	uint64_t limit = info->tsc_hz / 1000 * max_ms, t_start, t_stop, bytes, passes = 0, windows = 0;
	bool mem = true, storm = false;
	const char *v;
	size_t len;

	if (args_get("mode", &v, &len)) {
		mem = (len == 3 && !memcmp(v, "mem", 3)) || (len == 4 && !memcmp(v, "both", 4));
		storm = (len == 3 && !memcmp(v, "irq", 3)) || (len == 4 && !memcmp(v, "both", 4));
		if (!mem && !storm)
			bench_fail(2, "mode=%.*s: want mem, irq or both", (int)len, v);
	}
	if (until != NO_CELL && until == info->cell_id)
		bench_fail(2, "until=%lu is this cell", until);
	bytes = find_spans();
	t_start = rdtsc(); /* before the timer is armed: every period that can come due is after it */
	if (storm) {
		irq_cpu_init();
		irq_set_handler(vector, tick, NULL);
		timer_start_periodic(hz, vector);
		irq_enable();
	}
	/* At least one pass or window: a victim that ended before the neighbour got going still leaves a
	 * measurement of the neighbour behind. */
	do {
		uint64_t t0 = bench_tsc(), n0 = ticks;
		if (mem) {
			hog_pass();
		} else {
			while (rdtsc() - t0 < info->tsc_hz / 1000 * window_ms)
				__asm__ volatile("hlt" ::: "memory"); /* IF is 1: the next tick wakes it */
		}
		if (mem && passes < BENCH_MAX_SAMPLES)
			pass_ticks[passes] = bench_tsc() - t0;
		if (storm && windows < BENCH_MAX_SAMPLES)
			irqs[windows] = ticks - n0;
		passes += mem;
		windows += storm;
	} while (!victim_done(until) && rdtsc() - t_start < limit);
	if (storm) {
		irq_disable();
		timer_stop();
	}
	t_stop = rdtsc();
	bench_param("mem", mem);
	bench_param("irq_hz", storm ? hz : 0);
	bench_param("bytes_per_pass", mem ? bytes : 0);
	bench_param("passes", passes);
	bench_param("windows", windows);
	bench_param("ticks", ticks);
	/* The periods that came due while the timer ran: a storm that kept up took about this many
	 * ticks, and none can take more (the catch-up of docs/ivc.md delivers missed periods, no others). */
	bench_param("periods", storm ? (t_stop - t_start) * hz / info->tsc_hz : 0);
	bench_param("victim_ended", victim_done(until));
	if (mem)
		bench_series("pass", WORKLOAD_UNIT_TSC_TICKS, pass_ticks, MIN(passes, BENCH_MAX_SAMPLES));
	if (storm)
		bench_series("irqs", WORKLOAD_UNIT_COUNT, irqs, MIN(windows, BENCH_MAX_SAMPLES));
	return bench_done();
}
