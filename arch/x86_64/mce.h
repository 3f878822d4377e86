/*
 * Machine-check architecture (MCA) on x86: MSR numbers, status bits, the classifier, the #MC handler and
 * the virtual MCA of cells whose policy is `forward` (docs/machine-checks.md).
 */
#ifndef TESSERA_X86_MCE_H
#define TESSERA_X86_MCE_H

#include <tessera/compiler.h>

#define MSR_MCG_CAP	0x179
#define MSR_MCG_STATUS	0x17a
#define MSR_MCG_CTL	0x17b
#define MSR_MC_BANKS	0x400 /* MCi_CTL, MCi_STATUS, MCi_ADDR, MCi_MISC at 0x400 + 4i + 0..3 */
#define MCE_MAX_BANKS	32    /* what the 0x400-0x47f range holds */
#define MCE_BANK_CTL	0
#define MCE_BANK_STATUS 1
#define MCE_BANK_ADDR	2
#define MCE_BANK_MISC	3

#define MCG_CAP_COUNT 0xffULL
#define MCG_CTL_P     (1ULL << 8)
#define MCG_SER_P     (1ULL << 24)

#define MCG_STATUS_RIPV (1ULL << 0) /* the interrupted context may be resumed at the saved RIP */
#define MCG_STATUS_EIPV (1ULL << 1) /* the saved RIP points at the instruction that caused it */
#define MCG_STATUS_MCIP (1ULL << 2) /* a machine check is in progress: a second one shuts down */

#define MCI_STATUS_VAL	 (1ULL << 63)
#define MCI_STATUS_OVER	 (1ULL << 62)
#define MCI_STATUS_UC	 (1ULL << 61)
#define MCI_STATUS_EN	 (1ULL << 60)
#define MCI_STATUS_MISCV (1ULL << 59)
#define MCI_STATUS_ADDRV (1ULL << 58)
#define MCI_STATUS_PCC	 (1ULL << 57)
#define MCI_STATUS_S	 (1ULL << 56)
#define MCI_STATUS_AR	 (1ULL << 55)

#define MCE_SEV_NONE (-1) /* the bank holds nothing (VAL clear) */

/*
 * The MCA rules (Intel SDM vol. 3 ch. 15-16, AMD APM vol. 2 ch. 9): MCE_SEV_NONE or an enum
 * tessera_trace_mce_severity. `ser`: MCG_CAP.SER_P, without which S and AR mean nothing and every
 * signalled uncorrected error is fatal. Pure: host unit tests run it.
 */
int x86_mce_classify(bool ser, uint64_t mcg_status, uint64_t status);

/* Whether `msr` is one of the MCA MSRs (the globals or a bank register, any bank). */
static inline bool x86_mce_msr(uint32_t msr)
{
	return (msr >= MSR_MCG_CAP && msr <= MSR_MCG_CTL) ||
	       (msr >= MSR_MC_BANKS && msr < MSR_MC_BANKS + 4 * MCE_MAX_BANKS);
}

#ifndef TESSERA_HOST
struct vcpu;
struct vcpu_exit;

/* Boot CPU, once: read MCG_CAP (bank count, SER), if the CPU has MCA at all. */
void x86_mce_init(void);
/* The bank count cells see and plans may name. */
unsigned int x86_mce_banks(void);
/*
 * Read every valid bank of the calling CPU into records, clear it, pass each to the hw_error point
 * (normal context, interrupts off). MCG_STATUS.MCIP set means the hardware delivered a signalled one
 * through a guest's IDT (TCG) and the hypervisor learns of it only now, unless `intercepted`: the #MC
 * exited the guest (SVM's #MC intercept, on hardware). Returns the records passed on.
 */
unsigned int x86_mce_poll(bool intercepted);
/* mce_vmce.c: the cell's virtual MCA. Reset for a fresh vCPU; emulate an MCA MSR access (true when
 * emulated, false when the cell has no virtual MCA: a violation). */
void x86_vmce_reset(unsigned int cpu);
bool x86_vmce_msr(struct vcpu *v, const struct vcpu_exit *exit);
#endif

#endif
