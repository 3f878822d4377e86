/* SVM I/O and MSR permission maps from a cell's allow-lists (see permmap.h). */
#include <tessera/string.h>
#include "permmap.h"
#include "vmcb.h"

static void bit_clear(uint8_t *map, unsigned long bit)
{
	map[bit / 8] &= (uint8_t) ~(1u << (bit % 8));
}

static bool bit_test(const uint8_t *map, unsigned long bit)
{
	return map[bit / 8] & (1u << (bit % 8));
}

void svm_iopm_build(uint8_t *iopm, const struct tessera_config_pio *pio, unsigned int nr)
{
	memset(iopm, 0xff, SVM_IOPM_SIZE);
	for (unsigned int i = 0; i < nr; i++) {
		/* Clamp to the port space: the checker refuses such entries, the map must not overflow. */
		uint32_t end = pio[i].base + pio[i].size;
		if (end > 0x10000 || end < pio[i].base)
			end = 0x10000;
		for (uint32_t port = pio[i].base; port < end; port++)
			bit_clear(iopm, port);
	}
}

bool svm_iopm_intercepts(const uint8_t *iopm, uint32_t port)
{
	return bit_test(iopm, port);
}

long svm_msrpm_bit(uint32_t msr)
{
	if (msr <= 0x1fff)
		return (long)msr * 2;
	if (msr >= 0xc0000000 && msr <= 0xc0001fff)
		return 0x800L * 8 + (long)(msr - 0xc0000000) * 2;
	if (msr >= 0xc0010000 && msr <= 0xc0011fff)
		return 0x1000L * 8 + (long)(msr - 0xc0010000) * 2;
	return -1;
}

/*
 * Always intercepted, whatever the allow-list says. IA32_APIC_BASE (0x1b) and the x2APIC range
 * (0x800-0x8ff) reach the physical local APIC: a cell could disable it (then no kick or stop request
 * reaches its CPU) or move it. The cell has a virtual xAPIC instead (svm_vcpu.c emulates the MSR).
 */
bool svm_msr_is_owned(uint32_t msr)
{
	return msr == MSR_EFER || msr == MSR_VM_CR || msr == MSR_VM_HSAVE_PA || msr == MSR_APIC_BASE ||
	       (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST);
}

/* Walk only the part of an entry that the map covers: an entry may span a huge unmapped range. */
static void msrpm_allow_range(uint8_t *msrpm, uint32_t first, uint32_t last, uint32_t flags)
{
	static const uint32_t ranges[][2] = {
		{0x00000000, 0x00001fff}, {0xc0000000, 0xc0001fff}, {0xc0010000, 0xc0011fff}};

	for (unsigned int r = 0; r < ARRAY_SIZE(ranges); r++) {
		uint32_t lo = MAX(first, ranges[r][0]), hi = MIN(last, ranges[r][1]);
		for (uint64_t msr = lo; lo <= hi && msr <= hi; msr++) {
			if (svm_msr_is_owned((uint32_t)msr))
				continue;
			long bit = svm_msrpm_bit((uint32_t)msr);
			if (flags & TESSERA_MSR_READ)
				bit_clear(msrpm, (unsigned long)bit);
			if (flags & TESSERA_MSR_WRITE)
				bit_clear(msrpm, (unsigned long)bit + 1);
		}
	}
}

void svm_msrpm_build(uint8_t *msrpm, const struct tessera_config_msr *msr, unsigned int nr)
{
	memset(msrpm, 0xff, SVM_MSRPM_SIZE);
	for (unsigned int i = 0; i < nr; i++)
		if (msr[i].first <= msr[i].last)
			msrpm_allow_range(msrpm, msr[i].first, msr[i].last, msr[i].flags);
}

bool svm_msrpm_intercepts(const uint8_t *msrpm, uint32_t msr, bool write)
{
	long bit = svm_msrpm_bit(msr);

	return bit < 0 || bit_test(msrpm, (unsigned long)bit + (write ? 1 : 0));
}
