/* CPUID filtering for cells (see cpuid_filter.h). */
#include "cpuid_filter.h"

void cpuid_filter(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r, const struct cpuid_view *view)
{
	(void)subleaf;
	switch (leaf) {
	case 1:
		r->ecx &= ~(CPUID_1_ECX_MONITOR | CPUID_1_ECX_VMX | CPUID_1_ECX_X2APIC | CPUID_1_ECX_OSXSAVE);
		if (view->guest_osxsave)
			r->ecx |= CPUID_1_ECX_OSXSAVE;
		r->ecx |= CPUID_1_ECX_HV;
		r->ebx = (r->ebx & 0x00ffffffu) | (view->cpu_index << 24);
		break;
	case 5: /* MONITOR/MWAIT parameters: not offered */ *r = (struct cpuid_regs){0, 0, 0, 0}; break;
	case 0x80000001: r->ecx &= ~(CPUID_81_ECX_SVM | CPUID_81_ECX_SKINIT); break;
	case 0x8000000a: /* SVM revision and features: no SVM for cells */
		*r = (struct cpuid_regs){0, 0, 0, 0};
		break;
	case CPUID_HV_LEAF: /* "TesseraHV" + highest hypervisor leaf */
		*r = (struct cpuid_regs){CPUID_HV_LEAF, 0x73736554, 0x48617265, 0x00000056};
		break;
	default:
		if (leaf > CPUID_HV_LEAF && leaf < 0x40000100)
			*r = (struct cpuid_regs){0, 0, 0, 0};
		break;
	}
}
