/*
 * The interleaved order of a plan's boots (plan.h), drawn from the plan's seed: a randomized complete
 * block design. Round i holds boot i of every (configuration, workload), shuffled within the round, so
 * every configuration is booted as early and as late in the run as every other. A full shuffle of all
 * boots would be random too, but with a few boots a side it can put one configuration's boots mostly
 * late by chance, and then a drift of the host (load from other work, warming up) biases the comparison
 * in the same direction each time the plan runs with that seed; blocking keeps drift out of the contrast.
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>

#include "plan.h"

struct plan_boot *plan_order(const struct plan *p, unsigned int *nr)
{
	unsigned int per_round = p->nr_configs * p->nr_workloads, n = per_round * p->boots, k = 0;
	struct plan_boot *b = calloc(n ? n : 1, sizeof(*b));
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	if (!b || !rng) {
		free(b);
		if (rng)
			gsl_rng_free(rng);
		return NULL;
	}
	/*
	 * GSL's MT19937 keeps 32 bits of its seed and maps 0 to its default 4357, so seeds 0 and 4357 would
	 * give one order: seed + 1 (1 to 2^32 - 1, plan_load refuses larger) gives each seed its own.
	 */
	gsl_rng_set(rng, (unsigned long)p->seed + 1);
	for (unsigned int i = 0; i < p->boots; i++) {
		struct plan_boot *round = &b[k];
		for (unsigned int c = 0; c < p->nr_configs; c++)
			for (unsigned int w = 0; w < p->nr_workloads; w++)
				b[k++] = (struct plan_boot){c, w, i, w * p->boots + i};
		gsl_ran_shuffle(rng, round, per_round, sizeof(*round));
	}
	gsl_rng_free(rng);
	*nr = n;
	return b;
}
