/*
 * SVM per CPU and per cell: enabling SVM (EFER.SVME, the host save area) and the cells' permission maps.
 */
#include <tessera/arch.h>
#include <tessera/error.h>
#include <tessera/page_pool.h>
#include <tessera/pgtable.h>
#include "../io.h"
#include "permmap.h"
#include "svm.h"
#include "vmcb.h"

#define EM_X86_64 62

uint16_t arch_elf_machine(void)
{
	return EM_X86_64;
}

int arch_virt_cpu_init(void)
{
	void *hsave = page_pool_alloc(&hv_page_pool, 1, 1);

	if (!hsave)
		return -HV_ENOMEM;
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
		return -HV_ENOTSUP;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, (uintptr_t)hsave);
	return 0;
}

void *arch_cell_io_create(const struct tessera_config_pio *pio, unsigned int nr_pio,
			  const struct tessera_config_msr *msr, unsigned int nr_msr)
{
	struct svm_cell_io *io = page_pool_alloc(&hv_page_pool, 1, 1);

	if (!io)
		return NULL;
	io->iopm = page_pool_alloc(&hv_page_pool, SVM_IOPM_SIZE / PAGE_SIZE, 1);
	io->msrpm = page_pool_alloc(&hv_page_pool, SVM_MSRPM_SIZE / PAGE_SIZE, 1);
	if (!io->iopm || !io->msrpm)
		return NULL;
	svm_iopm_build(io->iopm, pio, nr_pio);
	svm_msrpm_build(io->msrpm, msr, nr_msr);
	return io;
}
