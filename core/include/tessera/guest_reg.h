/*
 * Guest registers by arch-neutral name, the one table of them: fault injection names a register in a
 * plan by these names, and arch code gets and sets each (arch_vcpu_reg_get/set in arch.h). An arch that
 * lacks a register answers -HV_ENOTSUP; x86_64 has them all.
 *
 * X(NAME, name)
 */
#ifndef TESSERA_GUEST_REG_H
#define TESSERA_GUEST_REG_H

#define TESSERA_GUEST_REGS(X) \
	X(RAX, rax)           \
	X(RBX, rbx)           \
	X(RCX, rcx)           \
	X(RDX, rdx)           \
	X(RSI, rsi)           \
	X(RDI, rdi)           \
	X(RBP, rbp)           \
	X(RSP, rsp)           \
	X(R8, r8)             \
	X(R9, r9)             \
	X(R10, r10)           \
	X(R11, r11)           \
	X(R12, r12)           \
	X(R13, r13)           \
	X(R14, r14)           \
	X(R15, r15)           \
	X(RIP, rip)           \
	X(RFLAGS, rflags)     \
	X(CR0, cr0)           \
	X(CR2, cr2)           \
	X(CR3, cr3)           \
	X(CR4, cr4)

enum guest_reg {
#define GUEST_REG_ENUM(NAME, name) GUEST_REG_##NAME,
	TESSERA_GUEST_REGS(GUEST_REG_ENUM)
#undef GUEST_REG_ENUM
		GUEST_REG_COUNT
};

#endif
