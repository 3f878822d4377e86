/*
 * An arch-neutral multi-level page-table builder. The architecture describes its format (levels, bits per
 * level, which levels may hold leaves, how to encode entries); this code maps and unmaps ranges with the
 * largest pages the alignment allows, and walks tables back. It serves the hypervisor's own tables and
 * the cells' second-stage tables (NPT, stage-2), and runs on the host in unit tests against a buffer.
 */
#ifndef TESSERA_PGTABLE_H
#define TESSERA_PGTABLE_H

#include <tessera/compiler.h>

/* Arch-neutral permission and attribute flags of a mapping. */
#define PGF_READ   (1u << 0)
#define PGF_WRITE  (1u << 1)
#define PGF_EXEC   (1u << 2)
#define PGF_USER   (1u << 3) /* x86: U bit (NPT requires it on every entry) */
#define PGF_DEVICE (1u << 4) /* uncached device memory */
#define PGF_GLOBAL (1u << 5)

struct pgtable_format {
	const char *name;
	unsigned int levels;	     /* e.g. 4 for x86-64; level levels-1 is the root */
	unsigned int page_shift;     /* 12 */
	unsigned int bits_per_level; /* 9 */
	unsigned int leaf_levels;    /* bit n set: level n may hold a leaf (level 0 = smallest page) */
	uint64_t (*make_table)(uint64_t table_pa);
	uint64_t (*make_leaf)(uint64_t pa, unsigned int level, unsigned int flags);
	bool (*is_present)(uint64_t entry);
	bool (*is_leaf)(uint64_t entry, unsigned int level);
	uint64_t (*entry_addr)(uint64_t entry, unsigned int level);
	unsigned int (*entry_flags)(uint64_t entry, unsigned int level);
};

struct pgtable {
	const struct pgtable_format *fmt;
	uint64_t root_pa;
	/* Allocate one zeroed table page; return its virtual address and set *pa. NULL when out of memory. */
	void *(*alloc_table)(void *ctx, uint64_t *pa);
	/* Give a table page back (after an unmap emptied it). May be NULL. */
	void (*free_table)(void *ctx, void *table);
	/* Virtual address at which a table page with physical address pa can be read and written. */
	void *(*table_virt)(void *ctx, uint64_t pa);
	void *ctx;
};

/* Allocate the root table. */
int pgtable_init(struct pgtable *pt);
/*
 * Map [va, va+size) to [pa, pa+size) with `flags`, using the largest leaves that alignment allows. va, pa
 * and size must be page aligned. Mapping over an existing mapping replaces it (splitting large leaves).
 */
int pgtable_map(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size, unsigned int flags);
/* Remove [va, va+size); large leaves that straddle the edges are split first. */
int pgtable_unmap(struct pgtable *pt, uint64_t va, uint64_t size);
/* Translate va. 0 and *pa, *flags, *level (leaf level) set; -HV_ENOENT if unmapped. */
int pgtable_walk(const struct pgtable *pt, uint64_t va, uint64_t *pa, unsigned int *flags,
		 unsigned int *level);
/* Free every table page (not the mapped memory). */
void pgtable_destroy(struct pgtable *pt);

#endif
