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

Test(page_pool, init_rejects_blocks_too_small_or_unaligned)
{
	struct page_pool p;
	void *buf = aligned_alloc(PAGE_SIZE, 4 * PAGE_SIZE);

	cr_assert_not_null(buf);
	cr_expect_eq(page_pool_init(&p, buf, 0), -HV_EINVAL);
	cr_expect_eq(page_pool_init(&p, buf, PAGE_SIZE), -HV_EINVAL, "one page holds only the bitmap");
	cr_expect_eq(page_pool_init(&p, buf, 2 * PAGE_SIZE - 1), -HV_EINVAL, "a partial page does not count");
	cr_expect_eq(page_pool_init(&p, (char *)buf + 8, 2 * PAGE_SIZE), -HV_EINVAL, "unaligned start");
	cr_expect_eq(page_pool_init(&p, buf, 2 * PAGE_SIZE), 0);
	cr_expect_eq(page_pool_free_pages(&p), 1);
	free(buf);
}

/* The bitmap takes ceil(pages / 32768) pages from the front; the rest are handed out. */
Test(page_pool, init_sizes_and_bitmap_overhead)
{
	static const size_t sizes[] = {2, 3, 64, 65, 4096, 32768, 32769, 40000};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t pages = sizes[i];
		void *buf = aligned_alloc(PAGE_SIZE, pages * PAGE_SIZE + PAGE_SIZE / 2);
		struct page_pool p;

		cr_assert_not_null(buf);
		memset(buf, 0xff, pages * PAGE_SIZE);
		/* a trailing half page is ignored */
		cr_assert_eq(page_pool_init(&p, buf, pages * PAGE_SIZE + PAGE_SIZE / 2), 0);
		size_t bitmap_pages = (pages + 32767) / 32768;
		cr_expect_eq(page_pool_free_pages(&p), pages - bitmap_pages, "%zu pages", pages);
		cr_expect_eq(p.base, (uintptr_t)buf + bitmap_pages * PAGE_SIZE);
		/* everything can be taken (small pools one page at a time); the last page is the block's last */
		void *last = NULL;
		if (pages <= 4096) {
			for (size_t n = 0; n < pages - bitmap_pages; n++) {
				last = page_pool_alloc(&p, 1, 1);
				cr_assert_not_null(last, "page %zu of %zu", n, pages);
			}
		} else {
			char *all = page_pool_alloc(&p, pages - bitmap_pages, 1);
			cr_assert_eq(all, (char *)p.base);
			last = all + (pages - bitmap_pages - 1) * PAGE_SIZE;
		}
		cr_expect_eq((char *)last, (char *)buf + (pages - 1) * PAGE_SIZE);
		cr_expect_null(page_pool_alloc(&p, 1, 1));
		cr_expect_eq(page_pool_free_pages(&p), 0);
		free(buf);
	}
}

Test(page_pool, first_fit_and_reuse)
{
	pool_setup(64, 0);
	char *a = page_pool_alloc(&pool, 1, 1);
	char *b = page_pool_alloc(&pool, 2, 1);
	char *c = page_pool_alloc(&pool, 1, 1);

	cr_assert(a && b && c);
	cr_expect_eq(a, (char *)pool.base);
	cr_expect_eq(b, a + PAGE_SIZE);
	cr_expect_eq(c, b + 2 * PAGE_SIZE);
	cr_expect_eq(page_pool_free_pages(&pool), 63 - 4);

	cr_expect_eq(page_pool_free(&pool, b, 2), 0);
	cr_expect_eq(page_pool_free_pages(&pool), 63 - 2);
	/* a 3-page request does not fit the 2-page hole and goes after c */
	char *d = page_pool_alloc(&pool, 3, 1);
	cr_expect_eq(d, c + PAGE_SIZE);
	/* a 1-page request takes the start of the hole */
	char *e = page_pool_alloc(&pool, 1, 1);
	cr_expect_eq(e, b);
	cr_expect_eq(page_pool_free_pages(&pool), 63 - 6);
	pool_teardown();
}

Test(page_pool, bad_requests_return_null)
{
	pool_setup(16, 0);
	cr_expect_null(page_pool_alloc(&pool, 0, 1), "zero pages");
	cr_expect_null(page_pool_alloc(&pool, 1, 0), "alignment 0");
	cr_expect_null(page_pool_alloc(&pool, 1, 3), "alignment not a power of two");
	cr_expect_null(page_pool_alloc(&pool, 16, 1), "more than the pool holds");
	cr_expect_eq(page_pool_free_pages(&pool), 15);
	cr_expect_not_null(page_pool_alloc(&pool, 15, 1), "exactly the pool");
	pool_teardown();
}

Test(page_pool, alignment_of_returned_address)
{
	static const size_t aligns[] = {1, 2, 4, 16, 512};

	/* the block starts 2 pages past a 2 MiB boundary, its bitmap takes 1: the base is 3 pages past it */
	for (size_t k = 0; k < sizeof(aligns) / sizeof(aligns[0]); k++) {
		pool_setup(2048, 2);
		size_t align = aligns[k];
		/* take one page first so that the next free index is odd */
		cr_assert_not_null(page_pool_alloc(&pool, 1, 1));
		for (int round = 0; round < 2; round++) {
			void *p = page_pool_alloc(&pool, 3, align);
			cr_assert_not_null(p, "align %zu round %d", align, round);
			cr_expect_eq((uintptr_t)p % (align * PAGE_SIZE), 0, "align %zu: %p", align, p);
			cr_expect(page_is(p, 3, 0));
		}
		pool_teardown();
	}
}

/* 512-page alignment within a pool that holds only one such aligned block after its base. */
Test(page_pool, large_alignment_finds_the_one_aligned_block)
{
	pool_setup(1024, 1);
	/* base = 2 MiB boundary + 2 pages; the only 512-aligned index with 512 pages after it is 510 */
	char *p = page_pool_alloc(&pool, 512, 512);
	cr_assert_not_null(p);
	cr_expect_eq((uintptr_t)p % (2 * MIB), 0);
	cr_expect_eq((p - (char *)pool.base) / PAGE_SIZE, 510);
	/* the next boundary is index 1022, the pool's last page */
	cr_expect_null(page_pool_alloc(&pool, 2, 512), "no room for two pages after the next boundary");
	char *q = page_pool_alloc(&pool, 1, 512);
	cr_expect_eq(q, p + 2 * MIB);
	cr_expect_eq(page_pool_alloc(&pool, 1, 1), (char *)pool.base,
		     "pages before the aligned block stay usable");
	pool_teardown();
}

Test(page_pool, exhaustion_and_recovery)
{
	pool_setup(33, 0);
	void *pages[32];

	for (int i = 0; i < 32; i++)
		cr_assert_not_null(pages[i] = page_pool_alloc(&pool, 1, 1));
	cr_expect_null(page_pool_alloc(&pool, 1, 1));
	cr_expect_eq(page_pool_free_pages(&pool), 0);
	/* freeing every other page leaves 16 single-page holes: no 2-page run */
	for (int i = 0; i < 32; i += 2)
		cr_expect_eq(page_pool_free(&pool, pages[i], 1), 0);
	cr_expect_eq(page_pool_free_pages(&pool), 16);
	cr_expect_null(page_pool_alloc(&pool, 2, 1), "fragmented: no two adjacent free pages");
	cr_expect_eq(page_pool_free(&pool, pages[1], 1), 0);
	cr_expect_eq(page_pool_alloc(&pool, 3, 1), pages[0], "three pages once the gap is closed");
	pool_teardown();
}

Test(page_pool, pages_come_back_zeroed)
{
	pool_setup(16, 0);
	/* the buffer was filled with 0xa5 before init: fresh pages are cleared on allocation */
	char *a = page_pool_alloc(&pool, 4, 1);
	cr_assert_not_null(a);
	cr_expect(page_is(a, 4, 0));
	memset(a, 0x5a, 4 * PAGE_SIZE);
	cr_assert_eq(page_pool_free(&pool, a, 4), 0);
	/* cleared at free already (no later owner, not even the allocator's caller, sees old contents) */
	cr_expect(page_is(a, 4, 0), "freed pages are cleared");
	memset(a, 0x77, 4 * PAGE_SIZE); /* a stray write after free: allocation clears again */
	char *b = page_pool_alloc(&pool, 4, 1);
	cr_expect_eq(b, a);
	cr_expect(page_is(b, 4, 0));
	pool_teardown();
}

Test(page_pool, double_free_and_foreign_pointers_are_rejected)
{
	pool_setup(16, 0);
	char *a = page_pool_alloc(&pool, 2, 1);
	char outside[16];

	cr_assert_not_null(a);
	cr_expect_eq(page_pool_free(&pool, a, 2), 0);
	cr_expect_eq(page_pool_free(&pool, a, 2), -HV_EINVAL, "double free");
	cr_expect_eq(page_pool_free(&pool, a, 1), -HV_EINVAL, "double free of part");
	cr_expect_eq(page_pool_free_pages(&pool), 15);

	a = page_pool_alloc(&pool, 2, 1);
	cr_expect_eq(page_pool_free(&pool, a + 1, 1), -HV_EINVAL, "not page aligned");
	cr_expect_eq(page_pool_free(&pool, a, 0), -HV_EINVAL, "zero pages");
	cr_expect_eq(page_pool_free(&pool, a, 3), -HV_EINVAL, "more than allocated");
	cr_expect_eq(page_pool_free(&pool, mem, 1), -HV_EINVAL, "the bitmap page");
	cr_expect_eq(page_pool_free(&pool, (char *)pool.base + 15 * PAGE_SIZE, 1), -HV_EINVAL,
		     "past the end");
	cr_expect_eq(page_pool_free(&pool, outside, 1), -HV_EINVAL, "a stack address");
	cr_expect_eq(page_pool_free(&pool, NULL, 1), -HV_EINVAL);
	cr_expect_eq(page_pool_free_pages(&pool), 13, "failed frees change nothing");
	cr_expect_eq(page_pool_free(&pool, a, 2), 0);
	cr_expect_eq(page_pool_free_pages(&pool), 15);
	pool_teardown();
}

/*
 * Random allocations and frees against a model that knows the pool's policy (first fit on page-aligned
 * addresses): every result must be exactly the model's, allocations never overlap (each is filled with its
 * own tag and checked at free), and the free-page count always agrees.
 */
#define STRESS_PAGES 300
#define STRESS_OPS   20000

struct live {
	char *p;
	size_t count;
	unsigned char tag;
};

static long model_first_fit(const bool *used, size_t nr, uintptr_t base, size_t count, size_t align)
{
	for (size_t i = 0; i + count <= nr; i++) {
		if ((base + i * PAGE_SIZE) % (align * PAGE_SIZE))
			continue;
		size_t run = 0;
		while (run < count && !used[i + run])
			run++;
		if (run == count)
			return (long)i;
	}
	return -1;
}

Test(page_pool, random_stress_against_model)
{
	static struct live live[STRESS_PAGES];
	bool used[STRESS_PAGES] = {0};
	size_t nlive = 0, nused = 0;
	unsigned char next_tag = 1;

	pool_setup(STRESS_PAGES + 1, 1);
	size_t nr = pool.nr_pages;
	srandom(12345);
	for (int op = 0; op < STRESS_OPS; op++) {
		bool do_alloc = nlive == 0 || (nlive < STRESS_PAGES && random() % 100 < 55);
		if (do_alloc) {
			size_t count = 1 + (size_t)(random() % 100 < 80 ? random() % 4 : random() % 24);
			size_t align = 1UL << (random() % 5);
			long want = model_first_fit(used, nr, pool.base, count, align);
			char *p = page_pool_alloc(&pool, count, align);
			if (want < 0) {
				cr_assert_null(p, "op %d: model has no room for %zu/%zu", op, count, align);
				continue;
			}
			cr_assert_eq(p, (char *)pool.base + (size_t)want * PAGE_SIZE, "op %d", op);
			cr_assert(page_is(p, count, 0), "op %d: allocation not zeroed", op);
			for (size_t i = 0; i < count; i++)
				used[want + i] = true;
			nused += count;
			memset(p, next_tag, count * PAGE_SIZE);
			live[nlive++] = (struct live){p, count, next_tag};
			next_tag = next_tag == 255 ? 1 : next_tag + 1;
		} else {
			size_t k = (size_t)random() % nlive;
			struct live l = live[k];
			cr_assert(page_is(l.p, l.count, l.tag), "op %d: allocation overwritten", op);
			cr_assert_eq(page_pool_free(&pool, l.p, l.count), 0, "op %d", op);
			size_t first = (size_t)(l.p - (char *)pool.base) / PAGE_SIZE;
			for (size_t i = 0; i < l.count; i++)
				used[first + i] = false;
			nused -= l.count;
			live[k] = live[--nlive];
		}
		cr_assert_eq(page_pool_free_pages(&pool), nr - nused, "op %d", op);
	}
	while (nlive) {
		struct live l = live[--nlive];
		cr_assert(page_is(l.p, l.count, l.tag));
		cr_assert_eq(page_pool_free(&pool, l.p, l.count), 0);
	}
	cr_expect_eq(page_pool_free_pages(&pool), nr);
	cr_expect_not_null(page_pool_alloc(&pool, nr, 1), "everything free again as one run");
	pool_teardown();
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
