/*
 * void svm_vmrun(uint64_t *gprs)
 *
 * VMRUN swaps only RAX, RSP, RIP and the VMCB state: the other general registers are loaded from /
 * stored to gprs[16] here (index = x86 register number). The RAX and RSP slots hold this routine's
 * operands instead (svm.h): gprs[0] the guest VMCB's physical address, gprs[4] the host save area's.
 * VMLOAD / VMSAVE around VMRUN swap the state VMRUN leaves alone (FS, GS, TR, LDTR, KernelGsBase, STAR,
 * SYSENTER), so a cell never sees or changes the hypervisor's: the guest's is loaded before and saved
 * after, the host's loaded after (saved once by arch_vcpu_reset: the hypervisor never changes it). The
 * caller runs with GIF=0 (CLGI). Lean on purpose: it runs on every exit (docs/performance.md).
 */
	.text
	.global svm_vmrun
	.type svm_vmrun, @function
svm_vmrun:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi		/* gprs, for after the exit */

	mov 8*0(%rdi), %rax	/* the guest VMCB */
	mov 8*1(%rdi), %rcx
	mov 8*2(%rdi), %rdx
	mov 8*3(%rdi), %rbx
	mov 8*5(%rdi), %rbp
	mov 8*6(%rdi), %rsi
	mov 8*8(%rdi), %r8
	mov 8*9(%rdi), %r9
	mov 8*10(%rdi), %r10
	mov 8*11(%rdi), %r11
	mov 8*12(%rdi), %r12
	mov 8*13(%rdi), %r13
	mov 8*14(%rdi), %r14
	mov 8*15(%rdi), %r15
	mov 8*7(%rdi), %rdi

	vmload
	vmrun
	vmsave			/* rax is the guest VMCB again after the exit */

	mov (%rsp), %rax	/* gprs (the guest's rax is in its VMCB) */
	mov %rcx, 8*1(%rax)
	mov %rdx, 8*2(%rax)
	mov %rbx, 8*3(%rax)
	mov %rbp, 8*5(%rax)
	mov %rsi, 8*6(%rax)
	mov %rdi, 8*7(%rax)
	mov %r8, 8*8(%rax)
	mov %r9, 8*9(%rax)
	mov %r10, 8*10(%rax)
	mov %r11, 8*11(%rax)
	mov %r12, 8*12(%rax)
	mov %r13, 8*13(%rax)
	mov %r14, 8*14(%rax)
	mov %r15, 8*15(%rax)
	mov 8*4(%rax), %rax	/* the host save area */
	vmload

	add $8, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
	.size svm_vmrun, . - svm_vmrun
