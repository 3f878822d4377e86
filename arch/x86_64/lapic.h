/* The local APIC (xAPIC, MMIO; TCG offers no x2APIC): IDs, IPIs, the timer. */
#ifndef TESSERA_X86_LAPIC_H
#define TESSERA_X86_LAPIC_H

#include <tessera/compiler.h>

#define LAPIC_DEFAULT_BASE    0xfee00000ULL
#define LAPIC_SPURIOUS_VECTOR 0xff
#define HV_TIMER_VECTOR	      0xf1 /* backs the running vCPU's virtual APIC timer */
#define HV_KICK_VECTOR	      0xf2 /* makes a running vCPU exit (IPIs, doorbells, stop requests) */

/* Map the LAPIC (once, boot CPU) and enable it on the calling CPU. */
void lapic_map(uint64_t base);
void lapic_enable(void);
/*
 * Test only (boot option test_pic_pending): wait until the legacy PIC has the PIT's IRQ0 pending, the
 * state in which masking LINT0 before the PIC left a stale interrupt in QEMU (see lapic_enable). False if
 * it never came.
 */
bool x86_pic_wait_irq0(void);
uint32_t lapic_id(void);

/* IPIs. Each waits until the APIC has sent the previous one. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t page);
void lapic_eoi(void);

/* The LAPIC timer (divider 16): its frequency, measured at boot, and a one-shot / stop. */
uint64_t lapic_timer_hz(void);
void lapic_timer_oneshot(uint8_t vector, uint32_t ticks);
void lapic_timer_stop(void);

/* Measure the TSC and LAPIC timer frequencies against the PIT. Boot CPU, interrupts off. */
void x86_timer_calibrate(void);
/* Print the measured frequencies (once the console banner is out). */
void x86_timer_report(void);
/* Busy-wait using the calibrated TSC. */
void x86_udelay(uint64_t us);

/* Used by the calibration (timer.c). */
void lapic_timer_start_free_running(void);
uint32_t lapic_timer_current(void);
void lapic_set_timer_hz(uint64_t hz);

#endif
