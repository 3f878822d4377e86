/* The page pool on host buffers: setup limits, allocation patterns, alignment, zeroing, misuse, accounting. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <tessera/error.h>
#include <tessera/page_pool.h>

#define MIB (1024UL * 1024UL)

static struct page_pool pool;
static void *mem;

/* A pool over `pages` pages whose first byte sits `offset_pages` pages past a 2 MiB boundary. */
static void pool_setup(size_t pages, size_t offset_pages)
{
	mem = aligned_alloc(2 * MIB, (pages + offset_pages) * PAGE_SIZE + 2 * MIB);
	cr_assert_not_null(mem);
	memset(mem, 0xa5, (pages + offset_pages) * PAGE_SIZE);
	cr_assert_eq(page_pool_init(&pool, (char *)mem + offset_pages * PAGE_SIZE, pages * PAGE_SIZE), 0);
}

static void pool_teardown(void)
{
	free(mem);
	mem = NULL;
}

static bool page_is(const void *p, size_t count, unsigned char byte)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < count * PAGE_SIZE; i++)
		if (b[i] != byte)
			return false;
	return true;
}

/*
 * Regression: page_pool_free() cleared the pages before checking that they were allocated, so a bad free
 * that overlapped a live allocation wiped its owner's data before returning -HV_EINVAL.
 */
Test(page_pool, rejected_free_leaves_neighbours_intact)
{
	pool_setup(16, 0);
	char *a = page_pool_alloc(&pool, 1, 1);
	char *b = page_pool_alloc(&pool, 1, 1);

	cr_assert_eq(b, a + PAGE_SIZE);
	cr_assert_eq(page_pool_free(&pool, a, 1), 0);
	memset(b, 0x3c, PAGE_SIZE);
	cr_expect_eq(page_pool_free(&pool, a, 2), -HV_EINVAL, "a is no longer allocated");
	cr_expect(page_is(b, 1, 0x3c), "the failed free must not touch b");
	cr_expect_eq(page_pool_free_pages(&pool), 14);
	pool_teardown();
}

/*
 * Regression: counts near SIZE_MAX wrapped `first + count` in page_pool_free() (which then cleared far past
 * the pool) and `i + count` in page_pool_alloc() (which then scanned the bitmap past its end). The pool sits
 * in an mmap'd block followed by an inaccessible page, so any access past the block crashes the test.
 */
Test(page_pool, huge_counts_are_rejected)
{
	size_t pages = 8;
	char *map = mmap(NULL, (pages + 2) * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	struct page_pool p;

	cr_assert_neq(map, MAP_FAILED);
	/* the pool's base (after one bitmap page) on an odd page number, so 2-page alignment starts at 1 */
	char *block = ((uintptr_t)map / PAGE_SIZE) % 2 ? map + PAGE_SIZE : map;
	cr_assert_eq(mprotect(block + pages * PAGE_SIZE, PAGE_SIZE, PROT_NONE), 0);
	cr_assert_eq(page_pool_init(&p, block, pages * PAGE_SIZE), 0);
	char *a = page_pool_alloc(&p, 1, 1);
	cr_assert_not_null(a);

	cr_expect_eq(page_pool_free(&p, a + PAGE_SIZE, SIZE_MAX), -HV_EINVAL);
	cr_expect_eq(page_pool_free(&p, a + PAGE_SIZE, SIZE_MAX / PAGE_SIZE + 1), -HV_EINVAL);
	cr_expect_eq(page_pool_free(&p, a + 100 * PAGE_SIZE, 1), -HV_EINVAL);
	/* the scan starts at index 1, where 1 + SIZE_MAX wraps to 0 */
	cr_expect_null(page_pool_alloc(&p, SIZE_MAX, 2));
	cr_expect_null(page_pool_alloc(&p, SIZE_MAX, 1));
	cr_expect_null(page_pool_alloc(&p, pages, 1));
	cr_expect_eq(page_pool_free_pages(&p), pages - 2);
	cr_expect_eq(page_pool_free(&p, a, 1), 0);
	munmap(map, (pages + 2) * PAGE_SIZE);
}
