/* CR0, CR4 and XCR0 write validation (cr.h). */
#include "cr.h"

/* CR0 bits that exist (AMD APM vol. 2, "CR0 Register"); the others in 31:0 are ignored on write. */
#define CR0_DEFINED \
	(CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG)

bool cr0_write(const struct cr_state *s, uint64_t value, uint64_t *cr0, uint64_t *efer)
{
	if (value >> 32)
		return false; /* bits 63:32 must be zero */
	if ((value & CR0_NW) && !(value & CR0_CD))
		return false; /* not-write-through without cache-disable */
	if ((value & CR0_PG) && !(value & CR0_PE))
		return false; /* paging without protection */
	bool pg_on = (value & CR0_PG) && !(s->cr0 & CR0_PG), pg_off = !(value & CR0_PG) && (s->cr0 & CR0_PG);
	if (pg_on && (s->efer & EFER_LME) && !(s->cr4 & CR4_PAE))
		return false; /* long mode needs PAE */
	if (pg_on && (s->efer & EFER_LME) && s->cs_long)
		return false; /* activating long mode with CS.L set */
	if (pg_off && (s->efer & EFER_LMA) && s->cs_long)
		return false; /* leaving long mode is done from compatibility mode, not 64-bit code */
	*cr0 = (value & CR0_DEFINED) | CR0_ET;
	*efer = s->efer;
	if (pg_on || pg_off)
		*efer = (s->efer & ~EFER_LMA) | ((s->efer & EFER_LME) && (value & CR0_PG) ? EFER_LMA : 0);
	return true;
}

uint64_t cr4_offered(uint32_t leaf1_ecx, uint32_t leaf7_ebx, uint32_t leaf7_ecx)
{
	uint64_t bits = 0;

	if (leaf7_ecx & (1u << 2))
		bits |= 1ULL << 11; /* UMIP */
	if (leaf7_ecx & (1u << 16))
		bits |= CR4_LA57;
	if (leaf7_ebx & (1u << 0))
		bits |= 1ULL << 16; /* FSGSBASE */
	if (leaf1_ecx & (1u << 17))
		bits |= CR4_PCIDE;
	if (leaf1_ecx & (1u << 26))
		bits |= CR4_OSXSAVE;
	if (leaf7_ebx & (1u << 7))
		bits |= CR4_SMEP;
	if (leaf7_ebx & (1u << 20))
		bits |= CR4_SMAP;
	if (leaf7_ecx & (1u << 3))
		bits |= 1ULL << 22; /* PKE */
	return bits;		    /* VMXE and SMXE never: the cell has no VMX or SMX */
}

bool cr4_write(const struct cr_state *s, uint64_t value, uint64_t offered)
{
	bool long_mode = s->efer & EFER_LMA;

	if (value & ~(CR4_BASE_BITS | offered))
		return false; /* reserved, or a feature the cell's CPUID does not show */
	if (long_mode && !(value & CR4_PAE))
		return false; /* PAE off in long mode */
	if (long_mode && ((value ^ s->cr4) & CR4_LA57))
		return false; /* the paging depth changes only with paging off */
	if ((value & CR4_PCIDE) && !(s->cr4 & CR4_PCIDE) && (!long_mode || (s->cr3 & 0xfff)))
		return false; /* PCIDE only in long mode, and only with PCID 0 in CR3 */
	return true;
}

bool xcr0_write_ok(unsigned int cpl, uint32_t index, uint64_t value, uint64_t supported)
{
	if (cpl != 0 || index != 0)
		return false;
	if (!(value & XCR0_X87) || (value & ~supported))
		return false;
	if ((value & XCR0_AVX) && !(value & XCR0_SSE))
		return false;
	uint64_t mpx = value & (XCR0_BNDREGS | XCR0_BNDCSR);
	if (mpx && mpx != (XCR0_BNDREGS | XCR0_BNDCSR))
		return false; /* MPX: both or neither */
	if ((value & XCR0_AVX512_ALL) &&
	    ((value & XCR0_AVX512_ALL) != XCR0_AVX512_ALL || !(value & XCR0_AVX)))
		return false;
	return true;
}
