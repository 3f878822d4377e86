/*
 * Entry stubs for the 32 exception vectors. Each stub makes the frame uniform (a dummy error code where the
 * CPU pushes none), pushes its vector and the general registers, and calls x86_exception(frame), which
 * never returns. The layout must match struct x86_regs in exception.h. NMI (vector 2) has its own stub:
 * an NMI is not a fault of the hypervisor, it is counted and the CPU returns to what it was doing; so
 * has #MC (vector 18), which is handled (mce.c).
 */

	.section .text
/* The general registers in struct x86_regs order (RAX pushed first, R15 last: at the lowest address). */
	.macro push_gprs
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	.endm

	.macro pop_gprs
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	.endm

	.macro stub v
	.balign 16
x86_exc_stub_\v:
	.if !((\v == 8) || (\v == 10) || (\v == 11) || (\v == 12) || (\v == 13) || (\v == 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30))
	pushq $0
	.endif
	pushq $\v
	jmp x86_exc_common
	.endm

	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	stub \v
	.endr

x86_exc_common:
	cld
	push_gprs
	movq %rsp, %rdi
	andq $-16, %rsp
	xorl %ebp, %ebp /* the C handler's own frame chain ends here; it walks the faulting context instead */
	call x86_exception
1:	cli
	hlt
	jmp 1b

/*
 * NMI, on its own IST stack (idt.c). The CPU pushed 5 words on a 16-byte aligned stack: 9 more pushes
 * leave it aligned for the call. Only the registers a C call may clobber are saved.
 */
	.balign 16
x86_nmi_stub:
	cld
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	call x86_nmi
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	iretq

/*
 * #MC, on its own IST stack (idt.c): a machine check is handled and the CPU returns to what it was
 * doing (mce.c), unless the error cannot be contained. The frame is the exception stubs' (struct
 * x86_regs): 5 words from the CPU, 2 here, 15 registers leave the stack 16-byte aligned for the call.
 */
	.balign 16
x86_mc_stub:
	pushq $0
	pushq $18
	cld
	push_gprs
	movq %rsp, %rdi
	call x86_machine_check
	pop_gprs
	addq $16, %rsp
	iretq

	.section .rodata
	.balign 8
	.global x86_exc_stubs
x86_exc_stubs:
	.irp v, 0,1
	.quad x86_exc_stub_\v
	.endr
	.quad x86_nmi_stub
	.irp v, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17
	.quad x86_exc_stub_\v
	.endr
	.quad x86_mc_stub
	.irp v, 19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad x86_exc_stub_\v
	.endr
