/* The MMIO instruction decoder (mmio_decode.h): length and operands of 32-bit MOV loads and stores. */
#include "mmio_decode.h"

#define REX_W 0x8
#define REX_R 0x4

/* Bytes taken by ModRM and what follows it (SIB, displacement); -1 for register operands. */
static int modrm_len(const uint8_t *p, size_t n)
{
	uint8_t modrm, mod, rm;
	int len = 1;

	if (n < 1)
		return -1;
	modrm = p[0];
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3)
		return -1; /* a register, not memory: cannot have faulted on MMIO */
	if (rm == 4) {
		if (n < 2)
			return -1;
		len++;
		if (mod == 0 && (p[1] & 7) == 5)
			len += 4; /* SIB with no base: disp32 */
	} else if (mod == 0 && rm == 5) {
		len += 4; /* RIP-relative */
	}
	if (mod == 1)
		len += 1;
	else if (mod == 2)
		len += 4;
	return len;
}

int mmio_insn_decode(const uint8_t *code, size_t n, struct mmio_insn *insn)
{
	size_t i = 0;
	uint8_t rex = 0, op;
	int ml;

	if (n > MMIO_INSN_MAX)
		n = MMIO_INSN_MAX;
	if (i < n && (code[i] & 0xf0) == 0x40)
		rex = code[i++];
	if (rex & REX_W || i >= n)
		return -1;
	op = code[i++];
	if (op != 0x8b && op != 0x89 && op != 0xc7)
		return -1;
	ml = modrm_len(code + i, n - i);
	if (ml < 0)
		return -1;
	*insn = (struct mmio_insn){.write = op != 0x8b, .reg = ((code[i] >> 3) & 7) | (rex & REX_R ? 8 : 0)};
	if (op == 0xc7) {
		if (((code[i] >> 3) & 7) != 0)
			return -1; /* C7 /0 only */
		if (i + (size_t)ml + 4 > n)
			return -1;
		const uint8_t *imm = code + i + ml;
		insn->has_imm = true;
		insn->imm = imm[0] | imm[1] << 8 | imm[2] << 16 | (uint32_t)imm[3] << 24;
		insn->reg = 0;
		ml += 4;
	}
	if (i + (size_t)ml > n)
		return -1;
	insn->len = (uint8_t)(i + (size_t)ml);
	return 0;
}

bool insn_is_sti_hlt(const uint8_t *code, size_t n)
{
	return n >= 2 && code[0] == 0xfb && code[1] == 0xf4;
}
