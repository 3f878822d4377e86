/*
 * Decoding the instruction behind a CR access intercept. QEMU's TCG offers no decode assists: EXITINFO1
 * of a CR exit is 0 (no GPR number), so the instruction is read from guest memory at RIP and decoded:
 *   [prefixes] [REX] 0F 22 /r     MOV CRn, r64     (the ModRM mod bits are ignored, as the CPU does)
 *   [prefixes] [REX] 0F 20 /r     MOV r64, CRn
 *   [prefixes] [REX] 0F 01 /6     LMSW r16 (register form; a memory operand is not decoded)
 *              0F 06              CLTS
 * Legacy prefixes other than LOCK are skipped (they do not change these instructions); LOCK MOV CR0 (the
 * AMD CR8 alias) is refused.
 */
#ifndef TESSERA_X86_SVM_CR_INSN_H
#define TESSERA_X86_SVM_CR_INSN_H

#include <stddef.h>
#include <stdint.h>

enum cr_insn_kind { CR_INSN_MOV_TO, CR_INSN_MOV_FROM, CR_INSN_LMSW, CR_INSN_CLTS };

struct cr_insn {
	enum cr_insn_kind kind;
	uint8_t len; /* bytes, to advance RIP */
	uint8_t cr;  /* the control register (0 for LMSW and CLTS) */
	uint8_t gpr; /* 0-15, x86 numbering (not for CLTS) */
};

/* 0, or -1 when the bytes are none of these forms. */
int cr_insn_decode(const uint8_t *code, size_t n, struct cr_insn *insn);

#endif
