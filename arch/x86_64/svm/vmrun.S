/*
 * void svm_vmrun(uint64_t *gprs, uint64_t vmcb_pa, uint64_t host_save_pa)
 *
 * VMRUN swaps only RAX, RSP, RIP and the VMCB state (docs/qemu-facts.md): the other general registers are
 * loaded from / stored to gprs[16] (index = x86 register number; rax and rsp slots unused) here. VMSAVE /
 * VMLOAD around VMRUN swap the state VMRUN leaves alone (FS, GS, TR, LDTR, KernelGsBase, STAR,
 * SYSENTER), so a cell never sees or changes the hypervisor's. The caller runs with GIF=0 (CLGI).
 */
	.text
	.global svm_vmrun
svm_vmrun:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi		/* gprs */
	push %rdx		/* host save area */
	push %rsi		/* guest VMCB */

	mov %rdx, %rax
	vmsave			/* host FS/GS/TR/... */

	mov %rsi, %rax
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

	push %rdi
	mov 8*3(%rsp), %rdi	/* gprs: above guest rdi, VMCB, host save */
	mov %rcx, 8*1(%rdi)
	mov %rdx, 8*2(%rdi)
	mov %rbx, 8*3(%rdi)
	mov %rbp, 8*5(%rdi)
	mov %rsi, 8*6(%rdi)
	mov %r8, 8*8(%rdi)
	mov %r9, 8*9(%rdi)
	mov %r10, 8*10(%rdi)
	mov %r11, 8*11(%rdi)
	mov %r12, 8*12(%rdi)
	mov %r13, 8*13(%rdi)
	mov %r14, 8*14(%rdi)
	mov %r15, 8*15(%rdi)
	pop %rax
	mov %rax, 8*7(%rdi)

	add $8, %rsp		/* guest VMCB */
	pop %rax		/* host save area */
	vmload
	pop %rdi
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
