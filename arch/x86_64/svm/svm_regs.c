/*
 * What hook clients need of a vCPU (arch.h): its registers by arch-neutral name (tessera/guest_reg.h),
 * exception intercepts, the timer's vector, and the second-stage map's changes. The general registers
 * live in svm_vcpu.gprs[] (RAX and RSP in the VMCB), the rest in the VMCB; a change takes effect at the
 * next VMRUN, so clients call these from the vCPU's own CPU, at an exit.
 */
#include <tessera/arch.h>
#include <tessera/cell.h>
#include <tessera/error.h>
#include <tessera/guest_reg.h>

#include "../apic/vlapic.h"
#include "cr.h"
#include "svm.h"
#include "vmcb.h"

/* Where each register is: a gprs[] slot (>= 0), or a VMCB offset (-offset - 1). */
static int reg_place(enum guest_reg r)
{
	static const int16_t place[GUEST_REG_COUNT] = {
		[GUEST_REG_RAX] = -VMCB_RAX - 1, [GUEST_REG_RBX] = GPR_RBX,
		[GUEST_REG_RCX] = GPR_RCX,	 [GUEST_REG_RDX] = GPR_RDX,
		[GUEST_REG_RSI] = GPR_RSI,	 [GUEST_REG_RDI] = GPR_RDI,
		[GUEST_REG_RBP] = GPR_RBP,	 [GUEST_REG_RSP] = -VMCB_RSP - 1,
		[GUEST_REG_R8] = GPR_R8,	 [GUEST_REG_R9] = GPR_R9,
		[GUEST_REG_R10] = GPR_R10,	 [GUEST_REG_R11] = GPR_R11,
		[GUEST_REG_R12] = GPR_R12,	 [GUEST_REG_R13] = GPR_R13,
		[GUEST_REG_R14] = GPR_R14,	 [GUEST_REG_R15] = GPR_R15,
		[GUEST_REG_RIP] = -VMCB_RIP - 1, [GUEST_REG_RFLAGS] = -VMCB_RFLAGS - 1,
		[GUEST_REG_CR0] = -VMCB_CR0 - 1, [GUEST_REG_CR2] = -VMCB_CR2 - 1,
		[GUEST_REG_CR3] = -VMCB_CR3 - 1, [GUEST_REG_CR4] = -VMCB_CR4 - 1,
	};
	return place[r];
}

int arch_vcpu_reg_get(struct vcpu *v, enum guest_reg r, uint64_t *value)
{
	struct svm_vcpu *s = v->arch;

	if (!s || (unsigned int)r >= GUEST_REG_COUNT)
		return -HV_EINVAL;
	int p = reg_place(r);
	/* CR4: what the cell wrote and reads (svm_cr.c keeps MCE set underneath). */
	*value = r == GUEST_REG_CR4 ? s->cr4_shadow
		 : p >= 0	    ? s->gprs[p]
				    : vmcb_get(s->vmcb, (unsigned int)(-p - 1));
	return 0;
}

int arch_vcpu_reg_set(struct vcpu *v, enum guest_reg r, uint64_t value)
{
	struct svm_vcpu *s = v->arch;

	if (!s || (unsigned int)r >= GUEST_REG_COUNT)
		return -HV_EINVAL;
	int p = reg_place(r);
	if (p >= 0) {
		s->gprs[p] = value;
		return 0;
	}
	if (r == GUEST_REG_CR4) {
		/* Not behind the hypervisor's back: MCE stays set in the CR4 the CPU runs with. */
		s->cr4_shadow = value;
		value |= CR4_MCE;
	}
	vmcb_set(s->vmcb, (unsigned int)(-p - 1), value);
	if (r == GUEST_REG_CR0 || r == GUEST_REG_CR3 || r == GUEST_REG_CR4)
		vmcb_write(s->vmcb, VMCB_TLB_CONTROL, 1, 1); /* the guest's translations may have changed */
	return 0;
}

enum guest_reg arch_hypercall_arg_reg(unsigned int i)
{
	static const enum guest_reg regs[4] = {GUEST_REG_RDI, GUEST_REG_RSI, GUEST_REG_RDX, GUEST_REG_RCX};

	return regs[i & 3];
}

int arch_vcpu_intercept_exception(struct vcpu *v, unsigned int vector, bool on)
{
	struct svm_vcpu *s = v->arch;

	if (!s || vector >= 32)
		return -HV_EINVAL;
	/* #MC stays the hypervisor's: its handling is not a client's to switch off. */
	if (vector == 18 && !on)
		return -HV_EPERM;
	uint32_t m = (uint32_t)vmcb_read(s->vmcb, VMCB_INTERCEPT_EXC, 4);
	m = on ? m | (1u << vector) : m & ~(1u << vector);
	vmcb_write(s->vmcb, VMCB_INTERCEPT_EXC, 4, m);
	return 0;
}

unsigned int arch_vcpu_timer_vector(struct vcpu *v)
{
	const struct vlapic *l = svm_vlapic(v->cpu);
	uint32_t lvt = l->lvt[1]; /* the timer's LVT (vlapic.h) */

	return lvt & APIC_LVT_MASKED ? 0 : lvt & 0xff;
}

void arch_vcpu_stage2_changed(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;

	if (!s)
		return;
	vmcb_write(s->vmcb, VMCB_TLB_CONTROL, 1, 1);
	svm_s2cache_flush(s);
}

void arch_vcpu_exit_at(struct vcpu *v, uint64_t tsc)
{
	struct svm_vcpu *s = v->arch;

	if (!s)
		return;
	s->exit_deadline = tsc;
	vlapic_set_dirty(s->vlapic); /* the timer is armed in the next decision before VMRUN */
}
