/*
 * bool user_try(fault_fn fn, void *arg, struct fault_info *info)   (guest/user.h)
 *
 * Laid out like fault_try (vectors.S): the callee-saved registers go on the kernel stack and user_arm()
 * records the stack pointer below them; an IRETQ then enters user_entry at CPL 3. The way back is the
 * exception path: fn's return (INT USER_RETURN_VECTOR) or its fault reaches exception_handle on the
 * kernel stack (TSS.RSP0 = that same stack pointer, below which the CPU pushes its frame), which rewrites
 * the frame to resume at user_try_recover at CPL 0 with RAX = 1 for a fault, 0 for a return.
 */
#define USER_DS		   (0x18 | 3)
#define USER_CS		   (0x20 | 3)
#define USER_RETURN_VECTOR 0xf1

	.text
	.code64
	.globl user_try
	.globl user_try_recover
user_try:
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
	call user_arm		/* returns the top of this CPU's user stack */
	pushq $USER_DS
	push %rax
	pushfq
	andq $~0x3000, (%rsp)	/* IOPL 0: port I/O and CLI/STI at CPL 3 fault */
	pushq $USER_CS
	lea user_entry(%rip), %rax
	push %rax
	mov %r12, %rax
	mov %r13, %rdi
	iretq
user_try_recover:
	mov $0x10, %ecx		/* the data segments became null at CPL 3 */
	mov %ecx, %ds
	mov %ecx, %es
	mov %ecx, %fs
	mov %ecx, %gs
	add $8, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

/* At CPL 3: RAX = fn, RDI = arg; the stack is 16-byte aligned. */
user_entry:
	call *%rax
	mov %rax, %rdi
	int $USER_RETURN_VECTOR
	ud2

	.section .note.GNU-stack, "", @progbits
