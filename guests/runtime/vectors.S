/*
 * One 16-byte stub per IDT vector: push a zero error code where the CPU pushes none, push the vector, then
 * save the general registers and call exception_handle(struct exception_frame *). The handler may rewrite
 * the frame (fault_try's recovery does), so everything is restored from it.
 */
	.text
	.code64
	.balign 16
	.globl exception_stubs
exception_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp exception_common
	.set vec, vec + 1
	.endr

exception_common:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	call exception_handle
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp
	iretq

/*
 * bool fault_try(fault_fn fn, void *arg, struct fault_info *info)
 * Saves the callee-saved registers on the stack and arms recovery with the stack pointer below them; a
 * fault makes the handler resume at fault_try_recover with that stack pointer and RAX = 1.
 */
	.globl fault_try
	.globl fault_try_recover
fault_try:
	push %rbp
	mov %rsp, %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	sub $8, %rsp
	mov %rdi, %r12
	mov %rsi, %r13
	mov %rdx, %rdi
	mov %rsp, %rsi
	call fault_arm
	mov %r13, %rdi
	call *%r12
	mov %rax, %rdi
	call fault_disarm
	xor %eax, %eax
fault_try_recover:
	add $8, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

	.section .note.GNU-stack, "", @progbits
