/* The SVM permission maps built from allow-lists: default deny, exact edges, owned MSRs stay trapped. */
#include <criterion/criterion.h>
#include "permmap.h"
#include "vmcb.h"

static uint8_t iopm[SVM_IOPM_SIZE], msrpm[SVM_MSRPM_SIZE];

Test(svm_iopm, empty_list_denies_every_port)
{
	svm_iopm_build(iopm, NULL, 0);
	for (uint32_t port = 0; port < 0x10000; port++)
		cr_assert(svm_iopm_intercepts(iopm, port), "port %#x not intercepted", port);
	/* the bits past 0xffff catch accesses that wrap around */
	for (uint32_t i = 0x10000 / 8; i < SVM_IOPM_SIZE; i++)
		cr_assert_eq(iopm[i], 0xff);
}

Test(svm_iopm, grants_exactly_the_ranges)
{
	const struct tessera_config_pio pio[] = {{0x3f8, 8}, {0x80, 1}, {0xfff0, 0x10}};

	svm_iopm_build(iopm, pio, 3);
	for (uint32_t port = 0; port < 0x10000; port++) {
		bool granted = (port >= 0x3f8 && port < 0x400) || port == 0x80 || port >= 0xfff0;
		cr_assert_eq(svm_iopm_intercepts(iopm, port), !granted, "port %#x", port);
	}
}

Test(svm_iopm, oversized_range_is_clamped_to_the_port_space)
{
	const struct tessera_config_pio pio[] = {{0xff00, 0x20000}};

	svm_iopm_build(iopm, pio, 1);
	cr_assert_not(svm_iopm_intercepts(iopm, 0xffff));
	cr_assert(svm_iopm_intercepts(iopm, 0xfeff));
	cr_assert_eq(iopm[0x10000 / 8], 0xff, "bits past the port space must stay set");
}

Test(svm_msrpm, bit_positions_follow_the_three_ranges)
{
	cr_assert_eq(svm_msrpm_bit(0), 0);
	cr_assert_eq(svm_msrpm_bit(0x1fff), 0x1fff * 2);
	cr_assert_eq(svm_msrpm_bit(0xc0000000), 0x800 * 8);
	cr_assert_eq(svm_msrpm_bit(0xc0000080), 0x800 * 8 + 0x80 * 2);
	cr_assert_eq(svm_msrpm_bit(0xc0010000), 0x1000 * 8);
	cr_assert_eq(svm_msrpm_bit(0xc0011fff), 0x1000 * 8 + 0x1fff * 2);
	cr_assert_eq(svm_msrpm_bit(0x2000), -1);
	cr_assert_eq(svm_msrpm_bit(0x40000000), -1);
	cr_assert_eq(svm_msrpm_bit(0xc0002000), -1);
}

Test(svm_msrpm, read_and_write_are_granted_separately)
{
	const struct tessera_config_msr msr[] = {
		{0x10, 0x10, TESSERA_MSR_READ, 0},
		{0x1c, 0x1c, TESSERA_MSR_WRITE, 0},
		{0xc0000100, 0xc0000102, TESSERA_MSR_READ | TESSERA_MSR_WRITE, 0},
	};

	svm_msrpm_build(msrpm, msr, 3);
	cr_assert_not(svm_msrpm_intercepts(msrpm, 0x10, false));
	cr_assert(svm_msrpm_intercepts(msrpm, 0x10, true));
	cr_assert(svm_msrpm_intercepts(msrpm, 0x1c, false));
	cr_assert_not(svm_msrpm_intercepts(msrpm, 0x1c, true));
	for (uint32_t m = 0xc0000100; m <= 0xc0000102; m++) {
		cr_assert_not(svm_msrpm_intercepts(msrpm, m, false));
		cr_assert_not(svm_msrpm_intercepts(msrpm, m, true));
	}
	cr_assert(svm_msrpm_intercepts(msrpm, 0xc00000ff, false));
	cr_assert(svm_msrpm_intercepts(msrpm, 0xc0000103, true));
	cr_assert(svm_msrpm_intercepts(msrpm, 0x11, false));
}

Test(svm_msrpm, owned_msrs_stay_intercepted_even_when_granted)
{
	const struct tessera_config_msr all[] = {{0, 0xffffffff, TESSERA_MSR_READ | TESSERA_MSR_WRITE, 0}};

	svm_msrpm_build(msrpm, all, 1);
	cr_assert(svm_msrpm_intercepts(msrpm, MSR_EFER, true));
	cr_assert(svm_msrpm_intercepts(msrpm, MSR_EFER, false));
	cr_assert(svm_msrpm_intercepts(msrpm, MSR_VM_HSAVE_PA, true));
	cr_assert(svm_msrpm_intercepts(msrpm, MSR_VM_CR, false));
	cr_assert_not(svm_msrpm_intercepts(msrpm, 0xc0000081, true));
	/* the physical local APIC's MSRs: a cell could disable or move it */
	cr_assert(svm_msrpm_intercepts(msrpm, MSR_APIC_BASE, true));
	cr_assert(svm_msrpm_intercepts(msrpm, MSR_APIC_BASE, false));
	cr_assert(svm_msrpm_intercepts(msrpm, MSR_X2APIC_FIRST, true));
	cr_assert(svm_msrpm_intercepts(msrpm, 0x830, true)); /* x2APIC ICR */
	cr_assert(svm_msrpm_intercepts(msrpm, MSR_X2APIC_LAST, false));
	cr_assert_not(svm_msrpm_intercepts(msrpm, MSR_X2APIC_LAST + 1, false));
	/* outside the map every MSR exits, granted or not */
	cr_assert(svm_msrpm_intercepts(msrpm, 0x40000000, false));
}

Test(svm_msrpm, empty_list_denies_everything)
{
	svm_msrpm_build(msrpm, NULL, 0);
	for (size_t i = 0; i < SVM_MSRPM_SIZE; i++)
		cr_assert_eq(msrpm[i], 0xff);
}
