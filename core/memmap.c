/* Physical memory map normalization: see memmap.h. */
#include <tessera/error.h>
#include <tessera/memmap.h>

void memmap_init(struct memmap *map)
{
	map->nr = 0;
}

int memmap_add(struct memmap *map, uint64_t base, uint64_t size, enum mem_type type)
{
	/*
	 * Ends are stored as base + size, so 2^64 itself cannot be one: clamp ranges at the last page
	 * boundary below it (no physical memory lives in that top page).
	 */
	const uint64_t top = 0 - (uint64_t)PAGE_SIZE;

	if (size == 0 || base >= top)
		return 0;
	if (size > top - base)
		size = top - base;
	if (map->nr >= MEMMAP_MAX_RANGES)
		return -HV_ENOMEM;
	map->ranges[map->nr++] = (struct mem_range){base, size, type};
	return 0;
}

/* Stronger types win where ranges overlap. */
static int type_rank(enum mem_type t)
{
	return t == MEM_HV ? 3 : t == MEM_RESERVED ? 2 : 1;
}

/*
 * Rebuild the map from its boundary points: every range edge is a cut, and each piece between two cuts
 * takes the strongest type of the ranges covering it. O(n^2) on at most 64 ranges, once at boot.
 */
int memmap_normalize(struct memmap *map)
{
	uint64_t cuts[2 * MEMMAP_MAX_RANGES];
	unsigned int nc = 0;

	for (unsigned int i = 0; i < map->nr; i++) {
		cuts[nc++] = map->ranges[i].base;
		cuts[nc++] = map->ranges[i].base + map->ranges[i].size;
	}
	/* insertion sort, then drop duplicates */
	for (unsigned int i = 1; i < nc; i++) {
		uint64_t v = cuts[i];
		unsigned int j = i;
		for (; j > 0 && cuts[j - 1] > v; j--)
			cuts[j] = cuts[j - 1];
		cuts[j] = v;
	}
	unsigned int nu = 0;
	for (unsigned int i = 0; i < nc; i++)
		if (nu == 0 || cuts[nu - 1] != cuts[i])
			cuts[nu++] = cuts[i];

	struct memmap out;
	memmap_init(&out);
	for (unsigned int i = 0; i + 1 < nu; i++) {
		uint64_t lo = cuts[i], hi = cuts[i + 1];
		int best = 0;
		enum mem_type type = MEM_RAM;
		for (unsigned int r = 0; r < map->nr; r++) {
			const struct mem_range *m = &map->ranges[r];
			if (m->base <= lo && m->base + m->size >= hi && type_rank(m->type) > best) {
				best = type_rank(m->type);
				type = m->type;
			}
		}
		if (!best)
			continue; /* a hole between ranges */
		struct mem_range *last = out.nr ? &out.ranges[out.nr - 1] : NULL;
		if (last && last->type == type && last->base + last->size == lo)
			last->size += hi - lo;
		else if (memmap_add(&out, lo, hi - lo, type))
			return -HV_ENOMEM;
	}
	*map = out;
	return 0;
}

int memmap_claim(struct memmap *map, uint64_t base, uint64_t size)
{
	unsigned int nr = map->nr;
	int err = memmap_add(map, base, size, MEM_HV);

	if (!err)
		err = memmap_normalize(map);
	if (err)
		map->nr = nr; /* normalize leaves the map alone when it fails: drop the claim we added */
	return err;
}

bool memmap_is(const struct memmap *map, uint64_t base, uint64_t size, enum mem_type type)
{
	uint64_t end = base + size;

	if (end < base)
		return false;
	/* The map is normalized and sorted: walk forward through contiguous ranges of the type. */
	for (unsigned int i = 0; i < map->nr && base < end; i++) {
		const struct mem_range *m = &map->ranges[i];
		if (m->base <= base && base < m->base + m->size) {
			if (m->type != type)
				return false;
			base = m->base + m->size;
		}
	}
	return base >= end;
}

int memmap_find_free(const struct memmap *map, uint64_t size, uint64_t align, uint64_t min, uint64_t *base)
{
	for (unsigned int i = 0; i < map->nr; i++) {
		const struct mem_range *m = &map->ranges[i];
		if (m->type != MEM_RAM)
			continue;
		uint64_t lo = MAX(m->base, min);
		uint64_t start = ALIGN_UP(lo, align);
		/* start < lo: aligning up wrapped past the top */
		if (start >= lo && start + size <= m->base + m->size && start + size > start) {
			*base = start;
			return 0;
		}
	}
	return -HV_ENOMEM;
}

uint64_t memmap_total(const struct memmap *map, enum mem_type type)
{
	uint64_t total = 0;
	for (unsigned int i = 0; i < map->nr; i++)
		if (map->ranges[i].type == type)
			total += map->ranges[i].size;
	return total;
}

const char *memmap_type_name(enum mem_type type)
{
	switch (type) {
	case MEM_RAM: return "ram";
	case MEM_RESERVED: return "reserved";
	case MEM_HV: return "hypervisor";
	}
	return "?";
}
