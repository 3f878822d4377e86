/*
 * svm_vmrun(gprs): one guest entry and exit, inlined into arch_vcpu_run (a called routine had to save and
 * restore the six callee-saved registers and its own frame on every exit; inline, the compiler keeps only
 * what arch_vcpu_run needs).
 *
 * VMRUN swaps only RAX, RSP, RIP and the VMCB state: the other general registers are loaded from /
 * stored to gprs[16] here (index = x86 register number). The RAX and RSP slots hold the operands instead
 * (svm.h): gprs[0] the guest VMCB's physical address, gprs[4] the host save area's. VMLOAD / VMSAVE
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

static inline void svm_vmrun(uint64_t *gprs)
{
	__asm__ volatile("clgi\n\t"
			 "sti\n\t"
			 "push %%rbp\n\t"
			 "push %%rdi\n\t" /* gprs, for after the exit */
			 "mov 8*0(%%rdi), %%rax\n\t"
			 "mov 8*1(%%rdi), %%rcx\n\t"
			 "mov 8*2(%%rdi), %%rdx\n\t"
			 "mov 8*3(%%rdi), %%rbx\n\t"
			 "mov 8*5(%%rdi), %%rbp\n\t"
			 "mov 8*6(%%rdi), %%rsi\n\t"
			 "mov 8*8(%%rdi), %%r8\n\t"
			 "mov 8*9(%%rdi), %%r9\n\t"
			 "mov 8*10(%%rdi), %%r10\n\t"
			 "mov 8*11(%%rdi), %%r11\n\t"
			 "mov 8*12(%%rdi), %%r12\n\t"
			 "mov 8*13(%%rdi), %%r13\n\t"
			 "mov 8*14(%%rdi), %%r14\n\t"
			 "mov 8*15(%%rdi), %%r15\n\t"
			 "mov 8*7(%%rdi), %%rdi\n\t"
			 "vmload\n\t"
			 "vmrun\n\t"
			 "vmsave\n\t"		  /* rax is the guest VMCB again after the exit */
			 "mov (%%rsp), %%rax\n\t" /* gprs (the guest's rax is in its VMCB) */
			 "mov %%rcx, 8*1(%%rax)\n\t"
			 "mov %%rdx, 8*2(%%rax)\n\t"
			 "mov %%rbx, 8*3(%%rax)\n\t"
			 "mov %%rbp, 8*5(%%rax)\n\t"
			 "mov %%rsi, 8*6(%%rax)\n\t"
			 "mov %%rdi, 8*7(%%rax)\n\t"
			 "mov %%r8, 8*8(%%rax)\n\t"
			 "mov %%r9, 8*9(%%rax)\n\t"
			 "mov %%r10, 8*10(%%rax)\n\t"
			 "mov %%r11, 8*11(%%rax)\n\t"
			 "mov %%r12, 8*12(%%rax)\n\t"
			 "mov %%r13, 8*13(%%rax)\n\t"
			 "mov %%r14, 8*14(%%rax)\n\t"
			 "mov %%r15, 8*15(%%rax)\n\t"
			 "mov 8*4(%%rax), %%rax\n\t" /* the host save area */
			 "vmload\n\t"
			 "add $8, %%rsp\n\t"
			 "pop %%rbp\n\t"
			 "stgi\n\t"
			 "nop\n\t"
			 "cli"
			 : "+D"(gprs)
			 :
			 : "rax", "rbx", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
			   "r15", "memory", "cc");
}

#endif
