/*
 * Cell entry (abi/cell_boot.h): every CPU of the cell starts here in 64-bit mode with RDI = boot info,
 * RSI = CPU index in the cell, RSP = 0. CPU 0 zeroes .bss before any CPU touches its stack (the stacks
 * live in .bss); the others wait on a flag in .data, which the image loader initialises.
 */
#define STACK_SHIFT 14 /* RUNTIME_STACK_SIZE */
#define MAX_CPUS    16 /* RUNTIME_MAX_CPUS */

	.section .text.boot, "ax"
	.code64
	.globl _start
_start:
	cli
	cld
	cmp $MAX_CPUS, %rsi
	jae 3f
	test %rsi, %rsi
	jnz 1f
	/* CPU 0: zero .bss with no stack */
	mov %rdi, %r8
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %rdi, %rcx
	xor %eax, %eax
	rep stosb
	mov %r8, %rdi
	movl $1, bss_ready(%rip)
	jmp 2f
1:	pause
	cmpl $0, bss_ready(%rip)
	je 1b
2:	/* RSP = top of this CPU's stack */
	lea 1(%rsi), %rax
	shl $STACK_SHIFT, %rax
	lea runtime_stacks(%rip), %rsp
	add %rax, %rsp
	xor %ebp, %ebp
	call runtime_start
3:	cli
	hlt
	jmp 3b

	.section .data
	.balign 4
bss_ready:
	.long 0

	.section .note.GNU-stack, "", @progbits
