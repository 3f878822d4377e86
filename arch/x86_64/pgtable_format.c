/*
 * The x86-64 4-level page-table entry format for the arch-neutral builder. Table entries carry P|RW|US and
 * no NX, so that the leaf alone decides the permissions (and NPT, which checks U at every level, works).
 */
#include "paging.h"

static uint64_t x86_make_table(uint64_t table_pa)
{
	return (table_pa & X86_PTE_ADDR) | X86_PTE_P | X86_PTE_RW | X86_PTE_US;
}

static uint64_t x86_make_leaf(uint64_t pa, unsigned int level, unsigned int flags)
{
	uint64_t e = (pa & X86_PTE_ADDR) | X86_PTE_P;

	if (flags & PGF_WRITE)
		e |= X86_PTE_RW;
	if (flags & PGF_USER)
		e |= X86_PTE_US;
	if (flags & PGF_DEVICE)
		e |= X86_PTE_PCD | X86_PTE_PWT;
	if (flags & PGF_GLOBAL)
		e |= X86_PTE_G;
	if (!(flags & PGF_EXEC))
		e |= X86_PTE_NX;
	if (level > 0)
		e |= X86_PTE_PS;
	return e;
}

static bool x86_is_present(uint64_t entry)
{
	return entry & X86_PTE_P;
}

static bool x86_is_leaf(uint64_t entry, unsigned int level)
{
	return level == 0 || (entry & X86_PTE_PS);
}

static uint64_t x86_entry_addr(uint64_t entry, unsigned int level)
{
	/* In a large leaf, bit 12 is the PAT bit, not part of the address. */
	if (level > 0 && (entry & X86_PTE_PS))
		return entry & X86_PTE_ADDR & ~((1ULL << (12 + 9 * level)) - 1);
	return entry & X86_PTE_ADDR;
}

static unsigned int x86_entry_flags(uint64_t entry, unsigned int level)
{
	unsigned int f = PGF_READ;

	(void)level;
	if (entry & X86_PTE_RW)
		f |= PGF_WRITE;
	if (entry & X86_PTE_US)
		f |= PGF_USER;
	if (entry & X86_PTE_PCD)
		f |= PGF_DEVICE;
	if (entry & X86_PTE_G)
		f |= PGF_GLOBAL;
	if (!(entry & X86_PTE_NX))
		f |= PGF_EXEC;
	return f;
}

const struct pgtable_format x86_pgtable_format = {
	.name = "x86-64 4-level",
	.levels = 4,
	.page_shift = 12,
	.bits_per_level = 9,
	.leaf_levels = (1u << 0) | (1u << 1) | (1u << 2),
	.make_table = x86_make_table,
	.make_leaf = x86_make_leaf,
	.is_present = x86_is_present,
	.is_leaf = x86_is_leaf,
	.entry_addr = x86_entry_addr,
	.entry_flags = x86_entry_flags,
};
