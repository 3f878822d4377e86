/*
 * SVM instructions and other privileged instructions a cell must not execute: each must fault (#UD is what
 * a CPU without SVM gives) or be counted as a violation, never run. VMMCALL with bad numbers is in
 * probe_hypercalls.c.
 */
#include "probe.h"

static uint64_t do_vmrun(void *arg)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xd8" ::"a"(arg) : "memory");
	return 0;
}

static uint64_t do_vmload(void *arg)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xda" ::"a"(arg) : "memory");
	return 0;
}

static uint64_t do_vmsave(void *arg)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xdb" ::"a"(arg) : "memory");
	return 0;
}

static uint64_t do_stgi(void *arg)
{
	(void)arg;
	__asm__ volatile(".byte 0x0f, 0x01, 0xdc" ::: "memory");
	return 0;
}

/* If CLGI is not stopped, undo it at once: the attempt has already failed. */
static uint64_t do_clgi(void *arg)
{
	(void)arg;
	__asm__ volatile(".byte 0x0f, 0x01, 0xdd\n\t"
			 ".byte 0x0f, 0x01, 0xdc" ::
				 : "memory");
	return 0;
}

static uint64_t do_skinit(void *arg)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xde" ::"a"(arg) : "memory");
	return 0;
}

static uint64_t do_invlpga(void *arg)
{
	(void)arg;
	__asm__ volatile(".byte 0x0f, 0x01, 0xdf" ::"a"(0UL), "c"(1u) : "memory");
	return 0;
}

/* INVD drops dirty cache lines without writing them back, other cells' included. */
static uint64_t do_invd(void *arg)
{
	(void)arg;
	__asm__ volatile("invd" ::: "memory");
	return 0;
}

void probe_svm(struct probe *p)
{
	/* The VMCB/save-area address is the cell's own page: if an instruction ran, it hurt no one else. */
	void *page = p->scratch;

	probe_attempt("svm_vmrun", do_vmrun, page);
	probe_attempt("svm_vmload", do_vmload, page);
	probe_attempt("svm_vmsave", do_vmsave, page);
	probe_attempt("svm_stgi", do_stgi, NULL);
	probe_attempt("svm_clgi", do_clgi, NULL);
	probe_attempt("svm_skinit", do_skinit, page);
	probe_attempt("svm_invlpga", do_invlpga, NULL);
	probe_attempt("insn_invd", do_invd, NULL);
}
