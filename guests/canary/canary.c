/*
 * canary: an isolation-break detector for fault-injection campaigns (docs/workloads.md). It watches
 * memory that nobody may change behind its back and reports every change it did not make:
 *   - a pattern it writes once over `size` bytes of the RAM after its image: each 64-bit word is a hash
 *     of its address and the seed, so a changed word is found exactly, with its old and new value;
 *   - its own text and rodata, and every read-only region of its config (a shared `in` region, say),
 *     by a CRC-32 per 4 KiB page taken at start; a changed page is reported by its address.
 * Each pass checks all of it. Lines:
 *
 *	CANARY ok pass=<p>
 *	CANARY changed addr=0x<hex> pass=<p> was=0x<hex> now=0x<hex>	(a pattern word)
 *	CANARY changed addr=0x<hex> pass=<p> page				(a checksummed page)
 *	CANARY done passes=<N> changed=<M> bytes=<B>
 *
 * A change is reported once: the word is written back, the page's checksum taken again. At most 16
 * change lines per pass (the rest only counted). The cell exits with 1 if it saw any change, else 0.
 *
 * Args: passes=N (default 20), interval_ms=N (default 10: sleep between passes), size=BYTES (default
 * 1M), seed=N (default 1), until=CELL_ID (keep going, after the passes, until that cell has ended),
 * poke=OFFSET (for testing the detector: after pass 0, flip a bit of the pattern word at that byte
 * offset without telling the checker, as a stray write from elsewhere would).
 */
#include <guest/bench.h>
#include <guest/hypercall.h>
#include <guest/irq.h>
#include <guest/prng.h>
#include <guest/print.h>
#include <guest/ram.h>
#include <guest/runtime.h>
#include <tessera/crc32.h>

#define PAGE		 4096
#define MAX_PAGES	 8192 /* 32 MiB checksummed */
#define REPORTS_PER_PASS 16
#define NO_CELL		 UINT64_MAX

extern char __image_start[], __data_start[];

struct watched {
	uint64_t base, pages;
};

static struct watched watched[TESSERA_BOOT_MAX_REGIONS + 1];
static unsigned int nr_watched;
static uint32_t page_crc[MAX_PAGES];
static uint64_t nr_pages, changes, reports;

static uint64_t expected(uint64_t seed, uint64_t addr)
{
	return prng_hash(seed ^ addr);
}

static void watch(uint64_t base, uint64_t size)
{
	uint64_t pages = size / PAGE;

	if (nr_pages + pages > MAX_PAGES)
		bench_fail(2, "more than %u pages to checksum", MAX_PAGES);
	watched[nr_watched++] = (struct watched){base, pages};
	for (uint64_t i = 0; i < pages; i++)
		page_crc[nr_pages + i] = crc32_update(0, (const void *)(uintptr_t)(base + i * PAGE), PAGE);
	nr_pages += pages;
}

static void check_pages(uint64_t pass)
{
	uint64_t k = 0;

	for (unsigned int w = 0; w < nr_watched; w++)
		for (uint64_t i = 0; i < watched[w].pages; i++, k++) {
			uint64_t addr = watched[w].base + i * PAGE;
			uint32_t c = crc32_update(0, (const void *)(uintptr_t)addr, PAGE);
			if (c == page_crc[k])
				continue;
			page_crc[k] = c;
			if (reports < REPORTS_PER_PASS)
				printf("CANARY changed addr=%#lx pass=%lu page\n", addr, pass);
			changes++;
			reports++;
		}
}

static void check_pattern(struct ram_span s, uint64_t seed, uint64_t pass)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)s.base;

	for (uint64_t i = 0; i < s.size / 8; i++) {
		uint64_t addr = s.base + i * 8, want = expected(seed, addr), now = p[i];
		if (now == want)
			continue;
		if (reports < REPORTS_PER_PASS)
			printf("CANARY changed addr=%#lx pass=%lu was=%#lx now=%#lx\n", addr, pass, want,
			       now);
		p[i] = want;
		changes++;
		reports++;
	}
}

static bool cell_ended(uint64_t cell)
{
	int64_t st = hypercall_cell_state(cell);
	return st < 0 || st == TESSERA_CELL_FINISHED || st == TESSERA_CELL_FAILED;
}

int main(const struct tessera_cell_boot_info *info)
{
	bench_start("canary");
	struct ram_span ram = ram_free();
	uint64_t passes = bench_arg("passes", 20, 1, UINT64_MAX);
	uint64_t interval = bench_arg("interval_ms", 10, 0, 60000);
	uint64_t seed = bench_arg("seed", 1, 0, UINT64_MAX);
	uint64_t until = bench_arg("until", NO_CELL, 0, NO_CELL);
	uint64_t poke = bench_arg("poke", NO_CELL, 0, NO_CELL);
	struct ram_span pattern = {ram.base, bench_arg("size", 1 << 20, 8, ram.size) & ~7ULL};
	uint64_t pass, bytes = pattern.size;
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)pattern.base;
	for (uint64_t i = 0; i < pattern.size / 8; i++)
		p[i] = expected(seed, pattern.base + i * 8);
	watch((uint64_t)(uintptr_t)__image_start, (uint64_t)(__data_start - __image_start));
	for (uint32_t i = 0; i < info->nr_regions && i < TESSERA_BOOT_MAX_REGIONS; i++) {
		const struct tessera_boot_region *r = &info->regions[i];
		if (!(r->flags & (TESSERA_MEM_WRITE | TESSERA_MEM_DEVICE)))
			watch(r->guest_addr, r->size);
	}
	bytes += nr_pages * PAGE;
	irq_cpu_init();
	for (pass = 0; pass < passes || (until != NO_CELL && !cell_ended(until)); pass++) {
		uint64_t before = changes;
		reports = 0;
		check_pattern(pattern, seed, pass);
		check_pages(pass);
		if (changes == before)
			printf("CANARY ok pass=%lu\n", pass);
		if (pass == 0 && poke / 8 < pattern.size / 8)
			p[poke / 8] ^= 1ULL << (poke % 64);
		if (interval)
			sleep_us(interval * 1000);
	}
	printf("CANARY done passes=%lu changed=%lu bytes=%lu\n", pass, changes, bytes);
	return changes ? 1 : 0;
}
