/*
 * A small seeded PRNG for workloads (random permutations, buffer contents): splitmix64, as in Vigna's
 * reference code. Integer only, header only; the same seed gives the same sequence on every boot, which
 * the deterministic benchmarks and the fault-injection inmates rely on. Not for anything secret.
 */
#ifndef GUEST_PRNG_H
#define GUEST_PRNG_H

#include <tessera/compiler.h>

struct prng {
	uint64_t state;
};

static inline void prng_seed(struct prng *p, uint64_t seed)
{
	p->state = seed;
}

static inline uint64_t prng_next(struct prng *p)
{
	uint64_t z = (p->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n) for n > 0 (Lemire's multiply-shift; the bias is below 2^-32 for n < 2^32). */
static inline uint64_t prng_below(struct prng *p, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)prng_next(p) * n) >> 64);
}

/* One splitmix64 step from state x: a fixed pseudo-random value for `x`, without keeping state. */
static inline uint64_t prng_hash(uint64_t x)
{
	struct prng p = {x};
	return prng_next(&p);
}

#endif
