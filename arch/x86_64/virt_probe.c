/*
 * Does this CPU offer what Tessera needs: AMD SVM with nested paging, not disabled by firmware. Also
 * reports the optional SVM features that later code cares about (NRIPS is absent under QEMU TCG, so exit
 * handlers advance RIP themselves; see docs/qemu-facts.md).
 */
#include <tessera/console.h>
#include <tessera/error.h>
#include <tessera/format.h>
#include "cpu.h"
#include "io.h"

#define SVM_VMCR_SVMDIS (1u << 4)

static const struct {
	unsigned int bit;
	const char *name;
} svm_features[] = {
	{0, "NP"},	     {1, "LbrVirt"},   {2, "SVML"},	   {3, "NRIPS"},
	{4, "TscRateMsr"},   {5, "VmcbClean"}, {6, "FlushByAsid"}, {7, "DecodeAssists"},
	{10, "PauseFilter"}, {13, "AVIC"},     {15, "VLS"},	   {16, "vGIF"},
};

static void print_svm_features(uint32_t rev, uint32_t nasid, uint32_t edx)
{
	char list[128];
	size_t n = 0;

	list[0] = '\0';
	for (unsigned int i = 0; i < ARRAY_SIZE(svm_features); i++)
		if (edx & (1u << svm_features[i].bit))
			n += (size_t)format_snprintf(list + n, sizeof(list) - n, "%s%s", n ? " " : "",
						     svm_features[i].name);
	pr_info("SVM: revision %u, %u ASIDs, features: %s", rev, nasid, list);
	if (!(edx & (1u << 3)))
		pr_info("SVM: no NRIPS (as under QEMU TCG): exit handlers advance the guest RIP themselves");
}

int arch_virt_probe(char *why, size_t len)
{
	uint32_t a, b, c, d, max_ext;

	cpuid(0x80000000, 0, &max_ext, &b, &c, &d);
	if (max_ext >= 0x80000001)
		cpuid(0x80000001, 0, &a, &b, &c, &d);
	if (max_ext < 0x80000001 || !(c & (1u << 2))) {
		format_snprintf(why, len,
				"no AMD SVM (CPUID 0x80000001 ECX bit 2 is clear); under QEMU use -cpu EPYC");
		return -HV_ENOTSUP;
	}
	if (max_ext < 0x8000000a) {
		format_snprintf(why, len, "SVM without CPUID leaf 0x8000000A; under QEMU use -cpu EPYC");
		return -HV_ENOTSUP;
	}
	uint32_t rev, nasid, features;
	cpuid(0x8000000a, 0, &rev, &nasid, &c, &features);
	if (!(features & 1u)) {
		format_snprintf(
			why, len,
			"SVM without nested paging (CPUID 0x8000000A EDX bit 0 is clear); under QEMU use "
			"-cpu EPYC");
		return -HV_ENOTSUP;
	}
	if (rdmsr(MSR_VM_CR) & SVM_VMCR_SVMDIS) {
		format_snprintf(why, len, "SVM is disabled by firmware (VM_CR.SVMDIS is set)");
		return -HV_ENOTSUP;
	}
	print_svm_features(rev & 0xff, nasid, features);
	return 0;
}
