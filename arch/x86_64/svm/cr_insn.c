/* Decoding MOV CRn, LMSW and CLTS (cr_insn.h). */
#include "cr_insn.h"

static int is_legacy_prefix(uint8_t b)
{
	return b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 || b == 0x2e || b == 0x36 || b == 0x3e ||
	       b == 0x26 || b == 0x64 || b == 0x65;
}

int cr_insn_decode(const uint8_t *code, size_t n, struct cr_insn *insn)
{
	size_t i = 0;
	uint8_t rex = 0;

	while (i < n && i < 14 && is_legacy_prefix(code[i]))
		i++;
	if (i < n && (code[i] & 0xf0) == 0x40)
		rex = code[i++];
	if (i + 2 > n || code[i] != 0x0f)
		return -1;
	uint8_t op = code[i + 1];
	if (op == 0x06) {
		*insn = (struct cr_insn){.kind = CR_INSN_CLTS, .len = (uint8_t)(i + 2)};
		return 0;
	}
	if (i + 3 > n)
		return -1;
	uint8_t modrm = code[i + 2], reg = (modrm >> 3) & 7, rm = modrm & 7;
	uint8_t r = (uint8_t)(reg | (rex & 4 ? 8 : 0)), b = (uint8_t)(rm | (rex & 1 ? 8 : 0));
	switch (op) {
	case 0x20:
	case 0x22:
		*insn = (struct cr_insn){.kind = op == 0x22 ? CR_INSN_MOV_TO : CR_INSN_MOV_FROM,
					 .len = (uint8_t)(i + 3),
					 .cr = r,
					 .gpr = b};
		return 0;
	case 0x01:
		if (reg != 6 || (modrm >> 6) != 3)
			return -1; /* not LMSW, or LMSW from memory */
		*insn = (struct cr_insn){.kind = CR_INSN_LMSW, .len = (uint8_t)(i + 3), .gpr = b};
		return 0;
	default: return -1;
	}
}
