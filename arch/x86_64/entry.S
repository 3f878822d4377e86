/*
 * Multiboot (v1) entry. QEMU's -kernel loader puts us at our link address in 32-bit protected mode with
 * paging off, EAX = multiboot magic and EBX = the multiboot info. We build a temporary identity map of the
 * first 4 GiB with 2 MiB pages, switch to long mode and call arch_x86_boot(magic, info) on the boot stack.
 * The C code replaces these tables with the hypervisor's own (W^X) ones.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-align modules, give us the memory map */

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .text.boot, "ax"
	.code32
	.global _start
_start:
	cli
	cld
	movl %eax, boot_mb_magic
	movl %ebx, boot_mb_info

	/* Clear the boot page tables (6 pages: PML4, PDPT, 4 PDs). */
	movl $boot_pml4, %edi
	xorl %eax, %eax
	movl $(6 * 4096 / 4), %ecx
	rep stosl

	/* PML4[0] -> PDPT; PDPT[0..3] -> PD0..PD3; PDn[i] -> 2 MiB page. Flags: P|RW (|PS). */
	movl $boot_pdpt, %eax
	orl $0x3, %eax
	movl %eax, boot_pml4

	movl $boot_pd, %eax
	orl $0x3, %eax
	movl $boot_pdpt, %edi
	movl $4, %ecx
1:	movl %eax, (%edi)
	addl $4096, %eax
	addl $8, %edi
	loop 1b

	movl $boot_pd, %edi
	movl $0x83, %eax  /* P | RW | PS */
	xorl %edx, %edx
	movl $2048, %ecx
2:	movl %eax, (%edi)
	movl %edx, 4(%edi)
	addl $0x200000, %eax
	adcl $0, %edx
	addl $8, %edi
	loop 2b

	/* CR4.PAE, CR3, EFER.LME|NXE, CR0.PG|WP. */
	movl %cr4, %eax
	orl $(1 << 5), %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx
	rdmsr
	orl $((1 << 8) | (1 << 11)), %eax
	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16) | 1), %eax
	movl %eax, %cr0

	lgdt boot_gdt_desc
	ljmp $0x08, $long_mode

	.code64
long_mode:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movq $boot_stack_top, %rsp
	xorq %rbp, %rbp
	movl boot_mb_magic, %edi
	movl boot_mb_info, %esi
	call arch_x86_boot
3:	cli
	hlt
	jmp 3b

	.section .rodata.boot, "a"
	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff /* 0x10: data */
boot_gdt_end:
	.balign 4
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .data.boot, "aw"
	.balign 4
	.global boot_mb_magic, boot_mb_info
boot_mb_magic: .long 0
boot_mb_info: .long 0

	.section .bss.boot, "aw", @nobits
	.balign 4096
	.global boot_pml4
boot_pml4: .skip 4096
boot_pdpt: .skip 4096
boot_pd: .skip 4 * 4096
	/* unmapped in the hypervisor's page tables: a boot stack overflow faults instead of corrupting */
	.global boot_stack_guard, boot_stack, boot_stack_top
boot_stack_guard: .skip 4096
boot_stack: .skip 16384
boot_stack_top:
	/* the boot CPU's NMI, #DF and #MC stacks (cpu.h X86_IST_SIZE), each above its own guard page */
	.global boot_ist
boot_ist: .skip 3 * (4096 + 4096)
