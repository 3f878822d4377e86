/*
 * memlat: memory latency by pointer chasing (docs/workloads.md). The RAM after the image is cut into
 * 64-byte nodes (one cache line each) linked in one random cycle through all of them (Sattolo's
 * algorithm, seeded), so each load depends on the one before and neither prefetchers nor, with a buffer
 * larger than the caches (and than TCG's TLB reach), caches can guess the next address. Each iteration
 * times `steps` dependent loads; the host divides by the `steps` param. Before measuring, one walk of
 * exactly `nodes` steps must come back to the start and not earlier (the permutation is one cycle),
 * else the cell fails (status 1).
 *
 * Args: iters=N (default 10), size=BYTES (default 2M, at most the free RAM), steps=N (default 100000),
 * seed=N (default 1).
 */
#include <guest/bench.h>
#include <guest/prng.h>
#include <guest/ram.h>
#include <guest/runtime.h>

#define NODE 64

struct node {
	struct node *next;
	uint64_t pad[NODE / 8 - 1];
};

static uint64_t ticks[BENCH_MAX_SAMPLES];

/* Follow `steps` links; the result feeds the next walk so that no walk can be skipped. */
static struct node *chase(struct node *p, uint64_t steps)
{
	while (steps--)
		p = p->next;
	return p;
}

int main(const struct tessera_cell_boot_info *info)
{
	bench_start("memlat"); /* first: argument errors name the workload */
	struct ram_span ram = ram_free();
	uint64_t iters = bench_arg("iters", 10, 1, BENCH_MAX_SAMPLES);
	uint64_t size = bench_arg("size", 2 << 20, 2 * NODE, ram.size);
	uint64_t steps = bench_arg("steps", 100000, 1, 1ULL << 32);
	uint64_t seed = bench_arg("seed", 1, 0, UINT64_MAX);
	uint64_t nodes = size / NODE, back = 0;
	struct node *pool = (struct node *)(uintptr_t)ram.base, *p;
	struct prng rng;

	(void)info;
	/* Sattolo: start from the identity (node i -> i) and swap each i with a random j < i; the result,
	 * read as i -> next[i], is one cycle through every node. Indices first, pointers after. */
	for (uint64_t i = 0; i < nodes; i++)
		pool[i].next = (struct node *)(uintptr_t)i;
	prng_seed(&rng, seed);
	for (uint64_t i = nodes - 1; i > 0; i--) {
		uint64_t j = prng_below(&rng, i);
		struct node *t = pool[i].next;
		pool[i].next = pool[j].next;
		pool[j].next = t;
	}
	for (uint64_t i = 0; i < nodes; i++)
		pool[i].next = &pool[(uint64_t)(uintptr_t)pool[i].next];
	p = pool;
	do {
		p = p->next;
		back++;
	} while (p != pool && back <= nodes);
	if (back != nodes)
		bench_fail(1, "the chain returns after %lu of %lu nodes: not one cycle", back, nodes);
	for (uint64_t it = 0; it < iters; it++) {
		uint64_t t0 = bench_tsc();
		p = chase(p, steps);
		ticks[it] = bench_tsc() - t0;
	}
	bench_param("iters", iters);
	bench_param("bytes", nodes * NODE);
	bench_param("nodes", nodes);
	bench_param("steps", steps);
	bench_param("seed", seed);
	/* where the walk ended: the same on every boot with the same seed, and it keeps chase() live */
	bench_param("end_node", (uint64_t)(p - pool));
	bench_series("chase", WORKLOAD_UNIT_TSC_TICKS, ticks, iters);
	return bench_done();
}
