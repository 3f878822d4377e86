/*
 * The hypervisor's own interrupt vectors: the per-CPU timer that backs the virtual APIC timers and the
 * kick IPI that makes a running guest exit. Both only need an EOI: the work happens on the exit path.
 * The spurious vector needs nothing.
 */
	.text
	.global x86_irq_eoi_stub
x86_irq_eoi_stub:
	push %rax
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	cld
	call lapic_eoi
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	iretq

/*
 * With idle=poll the timer and kick vectors come here instead (idle.c): count the interrupt in this CPU's
 * struct x86_cpu (wakeups, %gs:16) so that a CPU polling for one sees it arrive, then EOI as above. The
 * default vectors stay on x86_irq_eoi_stub, so without the option no instruction is added to any path.
 */
	.global x86_irq_count_stub
x86_irq_count_stub:
	incq %gs:16
	jmp x86_irq_eoi_stub

	.global x86_irq_spurious_stub
x86_irq_spurious_stub:
	iretq
