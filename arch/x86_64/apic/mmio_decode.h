/*
 * Decoding the instruction that touched an emulated MMIO page (the xAPIC page). Only the forms compilers
 * emit for 32-bit volatile accesses are accepted; anything else is refused and the access becomes a
 * violation:
 *   [REX] 8B /r        mov r32, r/m32     (load)
 *   [REX] 89 /r        mov r/m32, r32     (store)
 *   [REX] C7 /0 id     mov r/m32, imm32   (store)
 * with every ModRM/SIB/displacement form, RIP-relative included. REX.W (64-bit) and operand-size or
 * segment prefixes are refused: the xAPIC registers are 32 bits wide.
 */
#ifndef TESSERA_X86_MMIO_DECODE_H
#define TESSERA_X86_MMIO_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MMIO_INSN_MAX 15

struct mmio_insn {
	uint8_t len;  /* bytes, so that RIP can be advanced */
	bool write;   /* store */
	bool has_imm; /* store of `imm` rather than of register `reg` */
	uint8_t reg;  /* 0-15 (x86 numbering: RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8...) */
	uint32_t imm;
};

/* Decode the bytes at the faulting RIP (`n` of them readable). 0, or -1 for a form we do not emulate. */
int mmio_insn_decode(const uint8_t *code, size_t n, struct mmio_insn *insn);

/* `code` holds the byte before RIP, then RIP's: is it `sti` (0xfb) right before `hlt` (0xf4)? (A longer
 * instruction ending in 0xfb would match too; compilers do not put one before a hlt.) */
bool insn_is_sti_hlt(const uint8_t *code, size_t n);

#endif
