/*
 * svm_vmrun(gprs): one guest entry and exit, inlined into arch_vcpu_run (a called routine had to save and
 * restore the six callee-saved registers and its own frame on every exit; inline, the compiler keeps only
 * what arch_vcpu_run needs).
 *
 * VMRUN swaps only RAX, RSP, RIP and the VMCB state: the other general registers are loaded from /
 * stored to gprs[] here, by slot (enum gpr_slot, svm.h), which also holds the two operands: the guest
 * VMCB's physical address and the host save area's. VMLOAD / VMSAVE
 * around VMRUN swap the state VMRUN leaves alone (FS, GS, TR, LDTR, KernelGsBase, STAR, SYSENTER), so a
 * cell never sees or changes the hypervisor's: the guest's is loaded before and saved after, the host's
 * loaded after (saved once by arch_vcpu_reset: the hypervisor never changes it).
 *
 * CLGI; STI before: IF=1 with GIF=0, so physical interrupts exit the guest (V_INTR_MASKING uses the
 * host's IF) and are taken by the host at the STGI after the exit, once the host state is back (the NOP
 * is the one-instruction window for them); CLI after. RBP is the frame pointer and cannot be named as
 * clobbered: it is pushed and popped around the guest's; every other register is clobbered.
 */
#ifndef TESSERA_X86_SVM_VMRUN_H
#define TESSERA_X86_SVM_VMRUN_H

#include <stdint.h>

#include "svm.h"

#define SVM_GPR_OFF(slot) [slot] "i"(8 * (slot))

static inline void svm_vmrun(uint64_t *gprs)
{
	__asm__ volatile("clgi\n\t"
			 "sti\n\t"
			 "push %%rbp\n\t"
			 "push %%rdi\n\t" /* gprs, for after the exit */
			 "mov %c[GPR_SLOT_VMCB](%%rdi), %%rax\n\t"
			 "mov %c[GPR_RCX](%%rdi), %%rcx\n\t"
			 "mov %c[GPR_RDX](%%rdi), %%rdx\n\t"
			 "mov %c[GPR_RBX](%%rdi), %%rbx\n\t"
			 "mov %c[GPR_RBP](%%rdi), %%rbp\n\t"
			 "mov %c[GPR_RSI](%%rdi), %%rsi\n\t"
			 "mov %c[GPR_R8](%%rdi), %%r8\n\t"
			 "mov %c[GPR_R9](%%rdi), %%r9\n\t"
			 "mov %c[GPR_R10](%%rdi), %%r10\n\t"
			 "mov %c[GPR_R11](%%rdi), %%r11\n\t"
			 "mov %c[GPR_R12](%%rdi), %%r12\n\t"
			 "mov %c[GPR_R13](%%rdi), %%r13\n\t"
			 "mov %c[GPR_R14](%%rdi), %%r14\n\t"
			 "mov %c[GPR_R15](%%rdi), %%r15\n\t"
			 "mov %c[GPR_RDI](%%rdi), %%rdi\n\t"
			 "vmload\n\t"
			 "vmrun\n\t"
			 "vmsave\n\t"		  /* rax is the guest VMCB again after the exit */
			 "mov (%%rsp), %%rax\n\t" /* gprs (the guest's rax is in its VMCB) */
			 "mov %%rcx, %c[GPR_RCX](%%rax)\n\t"
			 "mov %%rdx, %c[GPR_RDX](%%rax)\n\t"
			 "mov %%rbx, %c[GPR_RBX](%%rax)\n\t"
			 "mov %%rbp, %c[GPR_RBP](%%rax)\n\t"
			 "mov %%rsi, %c[GPR_RSI](%%rax)\n\t"
			 "mov %%rdi, %c[GPR_RDI](%%rax)\n\t"
			 "mov %%r8, %c[GPR_R8](%%rax)\n\t"
			 "mov %%r9, %c[GPR_R9](%%rax)\n\t"
			 "mov %%r10, %c[GPR_R10](%%rax)\n\t"
			 "mov %%r11, %c[GPR_R11](%%rax)\n\t"
			 "mov %%r12, %c[GPR_R12](%%rax)\n\t"
			 "mov %%r13, %c[GPR_R13](%%rax)\n\t"
			 "mov %%r14, %c[GPR_R14](%%rax)\n\t"
			 "mov %%r15, %c[GPR_R15](%%rax)\n\t"
			 "mov %c[GPR_SLOT_HOST_SAVE](%%rax), %%rax\n\t" /* the host save area */
			 "vmload\n\t"
			 "add $8, %%rsp\n\t"
			 "pop %%rbp\n\t"
			 "stgi\n\t"
			 "nop\n\t"
			 "cli"
			 : "+D"(gprs)
			 : SVM_GPR_OFF(GPR_RDI), SVM_GPR_OFF(GPR_RSI), SVM_GPR_OFF(GPR_RDX),
			   SVM_GPR_OFF(GPR_RCX), SVM_GPR_OFF(GPR_RBX), SVM_GPR_OFF(GPR_RBP),
			   SVM_GPR_OFF(GPR_R8), SVM_GPR_OFF(GPR_R9), SVM_GPR_OFF(GPR_R10),
			   SVM_GPR_OFF(GPR_R11), SVM_GPR_OFF(GPR_R12), SVM_GPR_OFF(GPR_R13),
			   SVM_GPR_OFF(GPR_R14), SVM_GPR_OFF(GPR_R15), SVM_GPR_OFF(GPR_SLOT_VMCB),
			   SVM_GPR_OFF(GPR_SLOT_HOST_SAVE)
			 : "rax", "rbx", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
			   "r15", "memory", "cc");
}

#undef SVM_GPR_OFF

#endif
