/*
 * Decoding an SVM #VMEXIT into the arch-neutral struct vcpu_exit. Without NRIPS (never offered under
 * TCG) the next RIP is computed here: the instruction lengths are fixed for the exits that resume
 * (CPUID 2, VMMCALL 3, HLT 1, RDMSR/WRMSR 2) and IOIO gives it in EXITINFO2.
 *
 * Every exit sets the common fields and each field of its reason's union member, nothing else: the
 * struct is not cleared first (a 104-byte memset was a quarter of a null hypercall's instructions), so
 * a handler may read only the member of the exit's reason. The exits that can change what is
 * deliverable (a physical interrupt, which the timer's and the kicks are; VINTR; IRET; NMI) mark the
 * vLAPIC dirty for the next injection decision. A header, inlined into arch_vcpu_run (svm_vcpu.c), so
 * that the exit path makes no call for it.
 */
#ifndef TESSERA_X86_SVM_EXIT_H
#define TESSERA_X86_SVM_EXIT_H

#include <tessera/exit.h>
#include "../apic/vlapic.h"
#include "../mce.h"
#include "svm.h"
#include "vmcb.h"

#define IOIO_IN	  (1u << 0)
#define IOIO_STR  (1u << 2)
#define IOIO_SZ8  (1u << 4)
#define IOIO_SZ16 (1u << 5)

#define NPF_PRESENT (1ULL << 0)
#define NPF_WRITE   (1ULL << 1)
#define NPF_FETCH   (1ULL << 4)
#define NPF_IN_WALK (1ULL << 33)

static const char *const virt_insn_names[] = {
	[SVM_EXIT_VMRUN - SVM_EXIT_VMRUN] = "vmrun",   [SVM_EXIT_VMLOAD - SVM_EXIT_VMRUN] = "vmload",
	[SVM_EXIT_VMSAVE - SVM_EXIT_VMRUN] = "vmsave", [SVM_EXIT_STGI - SVM_EXIT_VMRUN] = "stgi",
	[SVM_EXIT_CLGI - SVM_EXIT_VMRUN] = "clgi",     [SVM_EXIT_SKINIT - SVM_EXIT_VMRUN] = "skinit",
};

static inline void x86_svm_exit_decode(struct svm_vcpu *s, struct vcpu_exit *e)
{
	void *vmcb = s->vmcb;
	uint64_t code = vmcb_get(vmcb, VMCB_EXIT_CODE);
	uint64_t rip = vmcb_get(vmcb, VMCB_RIP), rax = vmcb_get(vmcb, VMCB_RAX);

	e->pc = rip;
	e->raw_code = code;
	/*
	 * The hypercall first, straight through: the most frequent exit, and the one benchmarked. VMMCALL
	 * has no exit information (the CPU leaves EXITINFO1/2 undefined: under TCG, EXITINFO2 is the last
	 * exit's), so the raw info words say 0.
	 */
	if (likely(code == SVM_EXIT_VMMCALL)) {
		e->raw_info1 = 0;
		e->raw_info2 = 0;
		e->reason = TESSERA_ER_HYPERCALL;
		e->next_pc = rip + 3;
		e->hypercall.nr = rax;
		e->hypercall.priv_level = vmcb_read(vmcb, VMCB_CPL, 1); /* VMMCALL runs at any CPL */
		e->hypercall.args = &s->gprs[GPR_RDI]; /* RDI, RSI, RDX, RCX in a row (svm.h) */
		e->hypercall.result = (int64_t)rax;    /* what the guest sees if no one answers */
		e->raw_name = "vmmcall";
		return;
	}
	uint64_t info1 = vmcb_get(vmcb, VMCB_EXIT_INFO1), info2 = vmcb_get(vmcb, VMCB_EXIT_INFO2);

	e->raw_info1 = info1;
	e->raw_info2 = info2;
	e->next_pc = 0;
	e->raw_name = "exit";
	e->reason = TESSERA_ER_UNKNOWN;

	if ((uint32_t)code == SVM_EXIT_INVALID) {
		e->raw_name = "VMRUN refused the vCPU state (VMEXIT_INVALID)";
		return;
	}
	switch (code) {
	case SVM_EXIT_IOIO:
		e->reason = TESSERA_ER_PIO;
		e->next_pc = info2;
		e->pio.port = (uint16_t)(info1 >> 16);
		e->pio.size = info1 & IOIO_SZ8 ? 1 : info1 & IOIO_SZ16 ? 2 : 4;
		e->pio.write = !(info1 & IOIO_IN);
		e->pio.string = info1 & IOIO_STR;
		e->pio.value = (uint32_t)rax;
		e->raw_name = "ioio";
		break;
	case SVM_EXIT_NPF:
		e->reason = TESSERA_ER_MMIO;
		e->mem.gpa = info2;
		e->mem.gla = 0;
		e->mem.gla_valid = false;
		e->mem.present = info1 & NPF_PRESENT;
		e->mem.write = info1 & NPF_WRITE;
		e->mem.exec = info1 & NPF_FETCH;
		e->mem.in_walk = info1 & NPF_IN_WALK;
		e->raw_name = "npf";
		break;
	case SVM_EXIT_MSR:
		e->reason = info1 ? TESSERA_ER_MSR_WRITE : TESSERA_ER_MSR_READ;
		e->next_pc = rip + 2;
		e->msr.index = (uint32_t)s->gprs[GPR_RCX];
		e->msr.value = (s->gprs[GPR_RDX] << 32) | (uint32_t)rax;
		e->raw_name = info1 ? "wrmsr" : "rdmsr";
		break;
	case SVM_EXIT_CPUID:
		e->reason = TESSERA_ER_CPUID;
		e->next_pc = rip + 2;
		e->cpuid.leaf = (uint32_t)rax;
		e->cpuid.subleaf = (uint32_t)s->gprs[GPR_RCX];
		e->raw_name = "cpuid";
		break;
	case SVM_EXIT_HLT:
		e->reason = TESSERA_ER_HALT;
		e->next_pc = rip + 1;
		e->halt.irq_enabled = vmcb_get(vmcb, VMCB_RFLAGS) & (1u << 9);
		e->raw_name = "hlt";
		break;
	case SVM_EXIT_INTR:
		e->reason = TESSERA_ER_INTERRUPT;
		e->raw_name = "intr";
		vlapic_set_dirty(s->vlapic);
		break;
	case SVM_EXIT_VINTR: /* the guest can take a pending virtual interrupt now (svm_irq.c) */
		e->reason = TESSERA_ER_INTERRUPT;
		e->raw_name = "vintr";
		vlapic_set_dirty(s->vlapic);
		break;
	case SVM_EXIT_IRET:
		/* Intercepted only while a virtual NMI is blocked; svm_irq_after_exit has handled it (the
		 * guest re-executes the IRET): nothing for the core to do. */
		e->reason = TESSERA_ER_INTERRUPT;
		e->raw_name = "iret";
		vlapic_set_dirty(s->vlapic);
		break;
	case SVM_EXIT_NMI:
		e->reason = TESSERA_ER_NMI;
		e->raw_name = "nmi";
		vlapic_set_dirty(s->vlapic);
		break;
	case SVM_EXIT_SHUTDOWN:
		e->reason = TESSERA_ER_SHUTDOWN;
		e->raw_name = "triple fault (shutdown)";
		/* TCG's form of a machine check while the guest ran, into a guest with no usable #MC
		 * handler (docs/machine-checks.md): the banks still hold it; the core drains it (exit.c). */
		if ((s->reinject & (SVM_EVTINJ_VALID | 0xff)) == (SVM_EVTINJ_VALID | 18)) {
			e->raw_name = "triple fault delivering a machine check (#MC)";
			x86_mce_poll(false);
		}
		break;
	case SVM_EXIT_INVLPGA:
		e->reason = TESSERA_ER_VIRT_INSN;
		e->virt_insn.name = e->raw_name = "invlpga";
		break;
	case SVM_EXIT_INVD: /* drops dirty cache lines: other cells' too */
		e->reason = TESSERA_ER_VIRT_INSN;
		e->virt_insn.name = e->raw_name = "invd";
		break;
	case SVM_EXIT_WBINVD:
		/* Whole-cache operations reach beyond the cell. QEMU 7.2's TCG checks INVD against the WBINVD
		 * intercept and reports it with this code, so the name covers both. */
		e->reason = TESSERA_ER_VIRT_INSN;
		e->virt_insn.name = e->raw_name = "wbinvd/invd";
		break;
	case SVM_EXIT_READ_CR4:
		e->reason = TESSERA_ER_VIRT_INSN; /* emulated (svm_cr.c): arch_vcpu_emulate_insn */
		e->virt_insn.name = e->raw_name = "mov from cr4";
		break;
	case SVM_EXIT_WRITE_CR0:
		e->reason = TESSERA_ER_VIRT_INSN;
		e->virt_insn.name = e->raw_name = "cr0 write";
		break;
	case SVM_EXIT_WRITE_CR4:
		e->reason = TESSERA_ER_VIRT_INSN;
		e->virt_insn.name = e->raw_name = "mov to cr4";
		break;
	case SVM_EXIT_XSETBV:
		e->reason = TESSERA_ER_VIRT_INSN;
		e->virt_insn.name = e->raw_name = "xsetbv";
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
		e->reason = TESSERA_ER_VIRT_INSN;
		e->virt_insn.name = e->raw_name = virt_insn_names[code - SVM_EXIT_VMRUN];
		break;
	default:
		if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32) {
			e->reason = TESSERA_ER_EXCEPTION;
			e->exception.vector = (uint8_t)(code - SVM_EXIT_EXCP_BASE);
			e->exception.has_error = true;
			e->exception.error = (uint32_t)info1;
			e->raw_name = "exception";
		}
		break;
	}
}

#endif
