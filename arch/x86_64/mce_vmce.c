/*
 * The virtual MCA of a cell whose policy is `forward`, modelled on Xen's vMCE: per vCPU a virtual
 * MCG_CAP (the machine's bank count, MCG_CTL_P, SER_P), MCG_STATUS, MCG_CTL and MCi_CTL/STATUS/ADDR/MISC
 * for every bank. A forwarded record lands in the bank of the same number with MCG_STATUS.MCIP set, and
 * a virtual #MC is injected before the vCPU's next entry (svm_irq.c); the guest's handler reads the
 * record back through RDMSR, clears MCi_STATUS and MCG_STATUS as on hardware, and returns. Cells with
 * another policy have no MCA MSRs: an access is a violation, as the config checker's platform table says.
 *
 * Every MCA MSR access of any cell first polls this CPU's banks: under TCG a machine check raised while
 * the guest ran went through its IDT (docs/machine-checks.md), and the guest's handler reading MCG_STATUS is the
 * first the hypervisor hears of it.
 */
#include <tessera/arch.h>
#include <tessera/cell.h>
#include <tessera/error.h>
#include <tessera/exit.h>
#include <tessera/mce.h>
#include <tessera/string.h>
#include "apic/vlapic.h"
#include "mce.h"
#include "svm/svm.h"

struct vmce {
	uint64_t mcg_status, mcg_ctl;
	uint64_t bank[MCE_MAX_BANKS][4]; /* MCi_CTL, STATUS, ADDR, MISC */
};

/* Per physical CPU, like the vLAPICs: one vCPU per CPU. */
static struct vmce vmces[HV_MAX_CPUS];

void x86_vmce_reset(unsigned int cpu)
{
	struct vmce *m = &vmces[cpu];

	memset(m, 0, sizeof(*m));
	m->mcg_ctl = ~0ULL;
	for (unsigned int b = 0; b < MCE_MAX_BANKS; b++)
		m->bank[b][MCE_BANK_CTL] = ~0ULL;
}

int arch_vcpu_inject_mce(struct vcpu *v, const struct mce_record *r)
{
	struct vmce *m = &vmces[v->cpu];
	unsigned int b = r->bank < x86_mce_banks() ? r->bank : 0;

	if (m->mcg_status & MCG_STATUS_MCIP)
		return -HV_EBUSY;
	m->bank[b][MCE_BANK_STATUS] = r->addr_valid ? r->status : r->status & ~MCI_STATUS_ADDRV;
	m->bank[b][MCE_BANK_ADDR] = r->addr;
	m->bank[b][MCE_BANK_MISC] = r->misc;
	m->mcg_status = (r->mcg_status & (MCG_STATUS_RIPV | MCG_STATUS_EIPV)) | MCG_STATUS_MCIP;
	/* Delivered by the hardware into the guest already (TCG): its handler is reading the banks. */
	if (r->in_guest && r->cpu == v->cpu)
		return 0;
	/* In the vCPU's own state, so that the injection decision tests it inline (svm_irq.c). */
	__atomic_store_n(&((struct svm_vcpu *)v->arch)->vmce_pending, 1, __ATOMIC_RELEASE);
	vlapic_set_dirty(svm_vlapic(v->cpu));
	if (v->cpu != arch_cpu_id())
		arch_vcpu_kick(v->cpu);
	return 0;
}

/* Where an MCA MSR lives in the model; NULL (and *ro) for MCG_CAP, which is computed. */
static uint64_t *vmce_reg(struct vmce *m, uint32_t msr, bool *exists)
{
	*exists = true;
	switch (msr) {
	case MSR_MCG_CAP: return NULL;
	case MSR_MCG_STATUS: return &m->mcg_status;
	case MSR_MCG_CTL: return &m->mcg_ctl;
	}
	unsigned int b = (msr - MSR_MC_BANKS) / 4;
	if (b >= x86_mce_banks()) {
		*exists = false;
		return NULL;
	}
	return &m->bank[b][(msr - MSR_MC_BANKS) % 4];
}

bool x86_vmce_msr(struct vcpu *v, const struct vcpu_exit *exit)
{
	struct vmce *m = &vmces[v->cpu];
	uint32_t msr = exit->msr.index;
	bool write = exit->reason == TESSERA_ER_MSR_WRITE, exists;

	/* The hardware may have put a machine check through the guest's IDT: look first, so that the
	 * guest's handler reads it back (a forward acts at once; see the comment at the top). */
	if (x86_mce_poll(false))
		mce_drain_all();
	if (v->cell->cfg->mce_policy != TESSERA_MCE_FORWARD)
		return false;
	uint64_t *reg = vmce_reg(m, msr, &exists);
	if (!exists)
		return false;
	if (!write) {
		arch_vcpu_complete_msr_read(v, reg ? *reg : x86_mce_banks() | MCG_CTL_P | MCG_SER_P);
	} else if (!reg ||
		   (msr >= MSR_MC_BANKS && (msr - MSR_MC_BANKS) % 4 == MCE_BANK_STATUS && exit->msr.value)) {
		/* MCG_CAP is read-only; MCi_STATUS takes only 0 (no HWCR.McStatusWrEn here). */
		arch_vcpu_inject_fault(v, exit, VCPU_FAULT_GP);
		return true;
	} else {
		*reg = exit->msr.value;
	}
	arch_vcpu_skip(v, exit);
	return true;
}
