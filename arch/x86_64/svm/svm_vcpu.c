/*
 * An SVM vCPU: its VMCB set up per abi/cell_boot.h (64-bit mode at the image entry), the intercepts
 * that keep a cell inside its config, the VMRUN call, and the emulation the core asks for.
 */
#include <tessera/arch.h>
#include <tessera/cell.h>
#include <tessera/error.h>
#include <tessera/exit.h>
#include <tessera/mce.h>
#include <tessera/page_pool.h>
#include <tessera/string.h>
#include "../../../trace/write.h"
#include "../cpu_reset.h"
#include "../exception.h"
#include "../io.h"
#include "../mce.h"
#include "../apic/vlapic.h"
#include "cpuid_filter.h"
#include "efer.h"
#include "event.h"
#include "svm.h"
#include "svm_exit.h"
#include "svm_vmrun.h"
#include "vmcb.h"

#define CR0_BOOT    0x80010033ULL /* PG | WP | NE | ET | MP | PE */
#define CR4_BOOT    0x660ULL	  /* OSXMMEXCPT | OSFXSR | MCE | PAE */
#define EFER_BOOT   0x1d00ULL	  /* SVME | NXE | LMA | LME */
#define CR4_OSXSAVE (1ULL << 18)
#define CR0_PG	    (1ULL << 31)
#define RFLAGS_IF   (1ULL << 9)

#define SEG_CODE64 0x029b /* present, DPL 0, code exec/read accessed, L */
#define SEG_DATA   0x0c93 /* present, DPL 0, data read/write accessed, D/B, G */
#define SEG_TSS64  0x008b /* present, busy 64-bit TSS */
#define SEG_LDT	   0x0082

#define VEC_DB 1
#define VEC_UD 6
#define VEC_GP 13
#define VEC_PF 14
#define VEC_AC 17
#define VEC_MC 18

static void vmcb_init(struct svm_vcpu *s, uint64_t npt_root, const struct svm_cell_io *io,
		      const struct vcpu_boot_state *boot)
{
	void *vmcb = s->vmcb;

	memset(vmcb, 0, PAGE_SIZE);
	/* NMIs exit the guest like interrupts and are taken by the host (fault.c): a physical NMI must not
	 * land in whichever cell happens to run. */
	vmcb_write(vmcb, VMCB_INTERCEPT_MISC1, 4,
		   SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI | SVM_INTERCEPT_CPUID | SVM_INTERCEPT_HLT |
			   SVM_INTERCEPT_INVD | SVM_INTERCEPT_INVLPGA | SVM_INTERCEPT_IOIO |
			   SVM_INTERCEPT_MSR | SVM_INTERCEPT_SHUTDOWN | SVM_INTERCEPT_INIT);
	vmcb_write(vmcb, VMCB_INTERCEPT_MISC2, 4,
		   SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL | SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE |
			   SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI | SVM_INTERCEPT_SKINIT |
			   SVM_INTERCEPT_WBINVD | SVM_INTERCEPT_XSETBV);
	/* #MC is intercepted so that on hardware a machine check in a guest exits to the hypervisor (under
	 * TCG it never does: it goes through the guest's IDT, mce_vmce.c).
	 * #DB and #AC can recur while they are delivered (a #DB on the IDT or stack write, an #AC on a
	 * misaligned stack at CPL 3) and keep the CPU in microcode forever, beyond the reach of interrupts
	 * (CVE-2015-5307, CVE-2015-8104). Intercepted, each one exits and is reflected (reflect_exception). */
	vmcb_write(vmcb, VMCB_INTERCEPT_EXC, 4, (1u << VEC_DB) | (1u << VEC_AC) | (1u << VEC_MC));
	vmcb_set(vmcb, VMCB_IOPM_BASE, (uintptr_t)io->iopm);
	vmcb_set(vmcb, VMCB_MSRPM_BASE, (uintptr_t)io->msrpm);
	vmcb_write(vmcb, VMCB_ASID, 4, 1);
	vmcb_write(vmcb, VMCB_TLB_CONTROL, 1, 1); /* flush this ASID: the tables are new */
	/* Physical interrupts stay with the host: they exit the cell (INTR) and the host takes them. */
	vmcb_write(vmcb, VMCB_INT_CTL, 4, SVM_V_INTR_MASKING);
	vmcb_set(vmcb, VMCB_NP_ENABLE, 1);
	vmcb_set(vmcb, VMCB_N_CR3, npt_root);

	vmcb_set_seg(vmcb, VMCB_CS, 0x08, SEG_CODE64, 0xffffffff, 0);
	vmcb_set_seg(vmcb, VMCB_DS, 0x10, SEG_DATA, 0xffffffff, 0);
	vmcb_set_seg(vmcb, VMCB_ES, 0x10, SEG_DATA, 0xffffffff, 0);
	vmcb_set_seg(vmcb, VMCB_SS, 0x10, SEG_DATA, 0xffffffff, 0);
	vmcb_set_seg(vmcb, VMCB_FS, 0x10, SEG_DATA, 0xffffffff, 0);
	vmcb_set_seg(vmcb, VMCB_GS, 0x10, SEG_DATA, 0xffffffff, 0);
	vmcb_set_seg(vmcb, VMCB_TR, 0, SEG_TSS64, 0x67, 0);
	vmcb_set_seg(vmcb, VMCB_LDTR, 0, SEG_LDT, 0, 0);
	vmcb_set_seg(vmcb, VMCB_GDTR, 0, 0, 0, 0);
	vmcb_set_seg(vmcb, VMCB_IDTR, 0, 0, 0, 0);
	vmcb_write(vmcb, VMCB_CPL, 1, 0);
	vmcb_set(vmcb, VMCB_EFER, EFER_BOOT);
	vmcb_set(vmcb, VMCB_CR0, CR0_BOOT);
	vmcb_set(vmcb, VMCB_CR3, boot->page_table);
	svm_cr_reset(s, CR4_BOOT); /* CR0/CR4 writes are intercepted and validated (svm_cr.c) */
	vmcb_set(vmcb, VMCB_DR6, 0xffff0ff0);
	vmcb_set(vmcb, VMCB_DR7, 0x400);
	vmcb_set(vmcb, VMCB_RFLAGS, 0x2);
	vmcb_set(vmcb, VMCB_RIP, boot->entry);
	vmcb_set(vmcb, VMCB_RSP, 0);
	vmcb_set(vmcb, VMCB_RAX, 0);
	vmcb_set(vmcb, VMCB_G_PAT, 0x0007040600070406ULL);
}

int arch_vcpu_create(struct vcpu *v)
{
	struct svm_vcpu *s = page_pool_alloc(&hv_page_pool, 1, 1);

	if (!s)
		return -HV_ENOMEM;
	s->vmcb = page_pool_alloc(&hv_page_pool, 1, 1);
	s->host_save = page_pool_alloc(&hv_page_pool, 1, 1);
	if (!s->vmcb || !s->host_save) {
		if (s->vmcb)
			page_pool_free(&hv_page_pool, s->vmcb, 1);
		if (s->host_save)
			page_pool_free(&hv_page_pool, s->host_save, 1);
		page_pool_free(&hv_page_pool, s, 1);
		return -HV_ENOMEM;
	}
	v->arch = s;
	return 0;
}

int arch_vcpu_reset(struct vcpu *v, uint64_t stage2_root, void *cell_io, const struct vcpu_boot_state *boot)
{
	struct svm_vcpu *s = v->arch;

	if (!s)
		return -HV_EINVAL; /* its cell was not built (arch_vcpu_create failed) */
	memset(s->gprs, 0, sizeof(s->gprs));
	s->gprs[GPR_RDI] = boot->arg0;
	s->gprs[GPR_RSI] = boot->arg1;
	s->gprs[GPR_SLOT_VMCB] = (uintptr_t)s->vmcb;
	s->gprs[GPR_SLOT_HOST_SAVE] = (uintptr_t)s->host_save;
	s->index = v->index;
	s->reinject = 0;
	/* A fresh CPU for every run: the VMCB is rebuilt from zero, and what only the CPU holds (FPU and
	 * vector registers, XCR0, DR0-DR3, TSC_AUX) is reset here, on the vCPU's own CPU. */
	x86_cpu_guest_state_reset();
	vmcb_init(s, stage2_root, cell_io, boot);
	svm_irq_reset(v);
	x86_vmce_reset(v->cpu);
	s->vmce_pending = 0;
	/* The hypervisor's own FS/GS/TR/LDTR/syscall MSRs never change after boot: saved once here (on the
	 * vCPU's CPU), loaded back after every exit by svm_vmrun. */
	__asm__ volatile("vmsave" ::"a"((uintptr_t)s->host_save) : "memory");
	return 0;
}

/*
 * Guest entries and exits until the core says leave. The injection decision runs only when the vLAPIC is
 * dirty, NMI blocking's step only while NMIs are blocked: on an exit that changes neither (a hypercall,
 * CPUID, an MSR, a violation) the path is the VMRUN, the EXITINTINFO check and the decode.
 */
void arch_vcpu_run(struct vcpu *v, struct vcpu_exit *exit)
{
	struct svm_vcpu *s = v->arch;
	void *vmcb = s->vmcb;

	for (;;) {
		if (unlikely(vlapic_is_dirty(s->vlapic)))
			svm_irq_prepare(v, s);
		svm_vmrun(s->gprs); /* with CLGI/STI before and STGI/CLI after (svm_vmrun.h) */
		vmcb_write(vmcb, VMCB_TLB_CONTROL, 1, 0);
		vmcb_set(vmcb, VMCB_EVENT_INJ, 0);
		/* An injection the exit cut short is injected again next time (svm_irq_prepare). */
		uint64_t info = vmcb_get(vmcb, VMCB_EXIT_INT_INFO);
		s->reinject = 0;
		if (unlikely(info & SVM_EVTINJ_VALID)) {
			s->reinject = info;
			vlapic_set_dirty(s->vlapic);
		}
		if (unlikely(s->nmi.state != NMI_OPEN))
			svm_nmi_after_exit(s);
		x86_svm_exit_decode(s, exit);
		if (!vcpu_exit(v, exit))
			break;
		if (exit->reason == TESSERA_ER_HYPERCALL) {
			vmcb_set(vmcb, VMCB_RAX, (uint64_t)exit->hypercall.result);
			vmcb_set(vmcb, VMCB_RIP, exit->next_pc);
		}
	}
}

const char *arch_pc_name(void)
{
	return "rip";
}

uint64_t arch_vcpu_pc(struct vcpu *v)
{
	return vmcb_get(((struct svm_vcpu *)v->arch)->vmcb, VMCB_RIP);
}

void arch_vcpu_skip(struct vcpu *v, const struct vcpu_exit *exit)
{
	struct svm_vcpu *s = v->arch;

	if (exit->next_pc)
		vmcb_set(s->vmcb, VMCB_RIP, exit->next_pc);
}

bool arch_vcpu_kernel_mode(struct vcpu *v)
{
	/* VMMCALL runs at any CPL (AMD APM): the CPU leaves the privilege check to the hypervisor. The
	 * VMCB's CPL is the guest's at the exit (SS.DPL). */
	return vmcb_read(((struct svm_vcpu *)v->arch)->vmcb, VMCB_CPL, 1) == 0;
}

void arch_vcpu_set_hypercall_result(struct vcpu *v, int64_t result)
{
	struct svm_vcpu *s = v->arch;

	vmcb_set(s->vmcb, VMCB_RAX, (uint64_t)result);
}

void arch_vcpu_complete_pio_read(struct vcpu *v, const struct vcpu_exit *exit, uint32_t value)
{
	struct svm_vcpu *s = v->arch;
	uint64_t rax = vmcb_get(s->vmcb, VMCB_RAX);
	uint64_t mask = exit->pio.size == 4 ? 0xffffffffULL : exit->pio.size == 2 ? 0xffff : 0xff;

	/* A 32-bit IN zero-extends into RAX; 8 and 16-bit ones keep the upper bits. */
	if (exit->pio.size == 4)
		rax = value;
	else
		rax = (rax & ~mask) | (value & mask);
	vmcb_set(s->vmcb, VMCB_RAX, rax);
}

void arch_vcpu_complete_msr_read(struct vcpu *v, uint64_t value)
{
	struct svm_vcpu *s = v->arch;

	vmcb_set(s->vmcb, VMCB_RAX, (uint32_t)value);
	s->gprs[GPR_RDX] = value >> 32;
}

void arch_vcpu_emulate_cpuid(struct vcpu *v, const struct vcpu_exit *exit)
{
	struct svm_vcpu *s = v->arch;
	struct cpuid_regs r;
	struct cpuid_view view = {
		.cpu_index = s->index,
		.guest_osxsave = vmcb_get(s->vmcb, VMCB_CR4) & CR4_OSXSAVE,
	};

	cpuid(exit->cpuid.leaf, exit->cpuid.subleaf, &r.eax, &r.ebx, &r.ecx, &r.edx);
	cpuid_filter(exit->cpuid.leaf, exit->cpuid.subleaf, &r, &view);
	vmcb_set(s->vmcb, VMCB_RAX, r.eax);
	s->gprs[GPR_RBX] = r.ebx;
	s->gprs[GPR_RCX] = r.ecx;
	s->gprs[GPR_RDX] = r.edx;
}

/*
 * EFER: the guest may see and change it (when its config allows) except SVME, which VMRUN needs set.
 * VM_CR reads as "SVM disabled"; VM_HSAVE_PA as 0; writes to both are dropped.
 */
bool arch_vcpu_emulate_owned_msr(struct vcpu *v, const struct vcpu_exit *exit, bool allowed)
{
	struct svm_vcpu *s = v->arch;
	bool write = exit->reason == TESSERA_ER_MSR_WRITE;
	uint64_t value = 0;

	/* IA32_APIC_BASE reads show the virtual APIC to every cell (an OS reads it to find its APIC): the
	 * config checker refuses grants of it, so a read needs none. Other owned MSRs need their grant. */
	/* The MCA MSRs are virtual, for cells that take machine checks (mce_vmce.c); never granted. */
	if (x86_mce_msr(exit->msr.index))
		return x86_vmce_msr(v, exit);
	if (!allowed && !(exit->msr.index == MSR_APIC_BASE && !write))
		return false;
	switch (exit->msr.index) {
	case MSR_EFER:
		value = vmcb_get(s->vmcb, VMCB_EFER) & ~EFER_SVME;
		if (write &&
		    !svm_efer_write_ok(value, exit->msr.value, vmcb_get(s->vmcb, VMCB_CR0) & CR0_PG)) {
			/* What the CPU does; not a violation of the config (EFER is granted). Written
			 * through, the value would make VMRUN fail and stop the cell. */
			arch_vcpu_inject_fault(v, exit, VCPU_FAULT_GP);
			return true;
		}
		if (write)
			vmcb_set(s->vmcb, VMCB_EFER, exit->msr.value | EFER_SVME);
		break;
	case MSR_VM_CR: value = VM_CR_SVMDIS; break;
	case MSR_VM_HSAVE_PA: value = 0; break;
	case MSR_APIC_BASE:
		/* The virtual APIC's base; the physical one is never touched (vlapic.h). */
		value = vlapic_apic_base(v->index == 0);
		if (write && !vlapic_apic_base_write_ok(v->index == 0, exit->msr.value)) {
			cell_violation(v, exit, VCPU_FAULT_GP,
				       "IA32_APIC_BASE write %#llx refused: the local APIC cannot be moved, "
				       "disabled or switched to x2APIC",
				       (unsigned long long)exit->msr.value);
			return true;
		}
		break;
	default:
		if (exit->msr.index >= MSR_X2APIC_FIRST && exit->msr.index <= MSR_X2APIC_LAST) {
			cell_violation(v, exit, VCPU_FAULT_GP,
				       "x2APIC MSR %#x %s: the cell has an xAPIC only", exit->msr.index,
				       write ? "write" : "read");
			return true;
		}
		return false;
	}
	if (!write)
		arch_vcpu_complete_msr_read(v, value);
	arch_vcpu_skip(v, exit);
	return true;
}

/*
 * Every exception the hypervisor raises in a guest (a violation's fault, a reflected #DB/#AC) goes through
 * here: if the exit came while the CPU was delivering another event (EXITINTINFO), the two combine as on
 * the CPU (event.h), up to a shutdown that fails the cell. So a delivery that faults again (an IDT or stack
 * outside the cell) ends within three rounds instead of being injected forever. The interrupted event is
 * never injected again: the new one replaces it, as on the CPU.
 */
static void raise_exception(struct vcpu *v, struct svm_vcpu *s, const struct vcpu_exit *exit, uint64_t inj,
			    unsigned int kind)
{
	uint64_t delivering = s->reinject, event = svm_event_combine(delivering, inj);

	s->reinject = 0;
	if (event == SVM_EVENT_SHUTDOWN) {
		cell_stop(v->cell, TESSERA_CELL_FAILED,
			  "cpu %u crashed: triple fault (#%s while delivering #%s) at %s %#llx", v->cpu,
			  x86_vector_mnemonic(inj & 0xff), x86_vector_mnemonic(delivering & 0xff),
			  arch_pc_name(), (unsigned long long)exit->pc);
		return;
	}
	svm_inject(v, s, event, kind);
}

bool arch_vcpu_reflect_exception(struct vcpu *v, const struct vcpu_exit *exit)
{
	struct svm_vcpu *s = v->arch;
	uint64_t inj;

	switch (exit->exception.vector) {
	case VEC_MC:
		/* On hardware, the intercepted #MC: the banks hold it, the hypervisor handles it here. */
		if (x86_mce_poll(true))
			mce_drain_all();
		return true;
	case VEC_DB: inj = VEC_DB | SVM_EVTINJ_TYPE_EXC | SVM_EVTINJ_VALID; break;
	case VEC_AC: /* error code 0 */
		inj = VEC_AC | SVM_EVTINJ_TYPE_EXC | SVM_EVTINJ_VALID_ERR | SVM_EVTINJ_VALID;
		break;
	default: return false;
	}
	/* The exit left RIP where the CPU would have delivered the exception: a fault at the instruction
	 * (#AC, data-breakpoint-free #DB faults), a trap after it (single step). Injecting it now delivers it
	 * exactly there. If the delivery raises it again, that is a new exit: the CPU never loops inside, and
	 * raise_exception ends the loop. */
	raise_exception(v, s, exit, inj, TESSERA_TRACE_IRQ_FAULT);
	return true;
}

/*
 * The fault is raised at the exiting instruction (RIP is not advanced), as the hardware would. A denied
 * memory access becomes #PF with CR2 = the guest-physical address (SVM's nested page fault does not report
 * the linear one; under the runtime's identity map they are equal) and an error code built from the
 * nested fault: P if the page is mapped but not for this access, W for a write, I/D for a fetch.
 */
void arch_vcpu_inject_fault(struct vcpu *v, const struct vcpu_exit *exit, enum vcpu_fault fault)
{
	struct svm_vcpu *s = v->arch;
	uint64_t inj;

	switch (fault) {
	case VCPU_FAULT_UD: inj = VEC_UD | SVM_EVTINJ_TYPE_EXC | SVM_EVTINJ_VALID; break;
	case VCPU_FAULT_PF:
		vmcb_set(s->vmcb, VMCB_CR2, exit->mem.gla_valid ? exit->mem.gla : exit->mem.gpa);
		inj = VEC_PF | SVM_EVTINJ_TYPE_EXC | SVM_EVTINJ_VALID_ERR | SVM_EVTINJ_VALID;
		inj |= (uint64_t)((exit->mem.present ? 1u : 0u) | (exit->mem.write ? 2u : 0u) |
				  (exit->mem.exec ? 0x10u : 0u))
		       << 32;
		break;
	default: inj = VEC_GP | SVM_EVTINJ_TYPE_EXC | SVM_EVTINJ_VALID_ERR | SVM_EVTINJ_VALID; break;
	}
	raise_exception(v, s, exit, inj, TESSERA_TRACE_IRQ_FAULT);
}
