/* The MMIO decoder on byte sequences that gcc and clang emit for volatile 32-bit accesses. */
#include <criterion/criterion.h>

#include "mmio_decode.h"

static struct mmio_insn d(const uint8_t *b, size_t n, int expect)
{
	struct mmio_insn i = {0};
	cr_assert_eq(mmio_insn_decode(b, n, &i), expect);
	return i;
}

Test(mmio_decode, loads)
{
	/* mov eax, [rdx+0x300] */
	struct mmio_insn i = d((const uint8_t[]){0x8b, 0x82, 0x00, 0x03, 0x00, 0x00}, 6, 0);
	cr_expect_eq(i.len, 6);
	cr_expect(!i.write);
	cr_expect_eq(i.reg, 0);
	/* mov r9d, [rax] */
	i = d((const uint8_t[]){0x44, 0x8b, 0x08}, 3, 0);
	cr_expect_eq(i.len, 3);
	cr_expect_eq(i.reg, 9);
	/* mov ecx, [rip+disp32] */
	i = d((const uint8_t[]){0x8b, 0x0d, 1, 2, 3, 4}, 6, 0);
	cr_expect_eq(i.len, 6);
	cr_expect_eq(i.reg, 1);
	/* mov edx, [rsp+8] (SIB, disp8) */
	i = d((const uint8_t[]){0x8b, 0x54, 0x24, 0x08}, 4, 0);
	cr_expect_eq(i.len, 4);
	cr_expect_eq(i.reg, 2);
	/* mov eax, [0xfee00030] (SIB without base, disp32) */
	i = d((const uint8_t[]){0x8b, 0x04, 0x25, 0x30, 0x00, 0xe0, 0xfe}, 7, 0);
	cr_expect_eq(i.len, 7);
}

Test(mmio_decode, stores)
{
	/* mov [rdx+0xb0], esi */
	struct mmio_insn i = d((const uint8_t[]){0x89, 0xb2, 0xb0, 0x00, 0x00, 0x00}, 6, 0);
	cr_expect(i.write);
	cr_expect(!i.has_imm);
	cr_expect_eq(i.reg, 6);
	cr_expect_eq(i.len, 6);
	/* mov dword [rax+0x380], 0x12345678 */
	i = d((const uint8_t[]){0xc7, 0x80, 0x80, 0x03, 0, 0, 0x78, 0x56, 0x34, 0x12}, 10, 0);
	cr_expect(i.write);
	cr_expect(i.has_imm);
	cr_expect_eq(i.imm, 0x12345678);
	cr_expect_eq(i.len, 10);
	/* mov [rax], r12d */
	i = d((const uint8_t[]){0x44, 0x89, 0x20}, 3, 0);
	cr_expect_eq(i.reg, 12);
}

Test(mmio_decode, refused_forms)
{
	d((const uint8_t[]){0x48, 0x8b, 0x00}, 3, -1);		   /* 64-bit load */
	d((const uint8_t[]){0x66, 0x8b, 0x00}, 3, -1);		   /* 16-bit */
	d((const uint8_t[]){0x8a, 0x00}, 2, -1);		   /* 8-bit load */
	d((const uint8_t[]){0x8b, 0xc0}, 2, -1);		   /* register operand */
	d((const uint8_t[]){0xc7, 0x48, 0x10, 1, 2, 3, 4}, 7, -1); /* C7 /1 */
	d((const uint8_t[]){0x8b, 0x82, 0x00}, 3, -1);		   /* truncated */
	d((const uint8_t[]){0x0f, 0x10, 0x00}, 3, -1);		   /* movups */
}

Test(mmio_decode, only_sti_then_hlt_is_a_wakeup_hlt)
{
	cr_expect(insn_is_sti_hlt((const uint8_t[]){0xfb, 0xf4}, 2));
	cr_expect_not(insn_is_sti_hlt((const uint8_t[]){0x90, 0xf4}, 2), "plain hlt, interrupts already on");
	cr_expect_not(insn_is_sti_hlt((const uint8_t[]){0xfb, 0x90}, 2));
	cr_expect_not(insn_is_sti_hlt((const uint8_t[]){0xfb}, 1));
}
