/* The page pool: a first-fit bitmap allocator over one block reserved at boot (see page_pool.h). */
#include <tessera/error.h>
#include <tessera/hooks.h>
#include <tessera/page_pool.h>
#include <tessera/string.h>

struct page_pool hv_page_pool;

static bool bit_test(const uint64_t *bm, size_t i)
{
	return bm[i / 64] & (1ULL << (i % 64));
}

static void bits_set(uint64_t *bm, size_t first, size_t count, bool value)
{
	for (size_t i = first; i < first + count; i++) {
		if (value)
			bm[i / 64] |= 1ULL << (i % 64);
		else
			bm[i / 64] &= ~(1ULL << (i % 64));
	}
}

int page_pool_init(struct page_pool *pool, void *mem, size_t size)
{
	uintptr_t start = (uintptr_t)mem;
	size_t total = size / PAGE_SIZE;

	if (!IS_ALIGNED(start, PAGE_SIZE) || total < 2)
		return -HV_EINVAL;
	/* The bitmap covers all pages of the block; the pages it occupies are not handed out. */
	size_t bitmap_pages = ALIGN_UP(ALIGN_UP(total, 64) / 8, PAGE_SIZE) / PAGE_SIZE;
	if (bitmap_pages >= total)
		return -HV_EINVAL;
	pool->bitmap = mem;
	pool->base = start + bitmap_pages * PAGE_SIZE;
	pool->nr_pages = total - bitmap_pages;
	pool->nr_used = 0;
	pool->lock = (struct spinlock)SPINLOCK_INIT;
	memset(pool->bitmap, 0, bitmap_pages * PAGE_SIZE);
	return 0;
}

void *page_pool_alloc(struct page_pool *pool, size_t count, size_t align_pages)
{
	void *result = NULL;

	if (count == 0 || count > pool->nr_pages || align_pages == 0 || (align_pages & (align_pages - 1)))
		return NULL;
	/* Fail point: the cell is whichever the calling CPU works for (cell_at_work), if any. */
	if (hook_fail(FAIL_PAGE_ALLOC, NULL, NULL))
		return NULL;
	spin_lock(&pool->lock);
	/* Alignment is of the physical (here: virtual, 1:1) address, not of the index. */
	size_t align_bytes = align_pages * PAGE_SIZE;
	size_t first = (ALIGN_UP(pool->base, align_bytes) - pool->base) / PAGE_SIZE;
	/* count <= nr_pages, so `nr_pages - count` cannot wrap (and `i + count` could) */
	for (size_t i = first; i <= pool->nr_pages - count; i += align_pages) {
		size_t run = 0;
		while (run < count && !bit_test(pool->bitmap, i + run))
			run++;
		if (run == count) {
			bits_set(pool->bitmap, i, count, true);
			pool->nr_used += count;
			result = (void *)(pool->base + i * PAGE_SIZE);
			break;
		}
	}
	spin_unlock(&pool->lock);
	if (result)
		memset(result, 0, count * PAGE_SIZE);
	return result;
}

int page_pool_free(struct page_pool *pool, void *pages, size_t count)
{
	uintptr_t addr = (uintptr_t)pages;

	if (addr < pool->base || !IS_ALIGNED(addr, PAGE_SIZE))
		return -HV_EINVAL;
	size_t first = (addr - pool->base) / PAGE_SIZE;
	if (count == 0 || first >= pool->nr_pages || count > pool->nr_pages - first)
		return -HV_EINVAL;
	spin_lock(&pool->lock);
	for (size_t i = first; i < first + count; i++) {
		if (!bit_test(pool->bitmap, i)) {
			spin_unlock(&pool->lock);
			return -HV_EINVAL;
		}
	}
	/*
	 * Clear only once the pages are known to be the caller's (a rejected free must not wipe someone
	 * else's data), and before they become available, so no later owner sees the old contents. The lock
	 * is held so that a concurrent double free cannot pass the check too.
	 */
	memset(pages, 0, count * PAGE_SIZE);
	bits_set(pool->bitmap, first, count, false);
	pool->nr_used -= count;
	spin_unlock(&pool->lock);
	return 0;
}

size_t page_pool_free_pages(struct page_pool *pool)
{
	return pool->nr_pages - pool->nr_used;
}
