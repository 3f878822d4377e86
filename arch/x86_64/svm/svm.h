/* SVM internals shared by the files of arch/x86_64/svm/. */
#ifndef TESSERA_X86_SVM_H
#define TESSERA_X86_SVM_H

#include <stddef.h>
#include <tessera/compiler.h>

/* x86 register numbers (as instructions encode them; the MMIO decoder's insn.reg) */
enum { X86_REG_RAX = 0, X86_REG_RSP = 4, X86_REG_COUNT = 16 };

/*
 * The slots of svm_vcpu.gprs[], what svm_vmrun loads into the guest's registers and stores back. RAX and
 * RSP live in the VMCB and have none; their two slots carry svm_vmrun's own operands instead: the VMCB's
 * and the host save area's physical addresses (set once by arch_vcpu_reset). The hypercall arguments
 * (RDI, RSI, RDX, RCX) come first and in order, so that the decoder passes them as a pointer.
 */
enum gpr_slot {
	GPR_RDI,
	GPR_RSI,
	GPR_RDX,
	GPR_RCX,
	GPR_RBX,
	GPR_RBP,
	GPR_R8,
	GPR_R9,
	GPR_R10,
	GPR_R11,
	GPR_R12,
	GPR_R13,
	GPR_R14,
	GPR_R15,
	GPR_SLOT_VMCB,
	GPR_SLOT_HOST_SAVE,
	GPR_SLOTS
};

/* The gprs[] slot of x86 register number `reg` (0-15); -1 for RAX and RSP, which live in the VMCB. */
static inline int svm_gpr_slot(unsigned int reg)
{
	static const int8_t slot[X86_REG_COUNT] = {
		-1,	GPR_RCX, GPR_RDX, GPR_RBX, -1,	    GPR_RBP, GPR_RSI, GPR_RDI,
		GPR_R8, GPR_R9,	 GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	};
	return slot[reg & (X86_REG_COUNT - 1)];
}

/* A cell's permission maps (one copy per cell, shared by its vCPUs). */
struct svm_cell_io {
	uint8_t *iopm;	/* 12 KiB, physically contiguous */
	uint8_t *msrpm; /* 8 KiB */
};

/* Virtual NMI blocking of a vCPU (svm_irq.c) */
enum nmi_state {
	NMI_OPEN,      /* an NMI may be injected */
	NMI_BLOCKED,   /* one was injected, its handler has not reached IRET: the IRET is intercepted */
	NMI_IRET_SEEN, /* the IRET exit came (before the IRET ran); open once the guest is past it */
};

struct nmi_block {
	enum nmi_state state;
	uint64_t iret_rip; /* the intercepted IRET's address */
};

struct vlapic;

/*
 * The guest-physical pages the exit path reads guest state from (the guest's page tables and code, to
 * fetch an instruction to emulate), translated through the cell's second-stage map once and kept: that
 * map is built when the cell is and does not change while it runs, so a kept translation stays right;
 * the guest's own tables are read afresh every time, so its changes to them are always seen. Flushed at
 * every vCPU reset (svm_irq_reset); whatever changes the second-stage map of a running cell must flush
 * it too (svm_s2cache_flush).
 */
#define SVM_S2CACHE_PAGES 8

struct svm_s2cache {
	uint64_t gpa[SVM_S2CACHE_PAGES]; /* page address; ~0: empty */
	uint64_t pa[SVM_S2CACHE_PAGES];
	unsigned int next; /* the slot replaced next (round robin) */
};

struct svm_vcpu {
	void *vmcb;	 /* one page */
	void *host_save; /* one page: VMSAVE area for the hypervisor's own state */
	uint64_t gprs[GPR_SLOTS];
	unsigned int index;    /* in the cell */
	uint64_t reinject;     /* an event the last exit interrupted (EXITINTINFO), to inject again */
	struct vlapic *vlapic; /* this vCPU's virtual LAPIC (svm_irq.c) */
	struct nmi_block nmi;
	struct svm_s2cache s2cache;
	uint64_t cr4_shadow;	/* the CR4 the cell wrote and reads (svm_cr.c keeps MCE set underneath) */
	uint64_t exit_deadline; /* TSC at which a hook client wants an exit (arch_vcpu_exit_at), 0: none */
	uint32_t
		vmce_pending; /* a forwarded virtual #MC waits for injection (set from any CPU: mce_vmce.c) */
};

struct vcpu;
/* svm_irq.c */
void svm_irq_reset(struct vcpu *v);
/* The injection decision before VMRUN; only when the vLAPIC is dirty (vlapic.h). */
void svm_irq_prepare(struct vcpu *v, struct svm_vcpu *s);
/* Writes EVENTINJ = inj and records it as an irq_inject event of that kind (enum tessera_trace_irq_kind). */
void svm_inject(struct vcpu *v, struct svm_vcpu *s, uint64_t inj, unsigned int kind);
/* NMI blocking's step after an exit; only while s->nmi.state is not NMI_OPEN. */
void svm_nmi_after_exit(struct svm_vcpu *s);
struct vlapic *svm_vlapic(unsigned int cpu);
void svm_s2cache_flush(struct svm_vcpu *s);
/* svm_cr.c: intercepts and shadow for a fresh vCPU whose CR4 is `cr4` */
void svm_cr_reset(struct svm_vcpu *s, uint64_t cr4);
/* svm_irq.c: up to 15 bytes of guest code at linear `rip`, through the guest's page tables */
int svm_fetch_insn(struct vcpu *v, struct svm_vcpu *s, uint64_t rip, uint8_t *buf, size_t *n);

#endif
