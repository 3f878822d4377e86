/* The x86-64 entry format through the page-table builder: raw entry bits, 1G/2M leaves, NPT's U bit. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/error.h>
#include "paging.h"

#define K4 0x1000ULL
#define M2 0x200000ULL
#define G1 0x40000000ULL

static int live, limit = -1;

static void *h_alloc(void *ctx, uint64_t *pa)
{
	(void)ctx;
	if (limit >= 0 && live >= limit)
		return NULL;
	void *p = aligned_alloc(4096, 4096);
	cr_assert_not_null(p);
	memset(p, 0, 4096);
	live++;
	*pa = (uint64_t)(uintptr_t)p;
	return p;
}
static void h_free(void *ctx, void *t)
{
	(void)ctx;
	live--;
	free(t);
}
static void *h_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

static struct pgtable pt;

static void setup(void)
{
	live = 0;
	limit = -1;
	pt = (struct pgtable){.fmt = &x86_pgtable_format,
			      .alloc_table = h_alloc,
			      .free_table = h_free,
			      .table_virt = h_virt};
	cr_assert_eq(pgtable_init(&pt), 0);
}
static void teardown(void)
{
	pgtable_destroy(&pt);
	cr_expect_eq(live, 0, "leaked %d tables", live);
}
TestSuite(x86_pgtable, .init = setup, .fini = teardown);

/* The raw entry that maps va, and its level, found by walking the tables by hand (not through pgtable). */
static uint64_t raw_leaf(uint64_t va, unsigned int *level)
{
	uint64_t *t = (uint64_t *)(uintptr_t)pt.root_pa;
	for (int l = 3; l >= 0; l--) {
		uint64_t e = t[(va >> (12 + 9 * l)) & 511];
		if (!(e & X86_PTE_P))
			return 0;
		if (l == 0 || (e & X86_PTE_PS)) {
			*level = (unsigned int)l;
			return e;
		}
		cr_assert(!(e & X86_PTE_NX), "table entry with NX at level %d", l);
		t = (uint64_t *)(uintptr_t)(e & X86_PTE_ADDR);
	}
	return 0;
}

Test(x86_pgtable, leaf_sizes_and_addresses)
{
	/* [1G-4K, 2G+2M+4K): one 4K page, one 1G leaf, one 2M leaf, one 4K page */
	uint64_t va = G1 - K4, size = K4 + G1 + M2 + K4;
	cr_assert_eq(pgtable_map(&pt, va, va, size, PGF_READ | PGF_WRITE), 0);
	unsigned int l;
	uint64_t e;

	e = raw_leaf(G1 - K4, &l);
	cr_expect_eq(l, 0);
	cr_expect_eq(e & X86_PTE_ADDR, G1 - K4);
	e = raw_leaf(G1 + 12345 * K4, &l);
	cr_expect_eq(l, 2);
	cr_expect(e & X86_PTE_PS);
	cr_expect_eq(e & X86_PTE_ADDR, G1);
	e = raw_leaf(2 * G1 + 5, &l);
	cr_expect_eq(l, 1);
	cr_expect_eq(e & X86_PTE_ADDR, 2 * G1);
	e = raw_leaf(2 * G1 + M2, &l);
	cr_expect_eq(l, 0);
	cr_expect(!(e & X86_PTE_PS));
	cr_expect_eq(raw_leaf(2 * G1 + M2 + K4, &l), 0);

	uint64_t pa;
	unsigned int level;
	cr_assert_eq(pgtable_walk(&pt, G1 + 0x123456, &pa, NULL, &level), 0);
	cr_expect_eq(pa, G1 + 0x123456);
	cr_expect_eq(level, 2);
}

Test(x86_pgtable, permission_bits)
{
	unsigned int l, f;
	uint64_t e;

	cr_assert_eq(pgtable_map(&pt, 0x1000, 0x1000, K4, PGF_READ | PGF_EXEC), 0);  /* text */
	cr_assert_eq(pgtable_map(&pt, 0x2000, 0x2000, K4, PGF_READ), 0);	     /* rodata */
	cr_assert_eq(pgtable_map(&pt, 0x3000, 0x3000, K4, PGF_READ | PGF_WRITE), 0); /* data */
	cr_assert_eq(pgtable_map(&pt, 0xfee00000, 0xfee00000, K4, PGF_READ | PGF_WRITE | PGF_DEVICE), 0);
	cr_assert_eq(pgtable_map(&pt, M2, 0x80000000, M2, PGF_READ | PGF_WRITE | PGF_EXEC | PGF_USER), 0);

	e = raw_leaf(0x1000, &l);
	cr_expect((e & (X86_PTE_P | X86_PTE_RW | X86_PTE_NX)) == X86_PTE_P);
	e = raw_leaf(0x2000, &l);
	cr_expect((e & (X86_PTE_P | X86_PTE_RW | X86_PTE_NX)) == (X86_PTE_P | X86_PTE_NX));
	e = raw_leaf(0x3000, &l);
	cr_expect((e & (X86_PTE_RW | X86_PTE_NX | X86_PTE_US | X86_PTE_PCD)) == (X86_PTE_RW | X86_PTE_NX));
	e = raw_leaf(0xfee00000, &l);
	cr_expect(e & X86_PTE_PCD);
	cr_expect(e & X86_PTE_PWT);
	cr_expect(e & X86_PTE_NX);
	/* NPT: U on the leaf and on every table entry above it */
	e = raw_leaf(M2, &l);
	cr_expect_eq(l, 1);
	cr_expect(e & X86_PTE_US);
	cr_expect(!(e & X86_PTE_NX));
	uint64_t *t = (uint64_t *)(uintptr_t)pt.root_pa;
	cr_expect(t[0] & X86_PTE_US);

	cr_assert_eq(pgtable_walk(&pt, 0xfee00000, NULL, &f, NULL), 0);
	cr_expect_eq(f, PGF_READ | PGF_WRITE | PGF_DEVICE);
	cr_assert_eq(pgtable_walk(&pt, M2 + 8, NULL, &f, NULL), 0);
	cr_expect_eq(f, PGF_READ | PGF_WRITE | PGF_EXEC | PGF_USER);
}

Test(x86_pgtable, split_1g_keeps_flags_and_addresses)
{
	cr_assert_eq(pgtable_map(&pt, 0, 4 * G1, G1, PGF_READ | PGF_WRITE | PGF_GLOBAL), 0);
	cr_assert_eq(pgtable_unmap(&pt, 3 * M2 + 7 * K4, K4), 0);
	unsigned int l;
	uint64_t e = raw_leaf(3 * M2 + 6 * K4, &l);
	cr_expect_eq(l, 0);
	cr_expect_eq(e & X86_PTE_ADDR, 4 * G1 + 3 * M2 + 6 * K4);
	cr_expect(e & X86_PTE_G);
	cr_expect(e & X86_PTE_RW);
	cr_expect(e & X86_PTE_NX);
	cr_expect_eq(raw_leaf(3 * M2 + 7 * K4, &l), 0);
	e = raw_leaf(5 * M2, &l);
	cr_expect_eq(l, 1);
	cr_expect_eq(e & X86_PTE_ADDR, 4 * G1 + 5 * M2);
	/* remap the hole with other permissions */
	cr_assert_eq(pgtable_map(&pt, 3 * M2 + 7 * K4, 0x1234000, K4, PGF_READ | PGF_EXEC), 0);
	e = raw_leaf(3 * M2 + 7 * K4, &l);
	cr_expect_eq(e & X86_PTE_ADDR, 0x1234000);
	cr_expect(!(e & (X86_PTE_NX | X86_PTE_RW)));
}

Test(x86_pgtable, out_of_memory_is_reported)
{
	limit = live + 2; /* PDPT and PD, but no page table */
	cr_expect_eq(pgtable_map(&pt, 0x1000, 0x1000, K4, PGF_READ), -HV_ENOMEM);
	cr_expect_eq(pgtable_walk(&pt, 0x1000, NULL, NULL, NULL), -HV_ENOENT);
	cr_expect_eq(pgtable_map(&pt, M2, M2, M2, PGF_READ), 0);
}
