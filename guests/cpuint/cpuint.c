/*
 * cpuint: a CPU-bound integer workload (docs/workloads.md). Each iteration runs two kernels and times
 * each with the TSC: `sieve`, the sieve of Eratosthenes up to n (byte flags; mostly stores and loop
 * control), and `hash`, a multiply-xorshift mix over `words` 64-bit words (multiplies and data
 * dependencies). Both results go out as params and must be equal in every iteration: a kernel that
 * computes something else fails the cell (status 1), so a fast wrong answer cannot pass for a result.
 *
 * Args: iters=N (default 20), n=LIMIT (default 100000, at most 1M), words=N (default 16384, at most 64K).
 */
#include <guest/bench.h>
#include <guest/runtime.h>
#include <tessera/string.h>

#define N_MAX	  (1u << 20)
#define WORDS_MAX (1u << 16)

static uint8_t composite[N_MAX + 1];
static uint64_t words[WORDS_MAX];
static uint64_t sieve_ticks[BENCH_MAX_SAMPLES], hash_ticks[BENCH_MAX_SAMPLES];

static uint64_t sieve(uint64_t n)
{
	uint64_t primes = 0;

	memset(composite, 0, n + 1);
	for (uint64_t i = 2; i <= n; i++) {
		if (composite[i])
			continue;
		primes++;
		for (uint64_t j = i * i; j <= n; j += i)
			composite[j] = 1;
	}
	return primes;
}

static uint64_t hash(uint64_t nr)
{
	uint64_t h = 0x243f6a8885a308d3ULL;

	for (uint64_t i = 0; i < nr; i++) {
		h ^= words[i];
		h *= 0x9e3779b97f4a7c15ULL;
		h ^= h >> 32;
	}
	return h;
}

int main(const struct tessera_cell_boot_info *info)
{
	bench_start("cpuint"); /* first: argument errors name the workload */
	uint64_t iters = bench_arg("iters", 20, 1, BENCH_MAX_SAMPLES);
	uint64_t n = bench_arg("n", 100000, 2, N_MAX);
	uint64_t nr = bench_arg("words", 16384, 1, WORDS_MAX);
	uint64_t primes = 0, h = 0;

	(void)info;
	for (uint64_t i = 0; i < nr; i++)
		words[i] = i * 0x100000001b3ULL + 1;
	for (uint64_t it = 0; it < iters; it++) {
		uint64_t t0 = bench_tsc(), p = sieve(n), t1 = bench_tsc(), x = hash(nr), t2 = bench_tsc();

		if (it && (p != primes || x != h))
			bench_fail(1, "iteration %lu computed primes %lu hash %#lx, before %lu %#lx", it, p,
				   x, primes, h);
		primes = p;
		h = x;
		sieve_ticks[it] = t1 - t0;
		hash_ticks[it] = t2 - t1;
	}
	bench_param("iters", iters);
	bench_param("n", n);
	bench_param("primes", primes);
	bench_param("words", nr);
	bench_param("hash", h);
	bench_series("sieve", WORKLOAD_UNIT_TSC_TICKS, sieve_ticks, iters);
	bench_series("hash", WORKLOAD_UNIT_TSC_TICKS, hash_ticks, iters);
	return bench_done();
}
