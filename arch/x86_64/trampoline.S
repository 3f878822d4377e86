/*
 * Real-mode start code of the application processors. smp.c copies it to a free page below 1 MiB and patches
 * the fields marked "patched"; a SIPI starts each AP at its first byte with CS = page >> 4, IP = 0. It goes
 * to protected mode, then to long mode on the hypervisor's page tables, and jumps to x86_ap_start64 in the
 * hypervisor's text (the trampoline page is mapped R-X while APs start, so the instructions between
 * enabling paging and that jump can be fetched).
 */
#define REL(x) ((x) - x86_trampoline_start)

	.section .rodata
	.balign 16
	.global x86_trampoline_start, x86_trampoline_end
	.global x86_tr_gdt_base, x86_tr_pm_target, x86_tr_cr3, x86_tr_lm_target
	.code16
x86_trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	xorl %ebx, %ebx
	movw %ax, %bx
	shll $4, %ebx			/* ebx = linear address of the trampoline */
	lgdtl REL(tr_gdt_desc)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl *REL(x86_tr_pm_target)

	.code32
tr_pm:	/* REL(tr_pm) + base is patched into x86_tr_pm_target */
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $(1 << 5), %eax		/* PAE */
	movl %eax, %cr4
	movl REL(x86_tr_cr3)(%ebx), %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx
	rdmsr
	orl $((1 << 8) | (1 << 11)), %eax /* LME, NXE */
	wrmsr
	movl %cr0, %eax
	andl $~((1 << 30) | (1 << 29)), %eax /* INIT leaves caches off (CD, NW): turn them on */
	orl $((1 << 31) | (1 << 16) | 1), %eax /* PG, WP, PE */
	movl %eax, %cr0
	ljmpl *REL(x86_tr_lm_target)(%ebx)

	.balign 8
tr_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: flat data */
	.quad 0x00cf9a000000ffff	/* 0x18: flat 32-bit code */
tr_gdt_end:
tr_gdt_desc:
	.word tr_gdt_end - tr_gdt - 1
x86_tr_gdt_base:
	.long 0				/* patched: linear address of tr_gdt */
	.balign 4
x86_tr_pm_target:
	.long 0				/* patched: linear address of tr_pm */
	.word 0x18
	.balign 4
x86_tr_lm_target:
	.long 0				/* patched: x86_ap_start64 */
	.word 0x08
	.balign 4
x86_tr_cr3:
	.long 0				/* patched: the hypervisor's page tables (below 4 GiB) */
	.global x86_tr_pm_offset, x86_tr_gdt_offset
x86_trampoline_end:

	.balign 4
x86_tr_pm_offset: .long REL(tr_pm)
x86_tr_gdt_offset: .long REL(tr_gdt)

	/* 64-bit entry, in the hypervisor's text: stack and CPU index come from smp.c. */
	.section .text
	.code64
	.global x86_ap_start64
x86_ap_start64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq x86_ap_boot_stack(%rip), %rsp
	movl x86_ap_boot_cpu(%rip), %edi
	xorl %ebp, %ebp
	call x86_ap_main
1:	cli
	hlt
	jmp 1b
