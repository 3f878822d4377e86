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

Test(memmap, empty_and_zero_sized)
{
	memmap_init(&map);
	add(0x1000, 0, MEM_RAM);
	cr_expect_eq(map.nr, 0, "zero-sized ranges are dropped");
	normalize();
	cr_expect_eq(map.nr, 0);
	cr_expect_eq(memmap_total(&map, MEM_RAM), 0);
	uint64_t base;
	cr_expect_eq(memmap_find_free(&map, PAGE_SIZE, PAGE_SIZE, 0, &base), -HV_ENOMEM);
}

Test(memmap, sorts_and_merges_neighbours)
{
	memmap_init(&map);
	add(2 * MIB, MIB, MEM_RAM);
	add(0, 640 * KIB, MEM_RAM);
	add(MIB, MIB, MEM_RAM);			  /* touches both 1M..2M and 2M..3M */
	add(640 * KIB, 384 * KIB, MEM_RESERVED);  /* the legacy hole */
	add(3 * MIB - 4 * KIB, 8 * KIB, MEM_RAM); /* overlaps the end of RAM and extends it */
	normalize();
	cr_expect_eq(map.nr, 3);
	expect_range(0, 0, 640 * KIB, MEM_RAM);
	expect_range(1, 640 * KIB, 384 * KIB, MEM_RESERVED);
	expect_range(2, MIB, 2 * MIB + 4 * KIB, MEM_RAM);
}

Test(memmap, merge_across_types_keeps_them_apart)
{
	memmap_init(&map);
	add(0, 640 * KIB, MEM_RAM);
	add(640 * KIB, 384 * KIB, MEM_RESERVED);
	add(MIB, MIB, MEM_RAM);
	add(2 * MIB, MIB, MEM_RAM);
	normalize();
	cr_expect_eq(map.nr, 3);
	expect_range(0, 0, 640 * KIB, MEM_RAM);
	expect_range(1, 640 * KIB, 384 * KIB, MEM_RESERVED);
	expect_range(2, MIB, 2 * MIB, MEM_RAM);
	cr_expect_eq(memmap_total(&map, MEM_RAM), 640 * KIB + 2 * MIB);
	cr_expect_eq(memmap_total(&map, MEM_RESERVED), 384 * KIB);
}

/* Overlaps: HV beats reserved beats RAM, whatever order the ranges came in. */
Test(memmap, overlaps_resolved_by_rank)
{
	static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	const struct mem_range in[3] = {
		{0, 16 * MIB, MEM_RAM},
		{4 * MIB, 8 * MIB, MEM_RESERVED},
		{6 * MIB, 8 * MIB, MEM_HV},
	};

	for (int o = 0; o < 6; o++) {
		memmap_init(&map);
		for (int k = 0; k < 3; k++)
			add(in[orders[o][k]].base, in[orders[o][k]].size, in[orders[o][k]].type);
		normalize();
		cr_expect_eq(map.nr, 4, "order %d", o);
		expect_range(0, 0, 4 * MIB, MEM_RAM);
		expect_range(1, 4 * MIB, 2 * MIB, MEM_RESERVED);
		expect_range(2, 6 * MIB, 8 * MIB, MEM_HV);
		expect_range(3, 14 * MIB, 2 * MIB, MEM_RAM);
	}
}

Test(memmap, reserved_inside_ram_splits_it_and_ram_never_wins)
{
	memmap_init(&map);
	add(0x100000, 0x100000, MEM_RESERVED);
	add(0, 0x400000, MEM_RAM);
	add(0x100000, 0x200000, MEM_RAM); /* RAM over reserved changes nothing */
	normalize();
	cr_expect_eq(map.nr, 3);
	expect_range(0, 0, 0x100000, MEM_RAM);
	expect_range(1, 0x100000, 0x100000, MEM_RESERVED);
	expect_range(2, 0x200000, 0x200000, MEM_RAM);
}

Test(memmap, holes_stay_holes)
{
	memmap_init(&map);
	add(4 * GIB, 4 * GIB, MEM_RAM);
	add(0, 2 * GIB, MEM_RAM);
	add(3 * GIB, 256 * MIB, MEM_RESERVED);
	normalize();
	cr_expect_eq(map.nr, 3);
	expect_range(0, 0, 2 * GIB, MEM_RAM);
	expect_range(1, 3 * GIB, 256 * MIB, MEM_RESERVED);
	expect_range(2, 4 * GIB, 4 * GIB, MEM_RAM);
	cr_expect(!memmap_is(&map, 2 * GIB - PAGE_SIZE, 2 * PAGE_SIZE, MEM_RAM), "runs into the hole");
	cr_expect(!memmap_is(&map, 2 * GIB, PAGE_SIZE, MEM_RAM));
	cr_expect(!memmap_is(&map, 2 * GIB, PAGE_SIZE, MEM_RESERVED));
	cr_expect(!memmap_is(&map, 0, 8 * GIB, MEM_RAM));
}

Test(memmap, normalize_is_idempotent)
{
	memmap_init(&map);
	add(0, 1 * MIB, MEM_RAM);
	add(0x9f000, 0x61000, MEM_RESERVED);
	add(0x200000, 0x100000, MEM_HV);
	add(0, 8 * MIB, MEM_RAM);
	normalize();
	struct memmap once = map;
	normalize();
	cr_expect_eq(map.nr, once.nr);
	cr_expect_arr_eq(map.ranges, once.ranges, once.nr * sizeof(once.ranges[0]));
}

Test(memmap, claim_carves_the_right_piece)
{
	memmap_init(&map);
	add(0, 640 * KIB, MEM_RAM);
	add(MIB, 127 * MIB, MEM_RAM);
	normalize();
	cr_assert_eq(memmap_claim(&map, 16 * MIB, 4 * MIB), 0);
	expect_normalized();
	cr_expect_eq(map.nr, 4);
	expect_range(0, 0, 640 * KIB, MEM_RAM);
	expect_range(1, MIB, 15 * MIB, MEM_RAM);
	expect_range(2, 16 * MIB, 4 * MIB, MEM_HV);
	expect_range(3, 20 * MIB, 108 * MIB, MEM_RAM);
	/* a second claim right after the first merges with it */
	cr_assert_eq(memmap_claim(&map, 20 * MIB, MIB), 0);
	expect_range(2, 16 * MIB, 5 * MIB, MEM_HV);
	expect_range(3, 21 * MIB, 107 * MIB, MEM_RAM);
	/* claiming at the very start of a range, and a whole range */
	cr_assert_eq(memmap_claim(&map, MIB, MIB), 0);
	expect_range(1, MIB, MIB, MEM_HV);
	expect_range(2, 2 * MIB, 14 * MIB, MEM_RAM);
	cr_assert_eq(memmap_claim(&map, 0, 640 * KIB), 0);
	expect_range(0, 0, 640 * KIB, MEM_HV);
	cr_expect_eq(memmap_total(&map, MEM_HV), 640 * KIB + 6 * MIB);
	cr_expect_eq(memmap_total(&map, MEM_RAM), 121 * MIB);
	/* claiming a hole turns it into hypervisor memory too (e.g. an image loaded where the map said nothing) */
	cr_assert_eq(memmap_claim(&map, 768 * KIB, 64 * KIB), 0);
	cr_expect(memmap_is(&map, 768 * KIB, 64 * KIB, MEM_HV));
}

Test(memmap, is_across_adjacent_ranges)
{
	memmap_init(&map);
	add(0, 4 * MIB, MEM_RAM);
	add(4 * MIB, 4 * MIB, MEM_RESERVED);
	add(8 * MIB, 8 * MIB, MEM_RAM);
	add(3 * MIB, MIB, MEM_RESERVED);
	normalize();
	cr_expect_eq(map.nr, 3);
	cr_expect(memmap_is(&map, 0, 3 * MIB, MEM_RAM));
	cr_expect(memmap_is(&map, 3 * MIB, 5 * MIB, MEM_RESERVED),
		  "two touching reserved ranges count as one");
	cr_expect(!memmap_is(&map, 0, 4 * MIB, MEM_RAM), "RAM then reserved");
	cr_expect(!memmap_is(&map, 7 * MIB, 2 * MIB, MEM_RESERVED), "reserved then RAM");
	cr_expect(memmap_is(&map, 8 * MIB, 8 * MIB, MEM_RAM));
	cr_expect(!memmap_is(&map, 8 * MIB, 8 * MIB + 1, MEM_RAM), "one byte past the end");
	cr_expect(memmap_is(&map, 16 * MIB - 1, 1, MEM_RAM), "the last byte");
	cr_expect(!memmap_is(&map, 16 * MIB, 1, MEM_RAM));
	cr_expect(!memmap_is(&map, 3 * MIB, 1, MEM_RAM));
	cr_expect(!memmap_is(&map, UINT64_MAX, 2, MEM_RAM), "wrapping query");
	cr_expect(memmap_is(&map, 5 * MIB, 0, MEM_HV), "an empty range is trivially anything");

	/* adjacent ranges of one type given separately are merged, and memmap_is walks across them */
	memmap_init(&map);
	add(0, MIB, MEM_RAM);
	add(MIB, MIB, MEM_RESERVED);
	add(2 * MIB, MIB, MEM_HV);
	add(3 * MIB, MIB, MEM_RESERVED);
	normalize();
	cr_expect_eq(map.nr, 4);
	cr_expect(!memmap_is(&map, MIB, 3 * MIB, MEM_RESERVED));
	cr_expect(memmap_is(&map, 2 * MIB, MIB, MEM_HV));
}

Test(memmap, find_free_honours_alignment_min_and_types)
{
	uint64_t base = 0;

	memmap_init(&map);
	add(0, 640 * KIB, MEM_RAM);
	add(MIB, 3 * MIB, MEM_RAM);
	add(MIB + 0x3000, 0x1000, MEM_HV);
	add(8 * MIB, 64 * MIB, MEM_RAM);
	add(9 * MIB, MIB, MEM_RESERVED);
	normalize();

	cr_assert_eq(memmap_find_free(&map, PAGE_SIZE, PAGE_SIZE, 0, &base), 0);
	cr_expect_eq(base, 0);
	cr_assert_eq(memmap_find_free(&map, MIB, PAGE_SIZE, 0, &base), 0);
	cr_expect_eq(base, MIB + 0x4000, "the first 1 MiB of RAM lies after the HV page");
	cr_assert_eq(memmap_find_free(&map, 0x3000, PAGE_SIZE, MIB, &base), 0);
	cr_expect_eq(base, MIB, "fits before the HV page");
	cr_assert_eq(memmap_find_free(&map, 2 * MIB, 2 * MIB, 0, &base), 0);
	cr_expect_eq(base, 2 * MIB, "2M..4M is RAM");
	cr_assert_eq(memmap_find_free(&map, 3 * MIB, 2 * MIB, 0, &base), 0);
	cr_expect_eq(base, 10 * MIB, "2M..5M runs out of RAM, 8M..9M is too small, 9M..10M reserved");
	cr_assert_eq(memmap_find_free(&map, PAGE_SIZE, PAGE_SIZE, 640 * KIB, &base), 0);
	cr_expect_eq(base, MIB, "min in a hole moves to the next RAM");
	cr_assert_eq(memmap_find_free(&map, PAGE_SIZE, PAGE_SIZE, 2 * MIB + 1, &base), 0);
	cr_expect_eq(base, 2 * MIB + PAGE_SIZE, "min inside RAM is rounded up to the alignment");
	cr_assert_eq(memmap_find_free(&map, 16 * MIB, 16 * MIB, 0, &base), 0);
	cr_expect_eq(base, 16 * MIB);
	cr_assert_eq(memmap_find_free(&map, 62 * MIB, PAGE_SIZE, 0, &base), 0);
	cr_expect_eq(base, 10 * MIB, "exactly the rest of the last range");
	cr_expect_eq(memmap_find_free(&map, 62 * MIB + PAGE_SIZE, PAGE_SIZE, 0, &base), -HV_ENOMEM);
	cr_expect_eq(memmap_find_free(&map, PAGE_SIZE, PAGE_SIZE, 72 * MIB, &base), -HV_ENOMEM,
		     "min past RAM");
	cr_expect_eq(memmap_find_free(&map, 48 * MIB, 32 * MIB, 0, &base), -HV_ENOMEM, "no aligned room");
	cr_expect_eq(memmap_find_free(&map, UINT64_MAX - PAGE_SIZE, PAGE_SIZE, 0, &base), -HV_ENOMEM,
		     "overflow");
}

Test(memmap, table_full)
{
	memmap_init(&map);
	for (unsigned int i = 0; i < MEMMAP_MAX_RANGES; i++)
		add((uint64_t)i * 2 * MIB, MIB, i % 2 ? MEM_RESERVED : MEM_RAM);
	cr_expect_eq(memmap_add(&map, 256 * MIB, MIB, MEM_RAM), -HV_ENOMEM);
	cr_expect_eq(map.nr, MEMMAP_MAX_RANGES);
	normalize();
	cr_expect_eq(map.nr, MEMMAP_MAX_RANGES, "holes keep all 64 apart");
	cr_expect_eq(memmap_claim(&map, 0, PAGE_SIZE), -HV_ENOMEM);

	/* 32 RAM ranges with a reserved page inside each: 96 pieces do not fit */
	memmap_init(&map);
	for (unsigned int i = 0; i < 32; i++) {
		add((uint64_t)i * 4 * MIB, 2 * MIB, MEM_RAM);
		add((uint64_t)i * 4 * MIB + MIB, PAGE_SIZE, MEM_RESERVED);
	}
	struct memmap before = map;
	cr_expect_eq(memmap_normalize(&map), -HV_ENOMEM);
	cr_expect_arr_eq(&map, &before, sizeof(map), "a failed normalize leaves the map as it was");
}

Test(memmap, type_names)
{
	cr_expect_str_eq(memmap_type_name(MEM_RAM), "ram");
	cr_expect_str_eq(memmap_type_name(MEM_RESERVED), "reserved");
	cr_expect_str_eq(memmap_type_name(MEM_HV), "hypervisor");
	cr_expect_str_eq(memmap_type_name((enum mem_type)42), "?");
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
