/*
 * E-divisive means (edivisive.h). For a segment x[0..n) split at t, with d = |xi - xj|:
 *   E(t) = 2/(t(n-t)) sum_{i<t<=j} d - 2/(t(t-1)) sum_{i<k<t} d - 2/((n-t)(n-t-1)) sum_{t<=j<k} d
 *   Q(t) = t(n-t)/n * E(t)
 * The split is the t maximising Q; the three sums are updated in O(n) per t, so a segment costs O(n^2).
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "edivisive.h"

/* The best split of x[0..n) (index within the segment) and its Q; 0 when none fits min_size. */
static size_t best_split(const double *x, size_t n, size_t min_size, double *q_out)
{
	double within_r = 0, within_l = 0, between = 0, best = -INFINITY;
	size_t arg = 0;
	*q_out = -INFINITY;
	if (n < 2 * min_size)
		return 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			within_r += fabs(x[i] - x[j]);
	for (size_t t = 0; t + min_size <= n; t++) {
		if (t >= min_size) {
			double l = (double)t, r = (double)(n - t);
			double e = 2 * between / (l * r) - 2 * within_l / (l * (l - 1)) -
				   2 * within_r / (r * (r - 1));
			double q = l * r / (double)n * e;
			if (q > best) {
				best = q;
				arg = t;
			}
		}
		/* Move x[t] from the right part to the left. */
		double to_left = 0, to_right = 0;
		for (size_t i = 0; i < t; i++)
			to_left += fabs(x[i] - x[t]);
		for (size_t j = t + 1; j < n; j++)
			to_right += fabs(x[t] - x[j]);
		within_l += to_left;
		within_r -= to_right;
		between += to_right - to_left;
	}
	*q_out = best;
	return arg;
}

static int cmp_index(const void *a, const void *b)
{
	const struct edivisive_point *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

/* Over the segments bounded by cuts[0..k+1]: the largest Q and where. */
static double best_over(const double *x, const size_t *cuts, size_t k, size_t min_size, size_t *where)
{
	double best = -INFINITY;
	for (size_t s = 0; s <= k; s++) {
		double q;
		size_t t = best_split(x + cuts[s], cuts[s + 1] - cuts[s], min_size, &q);
		if (t && q > best) {
			best = q;
			*where = cuts[s] + t;
		}
	}
	return best;
}

size_t edivisive(const double *x, size_t n, size_t min_size, unsigned int permutations, double sig,
		 uint64_t seed, struct edivisive_point *out, size_t max)
{
	size_t cuts[EDIVISIVE_MAX_POINTS + 2] = {0, n}, k = 0;
	double *perm = malloc((n + 1) * sizeof(*perm));
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!perm || !rng)
		abort();
	gsl_rng_set(rng, (unsigned long)seed);
	if (max > EDIVISIVE_MAX_POINTS)
		max = EDIVISIVE_MAX_POINTS;
	if (min_size < 2)
		min_size = 2;
	while (k < max) {
		size_t where = 0, ignored;
		double q = best_over(x, cuts, k, min_size, &where);
		if (!isfinite(q))
			break;
		/* Under no further change, values are exchangeable within each segment. */
		unsigned int as_large = 0;
		for (unsigned int r = 0; r < permutations; r++) {
			memcpy(perm, x, n * sizeof(*perm));
			for (size_t s = 0; s <= k; s++)
				gsl_ran_shuffle(rng, perm + cuts[s], cuts[s + 1] - cuts[s], sizeof(*perm));
			as_large += best_over(perm, cuts, k, min_size, &ignored) >= q;
		}
		double p = (1.0 + as_large) / (1.0 + permutations);
		if (p >= sig)
			break;
		out[k] = (struct edivisive_point){.index = where, .q = q, .p = p};
		/* Insert the cut, keeping cuts (k + 2 of them: 0, the cuts, n) sorted. */
		size_t i = 0;
		while (cuts[i] < where)
			i++;
		memmove(&cuts[i + 1], &cuts[i], (k + 2 - i) * sizeof(*cuts));
		cuts[i] = where;
		k++;
	}
	free(perm);
	gsl_rng_free(rng);
	qsort(out, k, sizeof(*out), cmp_index);
	return k;
}
