/* The frame the exception stubs build (exceptions.S) and the helpers that print it. */
#ifndef TESSERA_X86_EXCEPTION_H
#define TESSERA_X86_EXCEPTION_H

#include <tessera/compiler.h>

struct x86_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

__noreturn void x86_exception(struct x86_regs *regs);
/* The NMI handler: counts the NMI (the hypervisor sends none), reports the first one, returns. */
void x86_nmi(void);
/* The #MC handler (mce.c): reads and clears the banks, passes the records on, returns. */
void x86_machine_check(struct x86_regs *regs);
/* NMIs the hypervisor has taken, all CPUs. */
uint64_t x86_nmi_count(void);

/* "GP", "PF", ... for exception vectors (the one table of their names); "INTR" above 31. */
const char *x86_vector_mnemonic(unsigned int vector);

/* Print "[cpuN] backtrace:" and one line per frame, starting at (rip, rbp). Console lock held. */
void x86_backtrace_locked(uint64_t rip, uint64_t rbp);

#endif
