/*
 * The physical memory map: ranges of RAM and reserved memory as the boot firmware reported them, then
 * normalized (sorted, merged, overlaps resolved with "reserved" winning) so that the rest of the
 * hypervisor can ask simple questions: is this range RAM, where is a free block of N bytes.
 */
#ifndef TESSERA_MEMMAP_H
#define TESSERA_MEMMAP_H

#include <tessera/compiler.h>

#define MEMMAP_MAX_RANGES 64

enum mem_type {
	MEM_RAM = 1,	  /* usable RAM */
	MEM_RESERVED = 2, /* firmware, MMIO holes, ACPI, anything not usable */
	MEM_HV = 3,	  /* taken by the hypervisor: its image, boot modules, the page pool */
};

struct mem_range {
	uint64_t base;
	uint64_t size;
	enum mem_type type;
};

struct memmap {
	struct mem_range ranges[MEMMAP_MAX_RANGES];
	unsigned int nr;
};

void memmap_init(struct memmap *map);
/*
 * Add a range as reported by firmware; call memmap_normalize() after the last one. -HV_ENOMEM if full.
 * Ranges are clamped to end at the last page boundary below 2^64 (an end of 2^64 does not fit in 64 bits).
 */
int memmap_add(struct memmap *map, uint64_t base, uint64_t size, enum mem_type type);
/* Sort, merge neighbours of the same type, and resolve overlaps: MEM_HV > MEM_RESERVED > MEM_RAM. */
int memmap_normalize(struct memmap *map);
/* Mark [base, base+size) as taken by the hypervisor (re-normalizes); on error the map is unchanged. */
int memmap_claim(struct memmap *map, uint64_t base, uint64_t size);
/* True if every byte of [base, base+size) is of the given type. */
bool memmap_is(const struct memmap *map, uint64_t base, uint64_t size, enum mem_type type);
/* Lowest RAM block of `size` bytes aligned to `align` at or above `min`; 0 on success, -HV_ENOMEM if none. */
int memmap_find_free(const struct memmap *map, uint64_t size, uint64_t align, uint64_t min, uint64_t *base);
/* Total bytes of the given type. */
uint64_t memmap_total(const struct memmap *map, enum mem_type type);
const char *memmap_type_name(enum mem_type type);

#endif
