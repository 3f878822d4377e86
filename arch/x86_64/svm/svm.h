/* SVM internals shared by the files of arch/x86_64/svm/. */
#ifndef TESSERA_X86_SVM_H
#define TESSERA_X86_SVM_H

#include <tessera/compiler.h>

/* x86 register numbers, the index into svm_vcpu.gprs */
enum { GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI };

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
 * gprs[] is what svm_vmrun loads into the guest's registers and stores back: index = x86 register
 * number. RAX and RSP live in the VMCB, so their two slots carry svm_vmrun's own operands instead: the
 * VMCB's and the host save area's physical addresses (set once by arch_vcpu_reset).
 */
#define GPR_SLOT_VMCB	   GPR_RAX
#define GPR_SLOT_HOST_SAVE GPR_RSP

struct svm_vcpu {
	void *vmcb;	 /* one page */
	void *host_save; /* one page: VMSAVE area for the hypervisor's own state */
	uint64_t gprs[16];
	unsigned int index;    /* in the cell */
	uint64_t reinject;     /* an event the last exit interrupted (EXITINTINFO), to inject again */
	struct vlapic *vlapic; /* this vCPU's virtual LAPIC (svm_irq.c) */
	struct nmi_block nmi;
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

#endif
