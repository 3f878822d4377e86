/*
 * A cell's writes of CR0, CR4 and XCR0, validated as the CPU would before they reach the VMCB or the CPU
 * (AMD APM vol. 2 "Control Registers", vol. 3 MOV CRn, XSETBV): what the CPU answers with #GP gets #GP in
 * the cell, instead of reaching VMRUN (which refuses some of these states: VMEXIT_INVALID would stop the
 * cell) or QEMU's TCG (which accepts some that hardware refuses). Pure functions, unit-tested on the host.
 */
#ifndef TESSERA_X86_SVM_CR_H
#define TESSERA_X86_SVM_CR_H

#include <stdbool.h>
#include <stdint.h>

#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_EM (1ULL << 2)
#define CR0_TS (1ULL << 3)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR0_AM (1ULL << 18)
#define CR0_NW (1ULL << 29)
#define CR0_CD (1ULL << 30)
#define CR0_PG (1ULL << 31)

#define CR4_PAE	    (1ULL << 5)
#define CR4_MCE	    (1ULL << 6)
#define CR4_PGE	    (1ULL << 7)
#define CR4_LA57    (1ULL << 12)
#define CR4_PCIDE   (1ULL << 17)
#define CR4_OSXSAVE (1ULL << 18)
#define CR4_SMEP    (1ULL << 20)
#define CR4_SMAP    (1ULL << 21)
/* Always offered (every x86_64 CPU has them): VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT. */
#define CR4_BASE_BITS 0x7ffULL

#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

#define XCR0_X87	(1ULL << 0)
#define XCR0_SSE	(1ULL << 1)
#define XCR0_AVX	(1ULL << 2)
#define XCR0_BNDREGS	(1ULL << 3)
#define XCR0_BNDCSR	(1ULL << 4)
#define XCR0_AVX512_ALL (7ULL << 5) /* opmask, ZMM_Hi256, Hi16_ZMM */

/* The vCPU state a CR write is checked against. */
struct cr_state {
	uint64_t cr0, cr3, cr4, efer;
	bool cs_long; /* CS.L: 64-bit code (not compatibility mode) */
};

/*
 * MOV to CR0 (also LMSW, CLTS, which the CR0 write intercept catches too): false for #GP. Otherwise
 * *cr0 is what to install (reserved low bits dropped, ET set: both read-only on the CPU) and *efer the
 * EFER that follows (LMA = LME && PG when paging is switched).
 */
bool cr0_write(const struct cr_state *s, uint64_t value, uint64_t *cr0, uint64_t *efer);

/*
 * MOV to CR4: false for #GP. `offered` are the bits beyond CR4_BASE_BITS that the cell's CPUID shows
 * (cr4_offered()); on success *cr4 = value.
 */
bool cr4_write(const struct cr_state *s, uint64_t value, uint64_t offered);

/* The CR4 bits a CPU with these CPUID answers has, beyond CR4_BASE_BITS: leaf 7.0 EBX/ECX, leaf 1 ECX. */
uint64_t cr4_offered(uint32_t leaf1_ecx, uint32_t leaf7_ebx, uint32_t leaf7_ecx);

/*
 * XSETBV of `value` into XCR `index` at privilege `cpl`, with `supported` = CPUID 0xd.0 EDX:EAX: false for
 * #GP (CPL != 0, an index other than 0, x87 clear, an unsupported bit, AVX without SSE, half of MPX,
 * AVX-512 without AVX or in part).
 */
bool xcr0_write_ok(unsigned int cpl, uint32_t index, uint64_t value, uint64_t supported);

#endif
