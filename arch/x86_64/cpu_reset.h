/*
 * The guest state that lives in the CPU, not in the VMCB: a partitioning hypervisor never switches it (one
 * vCPU per CPU, and the hypervisor itself uses no FPU, debug registers or XCR0), so whatever a cell left
 * there stays for its next run unless it is reset. What the VMCB holds (control and segment registers,
 * CR2, EFER, DR6/DR7, PAT, the SYSCALL/SYSENTER MSRs, KernelGsBase) is reset by rewriting the VMCB.
 */
#ifndef TESSERA_X86_CPU_RESET_H
#define TESSERA_X86_CPU_RESET_H

/*
 * On the vCPU's own CPU, before a cell (re)starts on it: x87, SSE, AVX and every other XSAVE component to
 * their init state (FCW 0x37f, MXCSR 0x1f80, registers zero), XCR0 = 1, IA32_XSS = 0 (with XSAVES), DR0-DR3 = 0, TSC_AUX = 0, PAT (the CPU's, which QEMU's TCG lets a cell write
 * despite nested paging's G_PAT) = its power-on value, as after
 * a CPU reset (AMD APM vol. 2, "Processor Initialization State").
 */
void x86_cpu_guest_state_reset(void);

/* Set XCR0 to `value` (already validated) on this CPU: the guest's XCR0 is the CPU's own. */
void x86_cpu_set_xcr0(uint64_t value);

#endif
