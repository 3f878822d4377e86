#include <criterion/criterion.h>

#include "cr.h"
#include "cr_insn.h"

#define CR0_LONG (CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE)
#define LONG_MODE                                                                                      \
	{                                                                                              \
		.cr0 = CR0_LONG, .cr3 = 0x1000, .cr4 = CR4_PAE | CR4_MCE, .efer = EFER_LME | EFER_LMA, \
		.cs_long = true                                                                        \
	}

static bool cr0_ok(const struct cr_state *s, uint64_t value)
{
	uint64_t cr0, efer;
	return cr0_write(s, value, &cr0, &efer);
}

Test(svm_cr, cr0_legal_writes)
{
	struct cr_state s = LONG_MODE;
	uint64_t cr0, efer;

	cr_expect(cr0_write(&s, CR0_LONG | CR0_TS, &cr0, &efer));
	cr_expect_eq(cr0, CR0_LONG | CR0_TS);
	cr_expect_eq(efer, EFER_LME | EFER_LMA);
	cr_expect(cr0_write(&s, CR0_LONG | CR0_CD | CR0_NW, &cr0, &efer), "CD with NW");
	cr_expect(cr0_write(&s, (CR0_LONG & ~CR0_ET) | (1ULL << 7), &cr0, &efer), "ignored bits");
	cr_expect_eq(cr0, CR0_LONG, "ET is read as 1, reserved low bits are dropped");
}

Test(svm_cr, cr0_illegal_writes)
{
	struct cr_state s = LONG_MODE;

	cr_expect(!cr0_ok(&s, CR0_LONG | (1ULL << 32)), "bit 32");
	cr_expect(!cr0_ok(&s, CR0_LONG | CR0_NW), "NW without CD");
	cr_expect(!cr0_ok(&s, CR0_LONG & ~CR0_PE), "PG without PE");
	cr_expect(!cr0_ok(&s, CR0_LONG & ~CR0_PG), "paging off in 64-bit code");
}

Test(svm_cr, cr0_paging_switches_long_mode)
{
	struct cr_state s = {.cr0 = CR0_PE | CR0_ET, .cr4 = CR4_PAE, .efer = EFER_LME};
	uint64_t cr0, efer;

	cr_expect(cr0_write(&s, CR0_PE | CR0_PG, &cr0, &efer));
	cr_expect_eq(efer, EFER_LME | EFER_LMA, "LMA follows LME and PG");
	s.cr4 = 0;
	cr_expect(!cr0_write(&s, CR0_PE | CR0_PG, &cr0, &efer), "long mode without PAE");
	s = (struct cr_state)LONG_MODE;
	s.cs_long = false; /* compatibility mode */
	cr_expect(cr0_write(&s, CR0_PE | CR0_ET, &cr0, &efer));
	cr_expect_eq(efer, EFER_LME, "leaving long mode clears LMA");
}

Test(svm_cr, cr4_writes)
{
	struct cr_state s = LONG_MODE;
	uint64_t offered = CR4_OSXSAVE | CR4_PCIDE | CR4_SMEP;

	cr_expect(cr4_write(&s, CR4_PAE | CR4_MCE | CR4_PGE | CR4_OSXSAVE, offered));
	cr_expect(cr4_write(&s, CR4_PAE, offered), "MCE off is legal (the hypervisor keeps it underneath)");
	cr_expect(!cr4_write(&s, CR4_PAE | (1ULL << 13), offered), "VMXE");
	cr_expect(!cr4_write(&s, CR4_PAE | (1ULL << 32), offered), "bit 32");
	cr_expect(!cr4_write(&s, CR4_PAE | CR4_SMAP, offered), "SMAP not offered");
	cr_expect(!cr4_write(&s, CR4_MCE, offered), "PAE off in long mode");
	cr_expect(!cr4_write(&s, CR4_PAE | CR4_LA57, offered | CR4_LA57), "LA57 change in long mode");
	s.cr3 = 0x2005;
	cr_expect(!cr4_write(&s, CR4_PAE | CR4_PCIDE, offered), "PCIDE with CR3[11:0] != 0");
	s.cr3 = 0x2000;
	cr_expect(cr4_write(&s, CR4_PAE | CR4_PCIDE, offered), "PCIDE with PCID 0");
	s.efer = 0;
	s.cr0 = CR0_PE;
	cr_expect(!cr4_write(&s, CR4_PCIDE, offered), "PCIDE outside long mode");
	cr_expect(cr4_write(&s, 0, offered), "PAE off without long mode");
}

Test(svm_cr, cr4_offered_follows_cpuid)
{
	cr_expect_eq(cr4_offered(0, 0, 0), 0);
	cr_expect_eq(cr4_offered(1u << 26, 0, 0), CR4_OSXSAVE);
	cr_expect_eq(cr4_offered(1u << 17, (1u << 7) | (1u << 20), 1u << 16),
		     CR4_PCIDE | CR4_SMEP | CR4_SMAP | CR4_LA57);
}

Test(svm_cr, xcr0_writes)
{
	uint64_t sup = XCR0_X87 | XCR0_SSE | XCR0_AVX;

	cr_expect(xcr0_write_ok(0, 0, XCR0_X87, sup));
	cr_expect(xcr0_write_ok(0, 0, sup, sup));
	cr_expect(!xcr0_write_ok(3, 0, XCR0_X87, sup), "CPL 3");
	cr_expect(!xcr0_write_ok(0, 1, XCR0_X87, sup), "XCR1");
	cr_expect(!xcr0_write_ok(0, 0, XCR0_SSE, sup), "x87 clear");
	cr_expect(!xcr0_write_ok(0, 0, XCR0_X87 | XCR0_AVX, sup), "AVX without SSE");
	cr_expect(!xcr0_write_ok(0, 0, sup | XCR0_BNDREGS, sup), "unsupported");
	uint64_t all = sup | XCR0_BNDREGS | XCR0_BNDCSR | XCR0_AVX512_ALL;
	cr_expect(xcr0_write_ok(0, 0, all, all));
	cr_expect(!xcr0_write_ok(0, 0, sup | XCR0_BNDREGS, all), "half of MPX");
	cr_expect(!xcr0_write_ok(0, 0, sup | (1ULL << 5), all), "part of AVX-512");
	cr_expect(!xcr0_write_ok(0, 0, XCR0_X87 | XCR0_SSE | XCR0_AVX512_ALL, all), "AVX-512 without AVX");
}

Test(svm_cr, decode)
{
	struct cr_insn in;

	cr_assert_eq(cr_insn_decode((const uint8_t[]){0x0f, 0x22, 0xe0}, 3, &in), 0); /* mov %rax, %cr4 */
	cr_expect(in.kind == CR_INSN_MOV_TO && in.cr == 4 && in.gpr == 0 && in.len == 3);
	cr_assert_eq(cr_insn_decode((const uint8_t[]){0x41, 0x0f, 0x22, 0xc7}, 4, &in), 0); /* %r15 -> cr0 */
	cr_expect(in.kind == CR_INSN_MOV_TO && in.cr == 0 && in.gpr == 15 && in.len == 4);
	cr_assert_eq(cr_insn_decode((const uint8_t[]){0x0f, 0x20, 0xe3}, 3, &in), 0); /* mov %cr4, %rbx */
	cr_expect(in.kind == CR_INSN_MOV_FROM && in.cr == 4 && in.gpr == 3);
	cr_assert_eq(cr_insn_decode((const uint8_t[]){0x44, 0x0f, 0x22, 0xc0}, 4, &in), 0); /* REX.R: cr8 */
	cr_expect(in.cr == 8);
	cr_assert_eq(cr_insn_decode((const uint8_t[]){0x0f, 0x22, 0x20}, 3, &in), 0, "mod bits ignored");
	cr_expect(in.cr == 4 && in.gpr == 0);
	cr_assert_eq(cr_insn_decode((const uint8_t[]){0x0f, 0x06}, 2, &in), 0);
	cr_expect(in.kind == CR_INSN_CLTS && in.len == 2);
	cr_assert_eq(cr_insn_decode((const uint8_t[]){0x0f, 0x01, 0xf1}, 3, &in), 0); /* lmsw %cx */
	cr_expect(in.kind == CR_INSN_LMSW && in.gpr == 1);
	cr_assert_eq(cr_insn_decode((const uint8_t[]){0x66, 0x0f, 0x22, 0xe0}, 4, &in), 0);
	cr_expect(in.len == 4);
	cr_expect_eq(cr_insn_decode((const uint8_t[]){0x0f, 0x01, 0x30}, 3, &in), -1, "lmsw (%rax)");
	cr_expect_eq(cr_insn_decode((const uint8_t[]){0xf0, 0x0f, 0x22, 0xc0}, 4, &in), -1, "LOCK");
	cr_expect_eq(cr_insn_decode((const uint8_t[]){0x0f, 0x22}, 2, &in), -1, "truncated");
	cr_expect_eq(cr_insn_decode((const uint8_t[]){0x90}, 1, &in), -1);
}
