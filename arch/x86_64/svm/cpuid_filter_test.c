/* What a cell sees of CPUID: no SVM/VMX, hypervisor bit and leaf, its own APIC id. */
#include <criterion/criterion.h>
#include "cpuid_filter.h"

static const struct cpuid_view view = {.cpu_index = 3, .guest_osxsave = false};

Test(cpuid_filter, leaf1_hides_vmx_x2apic_monitor_and_sets_hypervisor_bit)
{
	struct cpuid_regs r = {0x00a00f11, 0x05800800, 0xffffffff & ~CPUID_1_ECX_HV, 0x178bfbff};

	cpuid_filter(1, 0, &r, &view);
	cr_assert_eq(r.ecx & (CPUID_1_ECX_VMX | CPUID_1_ECX_X2APIC | CPUID_1_ECX_MONITOR), 0);
	cr_assert(r.ecx & CPUID_1_ECX_HV);
	cr_assert_eq(r.ecx & CPUID_1_ECX_OSXSAVE, 0, "OSXSAVE shown although the guest's CR4 lacks it");
	cr_assert_eq(r.ebx >> 24, 3, "initial APIC id is the CPU index in the cell");
	cr_assert_eq(r.ebx & 0xffffff, 0x800800);
	cr_assert_eq(r.eax, 0x00a00f11);
	cr_assert_eq(r.edx, 0x178bfbff);
}

Test(cpuid_filter, osxsave_follows_the_guest)
{
	struct cpuid_regs r = {0, 0, 0, 0};
	const struct cpuid_view v = {.cpu_index = 0, .guest_osxsave = true};

	cpuid_filter(1, 0, &r, &v);
	cr_assert(r.ecx & CPUID_1_ECX_OSXSAVE);
}

Test(cpuid_filter, svm_is_hidden)
{
	struct cpuid_regs r = {1, 2, 0xffffffff, 4};

	cpuid_filter(0x80000001, 0, &r, &view);
	cr_assert_eq(r.ecx & (CPUID_81_ECX_SVM | CPUID_81_ECX_SKINIT), 0);
	cr_assert_eq(r.ecx | CPUID_81_ECX_SVM | CPUID_81_ECX_SKINIT, 0xffffffff);

	r = (struct cpuid_regs){1, 16, 0, 0x9};
	cpuid_filter(0x8000000a, 0, &r, &view);
	cr_assert_eq(r.eax | r.ebx | r.ecx | r.edx, 0);
}

Test(cpuid_filter, hypervisor_leaf_names_tessera)
{
	struct cpuid_regs r = {0, 0, 0, 0};
	char vendor[13] = {0};

	cpuid_filter(CPUID_HV_LEAF, 0, &r, &view);
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.ecx, 4);
	memcpy(vendor + 8, &r.edx, 4);
	cr_assert_str_eq(vendor, "TesseraHV");
	cr_assert_eq(r.eax, CPUID_HV_LEAF);

	r = (struct cpuid_regs){7, 7, 7, 7};
	cpuid_filter(CPUID_HV_LEAF + 1, 0, &r, &view);
	cr_assert_eq(r.eax | r.ebx | r.ecx | r.edx, 0);
}

Test(cpuid_filter, other_leaves_pass_unchanged)
{
	struct cpuid_regs r = {0x11, 0x22, 0x33, 0x44};

	cpuid_filter(0, 0, &r, &view);
	cr_assert_eq(r.eax, 0x11);
	cr_assert_eq(r.edx, 0x44);
}
