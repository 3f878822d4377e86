/* Campaign statistics (campaign_stats.h), on GSL's normal and beta quantiles. */
#include <gsl/gsl_cdf.h>
#include <math.h>

#include "campaign_stats.h"

struct proportion_ci stats_wilson(uint64_t k, uint64_t n, double alpha)
{
	if (!n)
		return (struct proportion_ci){0, 0, 1};
	double z = gsl_cdf_ugaussian_Pinv(1 - alpha / 2), p = (double)k / (double)n, nn = (double)n;
	double d = 1 + z * z / nn, c = (p + z * z / (2 * nn)) / d;
	double h = z / d * sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn));

	return (struct proportion_ci){p, fmax(0, c - h), fmin(1, c + h)};
}

struct proportion_ci stats_clopper_pearson(uint64_t k, uint64_t n, double alpha)
{
	if (!n)
		return (struct proportion_ci){0, 0, 1};
	double kk = (double)k, nn = (double)n;
	double lo = k ? gsl_cdf_beta_Pinv(alpha / 2, kk, nn - kk + 1) : 0;
	double hi = k < n ? gsl_cdf_beta_Pinv(1 - alpha / 2, kk + 1, nn - kk) : 1;

	return (struct proportion_ci){kk / nn, lo, hi};
}

uint64_t stats_leveugle_sample_size(uint64_t population, double e, double alpha, double p)
{
	double t = gsl_cdf_ugaussian_Pinv(1 - alpha / 2), N = (double)population;
	double n = N / (1 + e * e * (N - 1) / (t * t * p * (1 - p)));

	return (uint64_t)ceil(n);
}
