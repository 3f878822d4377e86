/*
 * The statistics of a campaign report (docs/fault-campaigns.md has the formulas): binomial confidence
 * intervals of an outcome's proportion (Wilson score; Clopper-Pearson exact, from GSL's beta quantiles),
 * the extrapolated absolute count over the fault space (Schirmeier et al., DSN 2015: counts, not
 * "coverage"), and the sample size for a margin (Leveugle et al., DATE 2009).
 */
#ifndef TESSERA_FAULTINJ_CAMPAIGN_STATS_H
#define TESSERA_FAULTINJ_CAMPAIGN_STATS_H

#include <stdint.h>

struct proportion_ci {
	double p, lo, hi;
};

/* k of n at confidence 1 - alpha (0.05 for 95 %). n = 0 gives p = lo = 0, hi = 1. */
struct proportion_ci stats_wilson(uint64_t k, uint64_t n, double alpha);
struct proportion_ci stats_clopper_pearson(uint64_t k, uint64_t n, double alpha);

/*
 * The experiments needed in a fault space of `population` points for a margin `e` (0.01 = 1 point) at
 * confidence 1 - alpha, with the expected proportion p (0.5: the worst case):
 * n = N / (1 + e^2 (N - 1) / (t^2 p (1 - p))).
 */
uint64_t stats_leveugle_sample_size(uint64_t population, double e, double alpha, double p);

#endif
