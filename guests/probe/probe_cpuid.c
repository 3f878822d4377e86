/* CPUID must not tell the cell about SVM: a guest that thinks it can run VMRUN is one step from trying. */
#include "probe.h"
#include <guest/print.h>
#include <guest/test.h>

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

void probe_cpuid(struct probe *p)
{
	uint32_t r[4], max_ext;
	(void)p;

	cpuid(0x80000000, r);
	max_ext = r[0];
	cpuid(0x80000001, r);
	test_report("cpuid_svm_hidden", !(r[2] & (1u << 2)), "CPUID 0x80000001 ECX = %#x has SVM (bit 2)",
		    r[2]);
	if (max_ext >= 0x8000000a) {
		cpuid(0x8000000a, r);
		test_report("cpuid_svm_leaf_hidden", !(r[0] | r[1] | r[2] | r[3]),
			    "CPUID 0x8000000a = %#x %#x %#x %#x (SVM revision, ASIDs, features)", r[0], r[1],
			    r[2], r[3]);
	} else {
		test_report("cpuid_svm_leaf_hidden", true, NULL);
	}
}
