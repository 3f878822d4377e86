/*
 * Medians and the percentile bootstrap of a ratio of medians (Efron & Tibshirani, An Introduction to the
 * Bootstrap, 1993, ch. 13; Kalibera & Jones, "Rigorous Benchmarking in Reasonable Time", ISMM 2013, for
 * its use on benchmark ratios). The generator is GSL's MT19937, seeded, so a comparison is repeatable.
 */
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

double stats_median(const double *x, size_t n)
{
	double *c = malloc(n * sizeof(*c));
	if (!c)
		abort();
	memcpy(c, x, n * sizeof(*c));
	gsl_sort(c, 1, n);
	double med = gsl_stats_median_from_sorted_data(c, 1, n);
	free(c);
	return med;
}

/* The median of n draws with replacement from x (buf has room for n). */
static double resample_median(const gsl_rng *rng, const double *x, size_t n, double *buf)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = x[gsl_rng_uniform_int(rng, n)];
	/* gsl_stats_median selects in place (quickselect): linear, not a full sort. */
	return gsl_stats_median(buf, 1, n);
}

void stats_bootstrap_ratio(const double *x, size_t m, const double *y, size_t n, unsigned int resamples,
			   uint64_t seed, const double *conf, size_t nconf, double *lo, double *hi)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double *buf = malloc((m > n ? m : n) * sizeof(*buf));
	double *r = malloc(resamples * sizeof(*r));
	if (!rng || !buf || !r)
		abort();
	gsl_rng_set(rng, (unsigned long)seed);
	for (unsigned int b = 0; b < resamples; b++) {
		double mx = resample_median(rng, x, m, buf);
		double my = resample_median(rng, y, n, buf);
		r[b] = my / mx;
	}
	gsl_sort(r, 1, resamples);
	for (size_t i = 0; i < nconf; i++) {
		double alpha = 1 - conf[i];
		lo[i] = gsl_stats_quantile_from_sorted_data(r, 1, resamples, alpha / 2);
		hi[i] = gsl_stats_quantile_from_sorted_data(r, 1, resamples, 1 - alpha / 2);
	}
	free(r);
	free(buf);
	gsl_rng_free(rng);
}
