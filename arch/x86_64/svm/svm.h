/* SVM internals shared by the files of arch/x86_64/svm/. */
#ifndef TESSERA_X86_SVM_H
#define TESSERA_X86_SVM_H

#include <stddef.h>
#include <tessera/compiler.h>

/* x86 register numbers, the index into svm_vcpu.gprs */
enum { GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI };

/* A cell's permission maps (one copy per cell, shared by its vCPUs). */
struct svm_cell_io {
	uint8_t *iopm;	/* 12 KiB, physically contiguous */
	uint8_t *msrpm; /* 8 KiB */
};

struct svm_vcpu {
	void *vmcb;	 /* one page */
	void *host_save; /* one page: VMSAVE area for the hypervisor's own state */
	uint64_t gprs[16];
	unsigned int index;  /* in the cell */
	uint64_t reinject;   /* an event the last exit interrupted (EXITINTINFO), to inject again */
	uint64_t cr4_shadow; /* the CR4 the cell wrote and reads (svm_cr.c keeps MCE set underneath) */
};

struct vcpu;
/* svm_irq.c */
void svm_irq_reset(struct vcpu *v);
void svm_irq_prepare(struct vcpu *v, struct svm_vcpu *s);
/* Writes EVENTINJ = inj and records it as an irq_inject event of that kind (enum tessera_trace_irq_kind). */
void svm_inject(struct vcpu *v, struct svm_vcpu *s, uint64_t inj, unsigned int kind);
void svm_irq_after_exit(struct svm_vcpu *s);

/* svm_cr.c: intercepts and shadow for a fresh vCPU whose CR4 is `cr4` */
void svm_cr_reset(struct svm_vcpu *s, uint64_t cr4);
/* svm_irq.c: up to 15 bytes of guest code at linear `rip`, through the guest's page tables */
int svm_fetch_insn(struct vcpu *v, struct svm_vcpu *s, uint64_t rip, uint8_t *buf, size_t *n);

void svm_vmrun(uint64_t *gprs, uint64_t vmcb_pa, uint64_t host_save_pa);

#endif
