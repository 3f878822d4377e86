/* The physical memory map: normalization, claims, queries and free-block search. */
#include <criterion/criterion.h>
#include <tessera/error.h>
#include <tessera/memmap.h>

#define KIB (1ULL << 10)
#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

static struct memmap map;

static void expect_range(unsigned int i, uint64_t base, uint64_t size, enum mem_type type)
{
	cr_assert_lt(i, map.nr, "range %u missing (map has %u)", i, map.nr);
	const struct mem_range *r = &map.ranges[i];
	cr_expect_eq(r->base, base, "range %u base %#llx, want %#llx", i, (unsigned long long)r->base,
		     (unsigned long long)base);
	cr_expect_eq(r->size, size, "range %u size %#llx, want %#llx", i, (unsigned long long)r->size,
		     (unsigned long long)size);
	cr_expect_eq(r->type, type, "range %u type %s, want %s", i, memmap_type_name(r->type),
		     memmap_type_name(type));
}

/* A normalized map is sorted, has no empty ranges, no overlaps, and no two touching ranges of one type. */
static void expect_normalized(void)
{
	for (unsigned int i = 0; i < map.nr; i++) {
		cr_expect_gt(map.ranges[i].size, 0);
		if (i == 0)
			continue;
		const struct mem_range *a = &map.ranges[i - 1], *b = &map.ranges[i];
		cr_expect_leq(a->base + a->size, b->base, "ranges %u and %u overlap or are unsorted", i - 1,
			      i);
		cr_expect(!(a->base + a->size == b->base && a->type == b->type),
			  "ranges %u and %u not merged", i - 1, i);
	}
}

static void add(uint64_t base, uint64_t size, enum mem_type type)
{
	cr_assert_eq(memmap_add(&map, base, size, type), 0);
}

static void normalize(void)
{
	cr_assert_eq(memmap_normalize(&map), 0);
	expect_normalized();
}

/*
 * Regression: a range that reached or wrapped past the top of the address space was clamped to end at
 * 2^64, an end that does not fit in 64 bits; normalize saw it as ending at 0 and dropped the range.
 * Ranges are now clamped to end at the last page boundary below 2^64 (no physical memory lives there).
 */
Test(memmap, wrap_around_ranges_are_clamped_not_lost)
{
	const uint64_t top = 0 - (uint64_t)PAGE_SIZE; /* the last page boundary */

	memmap_init(&map);
	add(0, MIB, MEM_RAM);
	add(0xfffffff000000000ULL, 0x2000000000ULL, MEM_RESERVED); /* wraps */
	add(top, PAGE_SIZE, MEM_RAM);				   /* ends exactly at 2^64 */
	add(UINT64_MAX, 1, MEM_RAM);				   /* nothing of it lies below the clamp */
	normalize();
	cr_expect_eq(map.nr, 2);
	expect_range(0, 0, MIB, MEM_RAM);
	expect_range(1, 0xfffffff000000000ULL, top - 0xfffffff000000000ULL, MEM_RESERVED);
	cr_expect(memmap_is(&map, 0xfffffff000000000ULL, PAGE_SIZE, MEM_RESERVED));

	memmap_init(&map);
	add(top - 4 * PAGE_SIZE, 8 * PAGE_SIZE, MEM_RAM);
	normalize();
	cr_expect_eq(map.nr, 1);
	expect_range(0, top - 4 * PAGE_SIZE, 4 * PAGE_SIZE, MEM_RAM);
	uint64_t base;
	cr_expect_eq(memmap_find_free(&map, 4 * PAGE_SIZE, PAGE_SIZE, 0, &base), 0);
	cr_expect_eq(base, top - 4 * PAGE_SIZE);
}

/*
 * Regression: when `min` lay so high that aligning it up wrapped to 0, memmap_find_free() returned a block
 * at 0, below `min`.
 */
Test(memmap, find_free_never_returns_below_min)
{
	uint64_t base = 1;

	memmap_init(&map);
	add(0, 16 * MIB, MEM_RAM);
	normalize();
	cr_expect_eq(memmap_find_free(&map, PAGE_SIZE, PAGE_SIZE, UINT64_MAX - 10, &base), -HV_ENOMEM);
	cr_expect_eq(memmap_find_free(&map, PAGE_SIZE, 2 * MIB, 0 - MIB, &base), -HV_ENOMEM);
}

/*
 * Regression: a claim whose normalize ran out of table slots returned -HV_ENOMEM but left its MEM_HV range
 * appended to the map, unsorted, so the map no longer was what the firmware reported nor what was asked.
 */
Test(memmap, failed_claim_leaves_map_unchanged)
{
	memmap_init(&map);
	for (unsigned int i = 0; i < MEMMAP_MAX_RANGES - 1; i++)
		add((uint64_t)i * 2 * MIB, MIB, MEM_RAM);
	normalize();
	cr_assert_eq(map.nr, MEMMAP_MAX_RANGES - 1);
	struct memmap before = map;
	/* splitting one RAM range in three needs two more slots than there are */
	cr_expect_eq(memmap_claim(&map, 2 * MIB + PAGE_SIZE, PAGE_SIZE), -HV_ENOMEM);
	cr_expect_eq(map.nr, before.nr);
	cr_expect_arr_eq(map.ranges, before.ranges, before.nr * sizeof(map.ranges[0]));
	cr_expect(memmap_is(&map, 2 * MIB + PAGE_SIZE, PAGE_SIZE, MEM_RAM));
	/* a claim that replaces a whole range needs no extra slot and works */
	cr_expect_eq(memmap_claim(&map, 2 * MIB, MIB), 0);
	cr_expect(memmap_is(&map, 2 * MIB, MIB, MEM_HV));
}
