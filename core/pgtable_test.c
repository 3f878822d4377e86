/*
 * Page-table builder tests against a toy format defined here: 3 levels of 9 bits over 4 KiB pages, leaves
 * allowed at levels 0 and 1 only (so the root level must never hold a leaf). Tables live in host buffers.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/error.h>
#include <tessera/pgtable.h>

#define T_P	 (1ULL << 0)
#define T_LEAF	 (1ULL << 1)
#define T_FSHIFT 2
#define T_ADDR	 (~0xfffULL)

static uint64_t t_make_table(uint64_t pa)
{
	return pa | T_P;
}
static uint64_t t_make_leaf(uint64_t pa, unsigned int level, unsigned int flags)
{
	return pa | T_P | (level ? T_LEAF : 0) | ((uint64_t)flags << T_FSHIFT);
}
static bool t_is_present(uint64_t e)
{
	return e & T_P;
}
static bool t_is_leaf(uint64_t e, unsigned int level)
{
	return level == 0 || (e & T_LEAF);
}
static uint64_t t_entry_addr(uint64_t e, unsigned int level)
{
	(void)level;
	return e & T_ADDR;
}
static unsigned int t_entry_flags(uint64_t e, unsigned int level)
{
	(void)level;
	return (unsigned int)((e >> T_FSHIFT) & 0x3f);
}

static const struct pgtable_format toy = {
	.name = "toy",
	.levels = 3,
	.page_shift = 12,
	.bits_per_level = 9,
	.leaf_levels = 0x3,
	.make_table = t_make_table,
	.make_leaf = t_make_leaf,
	.is_present = t_is_present,
	.is_leaf = t_is_leaf,
	.entry_addr = t_entry_addr,
	.entry_flags = t_entry_flags,
};

struct alloc_ctx {
	int live;  /* tables allocated and not yet freed */
	int limit; /* fail allocations beyond this many live tables (-1: no limit) */
};

static void *t_alloc(void *ctx, uint64_t *pa)
{
	struct alloc_ctx *a = ctx;
	if (a->limit >= 0 && a->live >= a->limit)
		return NULL;
	void *p = aligned_alloc(4096, 4096);
	cr_assert_not_null(p);
	memset(p, 0, 4096);
	a->live++;
	*pa = (uint64_t)(uintptr_t)p;
	return p;
}
static void t_free(void *ctx, void *table)
{
	struct alloc_ctx *a = ctx;
	a->live--;
	free(table);
}
static void *t_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

static struct alloc_ctx actx;
static struct pgtable pt;

static void setup(void)
{
	actx = (struct alloc_ctx){0, -1};
	pt = (struct pgtable){.fmt = &toy,
			      .alloc_table = t_alloc,
			      .free_table = t_free,
			      .table_virt = t_virt,
			      .ctx = &actx};
	cr_assert_eq(pgtable_init(&pt), 0);
}

static void teardown(void)
{
	pgtable_destroy(&pt);
	cr_expect_eq(actx.live, 0, "destroy leaked %d tables", actx.live);
}

TestSuite(pgtable, .init = setup, .fini = teardown);

#define K4 0x1000ULL
#define M2 0x200000ULL
#define G1 0x40000000ULL

static void expect_map(uint64_t va, uint64_t pa, unsigned int flags, unsigned int level)
{
	uint64_t got_pa;
	unsigned int got_flags, got_level;
	cr_assert_eq(pgtable_walk(&pt, va, &got_pa, &got_flags, &got_level), 0, "va %#llx not mapped",
		     (unsigned long long)va);
	cr_expect_eq(got_pa, pa, "va %#llx -> %#llx, want %#llx", (unsigned long long)va,
		     (unsigned long long)got_pa, (unsigned long long)pa);
	cr_expect_eq(got_flags, flags, "va %#llx flags %#x want %#x", (unsigned long long)va, got_flags,
		     flags);
	cr_expect_eq(got_level, level, "va %#llx level %u want %u", (unsigned long long)va, got_level, level);
}

static void expect_unmapped(uint64_t va)
{
	cr_expect_eq(pgtable_walk(&pt, va, NULL, NULL, NULL), -HV_ENOENT, "va %#llx still mapped",
		     (unsigned long long)va);
}

Test(pgtable, single_page)
{
	cr_assert_eq(pgtable_map(&pt, 0x5000, 0x9000, K4, PGF_READ), 0);
	expect_map(0x5000, 0x9000, PGF_READ, 0);
	expect_map(0x5123, 0x9123, PGF_READ, 0);
	expect_unmapped(0x4000);
	expect_unmapped(0x6000);
}

Test(pgtable, largest_leaf_that_alignment_allows)
{
	/* 4K head up to the 2M boundary, two 2M leaves, a 4K tail; the root level holds no leaf even for 1G. */
	uint64_t va = M2 - 2 * K4, pa = 0x10000000 - 2 * K4, size = 2 * K4 + 2 * M2 + K4;
	cr_assert_eq(pgtable_map(&pt, va, pa, size, PGF_READ | PGF_WRITE), 0);
	expect_map(va, pa, PGF_READ | PGF_WRITE, 0);
	expect_map(M2, 0x10000000, PGF_READ | PGF_WRITE, 1);
	expect_map(2 * M2 + 0x1234, 0x10000000 + M2 + 0x1234, PGF_READ | PGF_WRITE, 1);
	expect_map(3 * M2, 0x10000000 + 2 * M2, PGF_READ | PGF_WRITE, 0);
	expect_unmapped(3 * M2 + K4);

	cr_assert_eq(pgtable_map(&pt, G1, G1, G1, PGF_READ), 0);
	expect_map(G1 + 5 * M2, G1 + 5 * M2, PGF_READ, 1);
}

Test(pgtable, misaligned_pa_uses_small_pages)
{
	cr_assert_eq(pgtable_map(&pt, M2, M2 + K4, M2, PGF_READ), 0);
	expect_map(M2, M2 + K4, PGF_READ, 0);
	expect_map(2 * M2 - K4, 2 * M2, PGF_READ, 0);
}

Test(pgtable, partial_unmap_splits_large_leaf)
{
	cr_assert_eq(pgtable_map(&pt, 0, 0x40000000, 2 * M2, PGF_READ | PGF_EXEC), 0);
	expect_map(0x3000, 0x40003000, PGF_READ | PGF_EXEC, 1);
	cr_assert_eq(pgtable_unmap(&pt, 0x3000, 2 * K4), 0);
	expect_map(0x2000, 0x40002000, PGF_READ | PGF_EXEC, 0);
	expect_unmapped(0x3000);
	expect_unmapped(0x4000);
	expect_map(0x5000, 0x40005000, PGF_READ | PGF_EXEC, 0);
	expect_map(M2 - K4, 0x40000000 + M2 - K4, PGF_READ | PGF_EXEC, 0);
	/* the second 2M leaf was untouched */
	expect_map(M2, 0x40000000 + M2, PGF_READ | PGF_EXEC, 1);
}

Test(pgtable, partial_remap_splits_and_full_remap_merges)
{
	cr_assert_eq(pgtable_map(&pt, 0, 0, M2, PGF_READ | PGF_WRITE), 0);
	cr_assert_eq(pgtable_map(&pt, 0x7000, 0x7000, K4, PGF_READ), 0);
	expect_map(0x6000, 0x6000, PGF_READ | PGF_WRITE, 0);
	expect_map(0x7000, 0x7000, PGF_READ, 0);
	expect_map(0x8000, 0x8000, PGF_READ | PGF_WRITE, 0);
	int tables = actx.live;
	/* Mapping the whole 2M again replaces the split table with a leaf and frees the table. */
	cr_assert_eq(pgtable_map(&pt, 0, 0, M2, PGF_READ), 0);
	expect_map(0x7000, 0x7000, PGF_READ, 1);
	cr_expect_eq(actx.live, tables - 1);
}

Test(pgtable, unmap_frees_empty_tables)
{
	int before = actx.live;
	cr_assert_eq(pgtable_map(&pt, G1 + 0x5000, 0x5000, K4, PGF_READ), 0);
	cr_expect_eq(actx.live, before + 2);
	cr_assert_eq(pgtable_unmap(&pt, G1 + 0x5000, K4), 0);
	expect_unmapped(G1 + 0x5000);
	cr_expect_eq(actx.live, before);
	/* unmapping what is not mapped is fine */
	cr_expect_eq(pgtable_unmap(&pt, 3 * G1, G1), 0);
}

Test(pgtable, bad_arguments)
{
	cr_expect_eq(pgtable_map(&pt, 0x1001, 0, K4, PGF_READ), -HV_EINVAL);
	cr_expect_eq(pgtable_map(&pt, 0x1000, 0x10, K4, PGF_READ), -HV_EINVAL);
	cr_expect_eq(pgtable_map(&pt, 0x1000, 0, 100, PGF_READ), -HV_EINVAL);
	/* 3 levels of 9 bits over 4K pages cover 512 GiB */
	cr_expect_eq(pgtable_map(&pt, 512 * G1 - K4, 0, 2 * K4, PGF_READ), -HV_EINVAL);
	cr_expect_eq(pgtable_map(&pt, 512 * G1 - K4, 0, K4, PGF_READ), 0);
	cr_expect_eq(pgtable_unmap(&pt, 0x800, K4), -HV_EINVAL);
	expect_unmapped(512 * G1);
}

Test(pgtable, out_of_memory)
{
	actx.limit = actx.live + 1; /* room for one more table: the level-1 table, not the level-0 one */
	cr_expect_eq(pgtable_map(&pt, 0x1000, 0x1000, K4, PGF_READ), -HV_ENOMEM);
	expect_unmapped(0x1000);
	/* a 2M leaf needs only the one table */
	cr_expect_eq(pgtable_map(&pt, M2, M2, M2, PGF_READ), 0);
	expect_map(M2, M2, PGF_READ, 1);
	/* splitting it needs one more: refused, and the old mapping stays whole */
	cr_expect_eq(pgtable_unmap(&pt, M2, K4), -HV_ENOMEM);
	expect_map(M2, M2, PGF_READ, 1);
	actx.limit = -1;
	cr_expect_eq(pgtable_unmap(&pt, M2, K4), 0);
	expect_unmapped(M2);
	expect_map(M2 + K4, M2 + K4, PGF_READ, 0);
}
