/*
 * What a cell sees of CPUID: the host's answers with everything a cell may not use taken out (SVM and
 * VMX, x2APIC and MONITOR/MWAIT, OSXSAVE unless the guest enabled it), the hypervisor bit set and a
 * hypervisor leaf at 0x40000000. Pure function, unit-tested on the host.
 */
#ifndef TESSERA_X86_SVM_CPUID_FILTER_H
#define TESSERA_X86_SVM_CPUID_FILTER_H

#include <tessera/compiler.h>

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

struct cpuid_view {
	uint32_t cpu_index; /* the vCPU's index in its cell: its initial APIC id */
	bool guest_osxsave; /* the guest's CR4.OSXSAVE */
};

#define CPUID_HV_LEAF 0x40000000u

/* Rewrite `r` (the host's answer for leaf/subleaf) into what the cell may see. */
void cpuid_filter(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r, const struct cpuid_view *view);

#define CPUID_1_ECX_MONITOR (1u << 3)
#define CPUID_1_ECX_VMX	    (1u << 5)
#define CPUID_1_ECX_X2APIC  (1u << 21)
#define CPUID_1_ECX_OSXSAVE (1u << 27)
#define CPUID_1_ECX_HV	    (1u << 31)
#define CPUID_81_ECX_SVM    (1u << 2)
#define CPUID_81_ECX_SKINIT (1u << 12)

#endif
