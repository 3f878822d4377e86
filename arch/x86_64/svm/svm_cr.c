/*
 * A cell's CR0 and CR4 writes and XSETBV, intercepted and emulated (cr.h validates, cr_insn.h decodes):
 * the CPU's answer (#GP, or #UD for XSETBV with CR4.OSXSAVE clear) instead of a state VMRUN refuses or
 * one QEMU's TCG takes although hardware would not. Without decode assists (none under TCG: EXITINFO1 of
 * a CR exit is 0) the instruction at RIP is read from guest memory and decoded.
 *
 * CR4.MCE stays set in the CR4 the CPU runs with, whatever the cell writes: under TCG a machine check while
 * a guest runs goes through the guest (it is not turned into an exit), and with the guest's CR4.MCE clear
 * QEMU resets the whole machine. The cell sees the value it wrote: while that differs from the real one,
 * CR4 reads are intercepted too and answered from the shadow.
 */
#include <tessera/arch.h>
#include <tessera/cell.h>
#include <tessera/exit.h>
#include "../cpu_reset.h"
#include "../io.h"
#include "cpuid_filter.h"
#include "cr.h"
#include "cr_insn.h"
#include "svm.h"
#include "vmcb.h"

#define CS_ATTR_L (1u << 9)
/* Bits whose change needs this ASID's TLB flushed (the guest's translations change). */
#define CR0_TLB_BITS (CR0_PG | CR0_WP | CR0_CD | CR0_NW)
#define CR4_TLB_BITS (CR4_PAE | CR4_PGE | 0x10ULL /* PSE */ | CR4_PCIDE | CR4_SMEP | CR4_SMAP | CR4_LA57)

void svm_cr_reset(struct svm_vcpu *s, uint64_t cr4)
{
	s->cr4_shadow = cr4;
	vmcb_write(s->vmcb, VMCB_INTERCEPT_CR_WRITE, 2, SVM_INTERCEPT_CR0 | SVM_INTERCEPT_CR4);
	vmcb_write(s->vmcb, VMCB_INTERCEPT_CR_READ, 2, 0);
	vmcb_set(s->vmcb, VMCB_CR4, cr4 | CR4_MCE);
}

static uint64_t gpr_get(struct svm_vcpu *s, unsigned int reg)
{
	return reg == X86_REG_RAX   ? vmcb_get(s->vmcb, VMCB_RAX)
	       : reg == X86_REG_RSP ? vmcb_get(s->vmcb, VMCB_RSP)
				    : s->gprs[svm_gpr_slot(reg)]; /* by slot: svm.h */
}

static void gpr_set(struct svm_vcpu *s, unsigned int reg, uint64_t value)
{
	if (reg == X86_REG_RAX)
		vmcb_set(s->vmcb, VMCB_RAX, value);
	else if (reg == X86_REG_RSP)
		vmcb_set(s->vmcb, VMCB_RSP, value);
	else
		s->gprs[svm_gpr_slot(reg)] = value;
}

static uint64_t cell_cr4_offered(struct svm_vcpu *s)
{
	struct cpuid_view view = {.cpu_index = s->index};
	struct cpuid_regs l1, l7;

	cpuid(1, 0, &l1.eax, &l1.ebx, &l1.ecx, &l1.edx);
	cpuid_filter(1, 0, &l1, &view);
	cpuid(7, 0, &l7.eax, &l7.ebx, &l7.ecx, &l7.edx);
	cpuid_filter(7, 0, &l7, &view);
	return cr4_offered(l1.ecx, l7.ebx, l7.ecx);
}

static void cr_state_of(struct svm_vcpu *s, struct cr_state *st)
{
	*st = (struct cr_state){
		.cr0 = vmcb_get(s->vmcb, VMCB_CR0),
		.cr3 = vmcb_get(s->vmcb, VMCB_CR3),
		.cr4 = s->cr4_shadow,
		.efer = vmcb_get(s->vmcb, VMCB_EFER),
		.cs_long = vmcb_read(s->vmcb, VMCB_CS + 2, 2) & CS_ATTR_L,
	};
}

static void flush_tlb(struct svm_vcpu *s)
{
	vmcb_write(s->vmcb, VMCB_TLB_CONTROL, 1, 1); /* this ASID, at the next VMRUN */
}

static void set_cr4(struct svm_vcpu *s, uint64_t value)
{
	uint16_t reads = value & CR4_MCE ? 0 : SVM_INTERCEPT_CR4;

	if ((value ^ s->cr4_shadow) & CR4_TLB_BITS)
		flush_tlb(s);
	s->cr4_shadow = value;
	vmcb_set(s->vmcb, VMCB_CR4, value | CR4_MCE);
	vmcb_write(s->vmcb, VMCB_INTERCEPT_CR_READ, 2, reads);
}

/* The value a CR0 write intends: MOV, CLTS (TS off) or LMSW (the low four bits; PE cannot be cleared). */
static uint64_t cr0_value(struct svm_vcpu *s, const struct cr_insn *in)
{
	uint64_t cr0 = vmcb_get(s->vmcb, VMCB_CR0);

	switch (in->kind) {
	case CR_INSN_CLTS: return cr0 & ~CR0_TS;
	case CR_INSN_LMSW: return (cr0 & ~0xeULL) | (gpr_get(s, in->gpr) & 0xf) | (cr0 & CR0_PE);
	default: return gpr_get(s, in->gpr);
	}
}

static bool emulate_cr(struct vcpu *v, struct svm_vcpu *s, const struct vcpu_exit *exit, unsigned int cr,
		       bool write)
{
	struct cr_state st;
	struct cr_insn in;
	uint8_t code[15];
	size_t n;

	if (svm_fetch_insn(v, s, exit->pc, code, &n) || cr_insn_decode(code, n, &in) || in.cr != cr ||
	    (in.kind == CR_INSN_MOV_FROM) == write || (cr != 0 && in.kind != CR_INSN_MOV_TO && write)) {
		cell_violation(v, exit, VCPU_FAULT_GP,
			       "CR%u %s by an instruction the hypervisor cannot decode", cr,
			       write ? "write" : "read");
		return true;
	}
	cr_state_of(s, &st);
	if (!write) {
		gpr_set(s, in.gpr, s->cr4_shadow); /* only CR4 reads are ever intercepted */
	} else if (cr == 0) {
		uint64_t cr0, efer;
		if (!cr0_write(&st, cr0_value(s, &in), &cr0, &efer)) {
			arch_vcpu_inject_fault(v, exit,
					       VCPU_FAULT_GP); /* the CPU's answer, not a violation */
			return true;
		}
		if ((cr0 ^ st.cr0) & CR0_TLB_BITS)
			flush_tlb(s);
		vmcb_set(s->vmcb, VMCB_CR0, cr0);
		vmcb_set(s->vmcb, VMCB_EFER, efer);
	} else {
		uint64_t value = gpr_get(s, in.gpr);
		if (!cr4_write(&st, value, cell_cr4_offered(s))) {
			arch_vcpu_inject_fault(v, exit, VCPU_FAULT_GP);
			return true;
		}
		set_cr4(s, value);
	}
	vmcb_set(s->vmcb, VMCB_RIP, exit->pc + in.len);
	return true;
}

static bool emulate_xsetbv(struct vcpu *v, struct svm_vcpu *s, const struct vcpu_exit *exit)
{
	uint32_t a, b, c, d;
	uint64_t value = (s->gprs[GPR_RDX] << 32) | (uint32_t)vmcb_get(s->vmcb, VMCB_RAX);

	if (!(s->cr4_shadow & CR4_OSXSAVE)) {
		arch_vcpu_inject_fault(v, exit, VCPU_FAULT_UD);
		return true;
	}
	cpuid(0xd, 0, &a, &b, &c, &d);
	if (!xcr0_write_ok(vmcb_read(s->vmcb, VMCB_CPL, 1), (uint32_t)s->gprs[GPR_RCX], value,
			   ((uint64_t)d << 32) | a)) {
		arch_vcpu_inject_fault(v, exit, VCPU_FAULT_GP);
		return true;
	}
	x86_cpu_set_xcr0(value); /* the guest's XCR0 is the CPU's: nothing switches it (cpu_reset.h) */
	vmcb_set(s->vmcb, VMCB_RIP, exit->pc + 3);
	return true;
}

bool arch_vcpu_emulate_insn(struct vcpu *v, const struct vcpu_exit *exit)
{
	struct svm_vcpu *s = v->arch;

	switch (exit->raw_code) {
	case SVM_EXIT_READ_CR4: return emulate_cr(v, s, exit, 4, false);
	case SVM_EXIT_WRITE_CR0: return emulate_cr(v, s, exit, 0, true);
	case SVM_EXIT_WRITE_CR4: return emulate_cr(v, s, exit, 4, true);
	case SVM_EXIT_XSETBV: return emulate_xsetbv(v, s, exit);
	default: return false;
	}
}
