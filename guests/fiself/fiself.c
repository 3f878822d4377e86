/*
 * fiself: a deterministic, self-checking workload for fault-injection campaigns (docs/workloads.md).
 * Each round fills a buffer from the seeded PRNG and computes its CRC-32 twice, with two independent
 * implementations (core's bitwise one and a table-driven one here), and sorts an array of PRNG values
 * (heapsort), then checks that the output is ascending and a permutation of the input (same sum and
 * xor). A round's result combines the CRC and a CRC of the sorted array; the run's result is the CRC of
 * the rounds' results. Everything depends on the seed only, so a golden run gives the value every
 * fault-free run must give. Lines:
 *
 *	FI round=<r> result=0x<8 hex> crc=ok|mismatch sort=ok|mismatch
 *	FI result=0x<8 hex> check=ok|mismatch rounds=<N>
 *
 * check=mismatch means the workload's own checks caught an error (the cell then exits with status 1);
 * a fault they miss shows only as a result different from the golden run's (silent data corruption).
 *
 * Args: rounds=N (default 8), size=BYTES (CRC buffer, default 64K), sortn=N (default 4096), seed=N
 * (default 1), flip=R (for testing the checker: flip one bit of the buffer between the two CRCs of
 * round R, as a memory fault would).
 */
#include <guest/bench.h>
#include <guest/prng.h>
#include <guest/print.h>
#include <guest/ram.h>
#include <guest/runtime.h>
#include <tessera/crc32.h>

#define SORT_MAX (1u << 16)
#define NO_FLIP	 UINT64_MAX

static uint32_t table[256];
static uint32_t arr[SORT_MAX];

static void table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
		table[i] = c;
	}
}

static uint32_t crc_table(const uint8_t *p, uint64_t n)
{
	uint32_t c = ~0u;

	while (n--)
		c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

static void sift(uint32_t *a, uint64_t root, uint64_t n)
{
	for (uint64_t child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[root] >= a[child])
			return;
		uint32_t t = a[root];
		a[root] = a[child];
		a[child] = t;
	}
}

static void heapsort(uint32_t *a, uint64_t n)
{
	for (uint64_t i = n / 2; i-- > 0;)
		sift(a, i, n);
	for (uint64_t end = n; end-- > 1;) {
		uint32_t t = a[0];
		a[0] = a[end];
		a[end] = t;
		sift(a, 0, end);
	}
}

/* Sort arr[0..n) and check it: ascending, and the same multiset by sum and xor. */
static bool sort_checked(uint64_t n)
{
	uint64_t sum0 = 0, sum1 = 0;
	uint32_t x0 = 0, x1 = 0;
	bool ok = true;

	for (uint64_t i = 0; i < n; i++) {
		sum0 += arr[i];
		x0 ^= arr[i];
	}
	heapsort(arr, n);
	for (uint64_t i = 0; i < n; i++) {
		sum1 += arr[i];
		x1 ^= arr[i];
		if (i && arr[i - 1] > arr[i])
			ok = false;
	}
	return ok && sum0 == sum1 && x0 == x1;
}

int main(const struct tessera_cell_boot_info *info)
{
	bench_start("fiself");
	struct ram_span ram = ram_free();
	uint64_t rounds = bench_arg("rounds", 8, 1, 1u << 20);
	uint64_t size = bench_arg("size", 64 << 10, 1, ram.size);
	uint64_t sortn = bench_arg("sortn", 4096, 1, SORT_MAX);
	uint64_t seed = bench_arg("seed", 1, 0, UINT64_MAX);
	uint64_t flip = bench_arg("flip", NO_FLIP, 0, NO_FLIP);
	uint8_t *buf = (uint8_t *)(uintptr_t)ram.base;
	uint32_t result = 0;
	bool all_ok = true;
	struct prng rng;

	(void)info;
	table_init();
	for (uint64_t r = 0; r < rounds; r++) {
		prng_seed(&rng, seed * 0x9e3779b97f4a7c15ULL + r);
		for (uint64_t i = 0; i < size; i++)
			buf[i] = (uint8_t)prng_next(&rng);
		uint32_t crc = crc32_update(0, buf, size);
		if (r == flip)
			buf[prng_hash(r) % size] ^=
				1u << (r % 8); /* no PRNG draw: the rest of the round is unchanged */
		bool crc_ok = crc_table(buf, size) == crc;
		for (uint64_t i = 0; i < sortn; i++)
			arr[i] = (uint32_t)prng_next(&rng);
		bool sort_ok = sort_checked(sortn);
		uint32_t round = crc ^ crc32_update(0, arr, sortn * sizeof(arr[0]));
		printf("FI round=%lu result=0x%08x crc=%s sort=%s\n", r, round, crc_ok ? "ok" : "mismatch",
		       sort_ok ? "ok" : "mismatch");
		result = crc32_update(result, &round, sizeof(round));
		all_ok = all_ok && crc_ok && sort_ok;
	}
	printf("FI result=0x%08x check=%s rounds=%lu\n", result, all_ok ? "ok" : "mismatch", rounds);
	return all_ok ? 0 : 1;
}
