/* The virtual local APIC model: registers, priorities, EOI, timer modes, IPI destination checks. */
#include <criterion/criterion.h>

#include "vlapic.h"

#define HZ    1000000000ULL /* "now" in ns for readability */
#define CELL  ((1ULL << 1) | (1ULL << 2))
#define VEC_T 0x30

static struct vlapic l;
static struct vlapic_ipi ipi;

static void setup(void)
{
	vlapic_reset(&l, 1, HZ, HZ);
	cr_assert(vlapic_write(&l, APIC_SVR, APIC_SVR_ENABLE | 0xff, 0, CELL, &ipi));
}

TestSuite(vlapic, .init = setup);

static uint32_t rd(uint32_t off, uint64_t now)
{
	uint32_t v = 0xdeadbeef;
	cr_assert(vlapic_read(&l, off, now, &v), "read %#x", off);
	return v;
}

static void wr(uint32_t off, uint32_t v, uint64_t now)
{
	cr_assert(vlapic_write(&l, off, v, now, CELL, &ipi), "write %#x", off);
}

Test(vlapic, id_version_and_unknown_registers)
{
	cr_expect_eq(rd(APIC_ID, 0), 1u << 24);
	cr_expect_eq(rd(APIC_VERSION, 0) & 0xff, 0x14);
	uint32_t v;
	cr_expect(!vlapic_read(&l, 0x3f0, 0, &v));
	cr_expect(!vlapic_read(&l, 0x24, 0, &v));
	cr_expect(!vlapic_write(&l, 0x400, 0, 0, CELL, &ipi));
}

Test(vlapic, priorities_and_eoi)
{
	vlapic_raise(&l, 0x41);
	vlapic_raise(&l, 0x52);
	cr_expect_eq(vlapic_pending(&l), 0x52);
	vlapic_ack(&l, 0x52);
	/* 0x41 is in a lower class than the in-service 0x52 */
	cr_expect_eq(vlapic_pending(&l), -1);
	cr_expect_eq(rd(APIC_PPR, 0), 0x50);
	wr(APIC_EOI, 0, 0);
	cr_expect_eq(vlapic_pending(&l), 0x41);
	wr(APIC_TPR, 0x40, 0);
	cr_expect_eq(vlapic_pending(&l), -1, "TPR class 4 blocks vector 0x41");
	wr(APIC_TPR, 0x30, 0);
	cr_expect_eq(vlapic_pending(&l), 0x41);
	vlapic_ack(&l, 0x41);
	cr_expect_eq(rd(APIC_ISR + 0x20, 0), 1u << 1);
	wr(APIC_EOI, 0, 0);
	cr_expect_eq(rd(APIC_ISR + 0x20, 0), 0);
}

Test(vlapic, software_disabled_delivers_nothing)
{
	wr(APIC_SVR, 0xff, 0);
	vlapic_raise(&l, 0x40);
	cr_expect_eq(vlapic_pending(&l), -1);
	cr_expect(rd(APIC_LVT_TMR, 0) & APIC_LVT_MASKED);
}

Test(vlapic, posted_vectors_are_raised_once)
{
	vlapic_post(&l, 0x60);
	vlapic_post(&l, 0x60);
	vlapic_post(&l, 0x61);
	cr_expect(vlapic_has_incoming(&l));
	vlapic_sync(&l, 0);
	cr_expect(!vlapic_has_incoming(&l));
	cr_expect_eq(vlapic_pending(&l), 0x61);
	vlapic_ack(&l, 0x61);
	wr(APIC_EOI, 0, 0);
	cr_expect_eq(vlapic_pending(&l), 0x60);
	vlapic_ack(&l, 0x60);
	wr(APIC_EOI, 0, 0);
	cr_expect_eq(vlapic_pending(&l), -1, "a vector posted twice before a sync is delivered once");
}

Test(vlapic, oneshot_timer_with_divider)
{
	wr(APIC_TDCR, 0x3, 0); /* divide by 16 */
	wr(APIC_LVT_TMR, VEC_T, 0);
	wr(APIC_TMICT, 1000, 100); /* 16000 ns */
	cr_expect_eq(rd(APIC_TMCCT, 100), 1000);
	cr_expect_eq(rd(APIC_TMCCT, 100 + 8000), 500);
	vlapic_sync(&l, 100 + 15999);
	cr_expect_eq(vlapic_pending(&l), -1);
	vlapic_sync(&l, 100 + 16000);
	cr_expect_eq(vlapic_pending(&l), VEC_T);
	cr_expect_eq(rd(APIC_TMCCT, 20000), 0);
	cr_expect_eq(l.deadline, 0, "one-shot disarms");
}

Test(vlapic, periodic_timer_keeps_phase)
{
	wr(APIC_TDCR, 0xb, 0); /* divide by 1 */
	wr(APIC_LVT_TMR, VEC_T | APIC_LVT_PERIODIC, 0);
	wr(APIC_TMICT, 1000, 0);
	unsigned int fired = 0;
	for (uint64_t t = 0; t <= 100006; t += 7) {
		vlapic_sync(&l, t);
		if (vlapic_pending(&l) == VEC_T) {
			vlapic_ack(&l, VEC_T);
			wr(APIC_EOI, 0, t);
			fired++;
		}
	}
	cr_expect_eq(fired, 100, "fired %u times in 100 periods", fired);
	/* A masked timer keeps counting but raises nothing. */
	wr(APIC_LVT_TMR, VEC_T | APIC_LVT_PERIODIC | APIC_LVT_MASKED, 100001);
	vlapic_sync(&l, 200000);
	cr_expect_eq(vlapic_pending(&l), -1);
	wr(APIC_TMICT, 0, 200000);
	cr_expect_eq(l.deadline, 0, "writing 0 stops the timer");
}

Test(vlapic, ipis_stay_inside_the_cell)
{
	vlapic_icr_decode(0x4040, 2u << 24, 1, CELL, &ipi); /* fixed 0x40 to CPU 2 */
	cr_expect_eq(ipi.kind, VLAPIC_IPI_FIXED);
	cr_expect_eq(ipi.targets, 1ULL << 2);
	cr_expect_eq(ipi.vector, 0x40);
	vlapic_icr_decode(0x4040, 3u << 24, 1, CELL, &ipi);
	cr_expect_eq(ipi.kind, VLAPIC_IPI_REFUSED, "fixed IPI to a foreign CPU");
	vlapic_icr_decode(0x4400, 3u << 24, 1, CELL, &ipi);
	cr_expect_eq(ipi.kind, VLAPIC_IPI_REFUSED, "NMI to a foreign CPU");
	vlapic_icr_decode(0x4500, 0u << 24, 1, CELL, &ipi);
	cr_expect_eq(ipi.kind, VLAPIC_IPI_REFUSED, "INIT to a foreign CPU");
	vlapic_icr_decode(0x4608, 3u << 24, 1, CELL, &ipi);
	cr_expect_eq(ipi.kind, VLAPIC_IPI_REFUSED, "SIPI to a foreign CPU");
	vlapic_icr_decode(0x4200, 2u << 24, 1, CELL, &ipi);
	cr_expect_eq(ipi.kind, VLAPIC_IPI_REFUSED, "SMI even inside the cell");
	vlapic_icr_decode(0x4040, 0xffu << 24, 1, CELL, &ipi);
	cr_expect_eq(ipi.kind, VLAPIC_IPI_REFUSED, "broadcast destination");
	vlapic_icr_decode(0x4840, 2u << 24, 1, CELL, &ipi);
	cr_expect_eq(ipi.kind, VLAPIC_IPI_REFUSED, "logical mode");
	vlapic_icr_decode(0xc4040, 0, 1, CELL, &ipi); /* all but self */
	cr_expect_eq(ipi.kind, VLAPIC_IPI_FIXED);
	cr_expect_eq(ipi.targets, 1ULL << 2, "shorthands are confined to the cell");
	vlapic_icr_decode(0x44040, 0, 1, CELL, &ipi); /* self */
	cr_expect_eq(ipi.targets, 1ULL << 1);
	vlapic_icr_decode(0x4400, 2u << 24, 1, CELL, &ipi);
	cr_expect_eq(ipi.kind, VLAPIC_IPI_NMI);
	vlapic_icr_decode(0x4005, 2u << 24, 1, CELL, &ipi);
	cr_expect_eq(ipi.kind, VLAPIC_IPI_REFUSED, "vector below 16");
}

Test(vlapic, periodic_ticks_missed_by_a_descheduled_vcpu_are_caught_up)
{
	unsigned int fired = 0;

	wr(APIC_TDCR, 0xb, 0);
	wr(APIC_LVT_TMR, VEC_T | APIC_LVT_PERIODIC, 0);
	wr(APIC_TMICT, 1000, 0);
	vlapic_sync(&l, 5500); /* five periods passed without a sync */
	for (int i = 0; i < 10; i++) {
		vlapic_sync(&l, 5500);
		if (vlapic_pending(&l) == VEC_T) {
			vlapic_ack(&l, VEC_T);
			wr(APIC_EOI, 0, 5500);
			fired++;
		}
	}
	cr_expect_eq(fired, 5, "fired %u, want the 5 due ticks", fired);
	cr_expect_eq(l.deadline, 6000, "phase kept");
}

Test(vlapic, apic_base_msr_is_virtual_and_fixed)
{
	cr_expect_eq(vlapic_apic_base(true), 0xfee00900ULL);
	cr_expect_eq(vlapic_apic_base(false), 0xfee00800ULL);
	cr_expect(vlapic_apic_base_write_ok(true, 0xfee00900ULL));
	cr_expect(vlapic_apic_base_write_ok(false, 0xfee00800ULL));
	cr_expect_not(vlapic_apic_base_write_ok(true, 0xfee00100ULL));	/* global disable */
	cr_expect_not(vlapic_apic_base_write_ok(true, 0xfed00900ULL));	/* moved */
	cr_expect_not(vlapic_apic_base_write_ok(true, 0xfee00d00ULL));	/* x2APIC enable */
	cr_expect_not(vlapic_apic_base_write_ok(false, 0xfee00900ULL)); /* claims BSP */
}

/* Switching the LVT timer mode without a new initial count changes how the running timer goes on. */
Test(vlapic, timer_mode_switch_without_new_count)
{
	wr(APIC_TDCR, 0xb, 0);
	wr(APIC_LVT_TMR, VEC_T, 0); /* one-shot */
	wr(APIC_TMICT, 1000, 0);
	wr(APIC_LVT_TMR, VEC_T | APIC_LVT_PERIODIC, 10); /* now periodic: it must fire again after 1000 */
	vlapic_sync(&l, 1000);
	cr_assert_eq(vlapic_pending(&l), VEC_T);
	vlapic_ack(&l, VEC_T);
	wr(APIC_EOI, 0, 1000);
	vlapic_sync(&l, 2000);
	cr_expect_eq(vlapic_pending(&l), VEC_T,
		     "periodic mode set on a running one-shot timer did not re-arm");
	vlapic_ack(&l, VEC_T);
	wr(APIC_EOI, 0, 2000);
	wr(APIC_LVT_TMR, VEC_T, 2100); /* back to one-shot: the pending expiry fires, then nothing */
	vlapic_sync(&l, 3000);
	cr_expect_eq(vlapic_pending(&l), VEC_T);
	vlapic_ack(&l, VEC_T);
	wr(APIC_EOI, 0, 3000);
	vlapic_sync(&l, 5000);
	cr_expect_eq(vlapic_pending(&l), -1, "one-shot mode set on a periodic timer kept firing");
}
