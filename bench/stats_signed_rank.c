/*
 * Wilcoxon's signed-rank test for paired observations (stats.h): how a benchmark plan's rounds, one boot
 * of each configuration next to each other in the blocked order, are compared pair by pair, so that what
 * moves both boots of a round (the host's load) drops out. Exact null distribution by counting the sign
 * assignments (ranks in half units, so that tied ranks stay integers), as R's wilcox.test does for small
 * samples; the normal approximation with the tie correction above STATS_EXACT_MAX_N pairs.
 */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

struct absval {
	double a;
	bool pos;
};

static int cmp_abs(const void *x, const void *y)
{
	double a = ((const struct absval *)x)->a, b = ((const struct absval *)y)->a;
	return a < b ? -1 : a > b;
}

int stats_signed_rank(const double *d, size_t n, struct stats_signed_rank *out)
{
	struct absval *v = malloc((n ? n : 1) * sizeof(*v));
	unsigned int *r2 = malloc((n ? n : 1) * sizeof(*r2)); /* twice each rank */
	size_t m = 0;

	memset(out, 0, sizeof(*out));
	if (!v || !r2) {
		free(v);
		free(r2);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (d[i] != 0 && !isnan(d[i])) /* zero differences carry no sign: dropped, as R does */
			v[m++] = (struct absval){fabs(d[i]), d[i] > 0};
	out->n = m;
	if (!m) {
		free(v);
		free(r2);
		out->p = 1;
		return 0;
	}
	qsort(v, m, sizeof(*v), cmp_abs);
	unsigned long w2 = 0, total2 = 0; /* W+ and the sum of all ranks, in half units */
	double tie_term = 0;
	for (size_t i = 0; i < m;) {
		size_t j = i;
		while (j < m && v[j].a == v[i].a)
			j++;
		unsigned int avg2 = (unsigned int)(i + 1 + j); /* 2 x the mean of ranks i+1..j */
		for (size_t k = i; k < j; k++) {
			r2[k] = avg2;
			w2 += v[k].pos ? avg2 : 0;
		}
		double t = (double)(j - i);
		tie_term += t * t * t - t;
		out->ties |= j - i > 1;
		total2 += (unsigned long)avg2 * (j - i);
		i = j;
	}
	out->w = (double)w2 / 2;
	if (m <= STATS_EXACT_MAX_N) {
		/* count[s]: sign assignments whose positive ranks sum to s half units */
		double *count = calloc(total2 + 1, sizeof(*count));
		if (!count) {
			free(v);
			free(r2);
			return -1;
		}
		count[0] = 1;
		unsigned long top = 0;
		for (size_t k = 0; k < m; k++) {
			top += r2[k];
			for (unsigned long s = top; s >= r2[k]; s--)
				count[s] += count[s - r2[k]];
		}
		double tail = 0, all = ldexp(1, (int)m);
		for (unsigned long s = w2; s <= total2; s++)
			tail += count[s];
		out->p = tail / all;
		out->exact = true;
		free(count);
	} else {
		double mean = (double)m * (double)(m + 1) / 4;
		double var = (double)m * (double)(m + 1) * (double)(2 * m + 1) / 24 - tie_term / 48;
		out->p = var > 0 ? gsl_cdf_ugaussian_Q((out->w - mean - 0.5) / sqrt(var)) : 1;
	}
	free(v);
	free(r2);
	return 0;
}
