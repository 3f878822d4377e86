/*
 * The page pool: the only allocator of the hypervisor. A contiguous block of pages reserved at boot,
 * tracked by a bitmap kept inside the pool itself. Pages come back zeroed, so that memory one user gave
 * up never reaches the next with its old contents (principle 1, docs/architecture.md).
 *
 * The pool works on virtual addresses; the hypervisor maps RAM 1:1, the host tests hand it a buffer.
 */
#ifndef TESSERA_PAGE_POOL_H
#define TESSERA_PAGE_POOL_H

#include <tessera/compiler.h>
#include <tessera/spinlock.h>

struct page_pool {
	uintptr_t base;	 /* first page handed out (after the bitmap) */
	size_t nr_pages; /* pages available for allocation */
	size_t nr_used;
	uint64_t *bitmap; /* one bit per page, set = in use */
	struct spinlock lock;
};

/*
 * Set up a pool over [mem, mem + size). `mem` must be page aligned. The bitmap is carved from the start of
 * the block. Returns -HV_EINVAL if the block cannot hold at least one page after the bitmap.
 */
int page_pool_init(struct page_pool *pool, void *mem, size_t size);
/* `count` contiguous zeroed pages, aligned to `align_pages` pages (a power of two); NULL if none. */
void *page_pool_alloc(struct page_pool *pool, size_t count, size_t align_pages);
/* Give pages back; they are cleared before they can be handed out again. -HV_EINVAL if not allocated. */
int page_pool_free(struct page_pool *pool, void *pages, size_t count);
size_t page_pool_free_pages(struct page_pool *pool);

/* The hypervisor's pool, set up by hv_main(). */
extern struct page_pool hv_page_pool;

#endif
