/*
 * TSC and LAPIC timer calibration against the PIT: channel 2 counts down a known interval in mode 0 with
 * its gate controlled through port 0x61, whose bit 5 shows OUT2 going high at the end. The TSC then backs
 * arch_timestamp().
 */
#include <tessera/arch.h>
#include <tessera/console.h>
#include "io.h"
#include "lapic.h"

#define PIT_HZ	   1193182ULL
#define PIT_CH2	   0x42
#define PIT_CMD	   0x43
#define PORT_B	   0x61
#define CAL_MS	   50
#define CAL_ROUNDS 3

static uint64_t tsc_hz;

uint64_t arch_timestamp(void)
{
	return rdtsc();
}

uint64_t arch_timestamp_hz(void)
{
	return tsc_hz;
}

void x86_udelay(uint64_t us)
{
	uint64_t start = rdtsc(), ticks = tsc_hz ? tsc_hz / 1000000 * us : us * 3000;
	while (rdtsc() - start < ticks)
		arch_cpu_relax();
}

/* One PIT interval of CAL_MS; returns the TSC and LAPIC timer ticks it took. */
static void measure(uint64_t *tsc_ticks, uint64_t *apic_ticks)
{
	uint16_t count = (uint16_t)(PIT_HZ * CAL_MS / 1000);

	outb(PORT_B, (inb(PORT_B) & ~0x03) | 0x00); /* gate low, speaker off */
	outb(PIT_CMD, 0xb0);			    /* channel 2, lobyte/hibyte, mode 0, binary */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	lapic_timer_start_free_running();
	uint32_t apic0 = lapic_timer_current();
	uint64_t tsc0 = rdtsc();
	outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01); /* gate high: counting starts */
	while (!(inb(PORT_B) & 0x20))
		;
	uint64_t tsc1 = rdtsc();
	uint32_t apic1 = lapic_timer_current();
	outb(PORT_B, inb(PORT_B) & ~0x01);
	*tsc_ticks = tsc1 - tsc0;
	*apic_ticks = apic0 - apic1;
}

void x86_timer_calibrate(void)
{
	uint64_t best_tsc = ~0ULL, best_apic = 0;

	/* the shortest of a few rounds: a host preempting QEMU only ever makes an interval look longer */
	for (int i = 0; i < CAL_ROUNDS; i++) {
		uint64_t t, a;
		measure(&t, &a);
		if (t < best_tsc) {
			best_tsc = t;
			best_apic = a;
		}
	}
	tsc_hz = best_tsc * 1000 / CAL_MS;
	lapic_set_timer_hz(best_apic * 1000 / CAL_MS);
}

void x86_timer_report(void)
{
	pr_info("timer: TSC %llu kHz, LAPIC timer %llu kHz (divider 16), calibrated against the PIT",
		(unsigned long long)(tsc_hz / 1000), (unsigned long long)(lapic_timer_hz() / 1000));
}
