/*
 * The cells' second-stage format on SVM: NPT uses the ordinary x86-64 page-table format, and every NPT
 * entry needs the U bit (docs/qemu-facts.md). Pure C, so the host unit tests build cells' tables with it.
 */
#include <tessera/arch.h>
#include <tessera/pgtable.h>
#include "../paging.h"

const struct pgtable_format *arch_stage2_format(void)
{
	return &x86_pgtable_format;
}

unsigned int arch_stage2_flags(unsigned int flags)
{
	return flags | PGF_USER;
}
