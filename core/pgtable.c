/*
 * The arch-neutral page-table builder (see pgtable.h). Tables are walked recursively from the root; each
 * level covers 2^(page_shift + level * bits_per_level) bytes per entry. A new table is filled completely
 * before it is linked into its parent, so a hardware walker that runs concurrently (the hypervisor's own
 * live tables) never sees a half-built level.
 *
 * On -HV_ENOMEM a map or unmap stops where it ran out: the part already done stays done, nothing is left
 * half-linked.
 */
#include <tessera/error.h>
#include <tessera/hooks.h>
#include <tessera/pgtable.h>

static unsigned int level_shift(const struct pgtable_format *fmt, unsigned int level)
{
	return fmt->page_shift + level * fmt->bits_per_level;
}

static uint64_t level_size(const struct pgtable_format *fmt, unsigned int level)
{
	return 1ULL << level_shift(fmt, level);
}

static unsigned int entry_index(const struct pgtable_format *fmt, uint64_t va, unsigned int level)
{
	return (unsigned int)((va >> level_shift(fmt, level)) & ((1ULL << fmt->bits_per_level) - 1));
}

static bool leaf_allowed(const struct pgtable_format *fmt, unsigned int level)
{
	return fmt->leaf_levels & (1u << level);
}

static uint64_t *table_of(const struct pgtable *pt, uint64_t pa)
{
	return pt->table_virt(pt->ctx, pa);
}

/* Bytes of virtual address space the whole table covers; 0 if it covers all 64 bits. */
static uint64_t va_limit(const struct pgtable_format *fmt)
{
	unsigned int bits = level_shift(fmt, fmt->levels);
	return bits >= 64 ? 0 : 1ULL << bits;
}

int pgtable_init(struct pgtable *pt)
{
	uint64_t pa;

	if (!pt->alloc_table(pt->ctx, &pa))
		return -HV_ENOMEM;
	pt->root_pa = pa;
	return 0;
}

/* Free the table at `pa` (a table of `level`) and every table below it. */
static void free_tree(struct pgtable *pt, uint64_t pa, unsigned int level)
{
	const struct pgtable_format *fmt = pt->fmt;
	uint64_t *table = table_of(pt, pa);

	if (level > 0) {
		for (unsigned int i = 0; i < (1u << fmt->bits_per_level); i++) {
			uint64_t e = table[i];
			if (fmt->is_present(e) && !fmt->is_leaf(e, level))
				free_tree(pt, fmt->entry_addr(e, level), level - 1);
		}
	}
	if (pt->free_table)
		pt->free_table(pt->ctx, table);
}

/*
 * Make sure entry `*e` of a table at `level` points to a next-level table: allocate an empty one, or split
 * a large leaf into leaves of the next level that map the same memory with the same flags.
 */
static int ensure_table(struct pgtable *pt, uint64_t *e, unsigned int level)
{
	const struct pgtable_format *fmt = pt->fmt;
	uint64_t old = *e, pa;

	if (fmt->is_present(old) && !fmt->is_leaf(old, level))
		return 0;
	uint64_t *table = pt->alloc_table(pt->ctx, &pa);
	if (!table)
		return -HV_ENOMEM;
	if (fmt->is_present(old)) {
		if (!leaf_allowed(fmt, level - 1)) {
			if (pt->free_table)
				pt->free_table(pt->ctx, table);
			return -HV_EINVAL;
		}
		uint64_t base = fmt->entry_addr(old, level), step = level_size(fmt, level - 1);
		unsigned int flags = fmt->entry_flags(old, level);
		for (unsigned int i = 0; i < (1u << fmt->bits_per_level); i++)
			table[i] = fmt->make_leaf(base + i * step, level - 1, flags);
	}
	/* The new table is complete before the parent points to it (a release store for hardware walkers). */
	__atomic_store_n(e, fmt->make_table(pa), __ATOMIC_RELEASE);
	return 0;
}

static int map_level(struct pgtable *pt, uint64_t table_pa, unsigned int level, uint64_t va, uint64_t pa,
		     uint64_t size, unsigned int flags)
{
	const struct pgtable_format *fmt = pt->fmt;
	uint64_t *table = table_of(pt, table_pa);
	uint64_t step = level_size(fmt, level);

	while (size) {
		uint64_t *e = &table[entry_index(fmt, va, level)];
		uint64_t chunk = MIN(size, step - (va & (step - 1)));
		int err;

		if (leaf_allowed(fmt, level) && chunk == step && IS_ALIGNED(pa, step)) {
			uint64_t old = *e;
			__atomic_store_n(e, fmt->make_leaf(pa, level, flags), __ATOMIC_RELEASE);
			if (fmt->is_present(old) && !fmt->is_leaf(old, level))
				free_tree(pt, fmt->entry_addr(old, level), level - 1);
		} else {
			if (level == 0)
				return -HV_EINVAL; /* not page aligned */
			err = ensure_table(pt, e, level);
			if (!err)
				err = map_level(pt, fmt->entry_addr(*e, level), level - 1, va, pa, chunk,
						flags);
			if (err)
				return err;
		}
		va += chunk;
		pa += chunk;
		size -= chunk;
	}
	return 0;
}

static bool range_ok(const struct pgtable *pt, uint64_t va, uint64_t size)
{
	uint64_t page = 1ULL << pt->fmt->page_shift, limit = va_limit(pt->fmt);

	if (!IS_ALIGNED(va, page) || !IS_ALIGNED(size, page) || va + size < va)
		return false;
	return !limit || va + size <= limit;
}

int pgtable_map(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size, unsigned int flags)
{
	if (!range_ok(pt, va, size) || !IS_ALIGNED(pa, 1ULL << pt->fmt->page_shift))
		return -HV_EINVAL;
	int err = hook_fail(FAIL_PGTABLE_MAP, NULL, NULL);
	if (err)
		return err;
	return map_level(pt, pt->root_pa, pt->fmt->levels - 1, va, pa, size, flags);
}

static bool table_empty(const struct pgtable_format *fmt, const uint64_t *table)
{
	for (unsigned int i = 0; i < (1u << fmt->bits_per_level); i++)
		if (fmt->is_present(table[i]))
			return false;
	return true;
}

static int unmap_level(struct pgtable *pt, uint64_t table_pa, unsigned int level, uint64_t va, uint64_t size)
{
	const struct pgtable_format *fmt = pt->fmt;
	uint64_t *table = table_of(pt, table_pa);
	uint64_t step = level_size(fmt, level);

	while (size) {
		uint64_t *e = &table[entry_index(fmt, va, level)];
		uint64_t chunk = MIN(size, step - (va & (step - 1)));
		uint64_t old = *e;
		int err;

		if (!fmt->is_present(old)) {
			/* nothing mapped here */
		} else if (chunk == step) {
			__atomic_store_n(e, 0, __ATOMIC_RELEASE);
			if (!fmt->is_leaf(old, level))
				free_tree(pt, fmt->entry_addr(old, level), level - 1);
		} else {
			err = ensure_table(pt, e, level);
			if (!err)
				err = unmap_level(pt, fmt->entry_addr(*e, level), level - 1, va, chunk);
			if (err)
				return err;
			uint64_t sub_pa = fmt->entry_addr(*e, level);
			if (pt->free_table && table_empty(fmt, table_of(pt, sub_pa))) {
				__atomic_store_n(e, 0, __ATOMIC_RELEASE);
				pt->free_table(pt->ctx, table_of(pt, sub_pa));
			}
		}
		va += chunk;
		size -= chunk;
	}
	return 0;
}

int pgtable_unmap(struct pgtable *pt, uint64_t va, uint64_t size)
{
	if (!range_ok(pt, va, size))
		return -HV_EINVAL;
	return unmap_level(pt, pt->root_pa, pt->fmt->levels - 1, va, size);
}

int pgtable_walk(const struct pgtable *pt, uint64_t va, uint64_t *pa, unsigned int *flags,
		 unsigned int *level)
{
	const struct pgtable_format *fmt = pt->fmt;
	uint64_t limit = va_limit(fmt), table_pa = pt->root_pa;

	if (limit && va >= limit)
		return -HV_ENOENT;
	for (unsigned int l = fmt->levels; l-- > 0;) {
		uint64_t e = table_of(pt, table_pa)[entry_index(fmt, va, l)];
		if (!fmt->is_present(e))
			return -HV_ENOENT;
		if (fmt->is_leaf(e, l)) {
			if (pa)
				*pa = fmt->entry_addr(e, l) + (va & (level_size(fmt, l) - 1));
			if (flags)
				*flags = fmt->entry_flags(e, l);
			if (level)
				*level = l;
			return 0;
		}
		table_pa = fmt->entry_addr(e, l);
	}
	return -HV_ENOENT;
}

void pgtable_destroy(struct pgtable *pt)
{
	free_tree(pt, pt->root_pa, pt->fmt->levels - 1);
	pt->root_pa = 0;
}
