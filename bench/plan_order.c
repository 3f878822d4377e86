/* The interleaved order of a plan's boots (plan.h), drawn from the plan's seed. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>

#include "plan.h"

struct plan_boot *plan_order(const struct plan *p, unsigned int *nr)
{
	unsigned int n = p->nr_configs * p->nr_workloads * p->boots, k = 0;
	struct plan_boot *b = calloc(n ? n : 1, sizeof(*b));
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	if (!b || !rng) {
		free(b);
		if (rng)
			gsl_rng_free(rng);
		return NULL;
	}
	for (unsigned int c = 0; c < p->nr_configs; c++)
		for (unsigned int w = 0; w < p->nr_workloads; w++)
			for (unsigned int i = 0; i < p->boots; i++)
				b[k++] = (struct plan_boot){c, w, i, w * p->boots + i};
	/* MT19937 takes an unsigned long seed; GSL maps 0 to its default seed, so 0 is a seed like any other */
	gsl_rng_set(rng, (unsigned long)p->seed);
	gsl_ran_shuffle(rng, b, n, sizeof(*b));
	gsl_rng_free(rng);
	*nr = n;
	return b;
}
