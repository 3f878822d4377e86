/*
 * The statistics of `tessera bench compare` (formulas and their sources in docs/bench.md). Numerics come
 * from GSL: quantiles, the normal and t distributions, the Mersenne Twister for the bootstrap. Everything
 * is deterministic: the bootstrap is seeded.
 *
 * Conventions: x is the baseline, y the contender; a shift is y - x; a ratio is median(y) / median(x).
 */
#ifndef TESSERA_BENCH_STATS_H
#define TESSERA_BENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The exact U distribution is used below this size of each sample (when there are no ties), as R does. */
#define STATS_EXACT_MAX_N	  50
#define STATS_BOOTSTRAP_RESAMPLES 10000
/* Fewer observations than this in either sample: the ratio CI is the exact rank CI, not the bootstrap. */
#define STATS_BOOTSTRAP_MIN_N 10

double stats_median(const double *x, size_t n);

struct stats_mwu {
	double u; /* U of the baseline: pairs with x > y, ties counting one half */
	double p; /* two-sided */
	bool exact;
	bool ties;
};

/* Mann-Whitney U test. Returns 0, or -1 when a sample is empty. */
int stats_mann_whitney(const double *x, size_t m, const double *y, size_t n, struct stats_mwu *out);

/* P(U <= u) under H0 for samples of m and n without ties (exact, by the generating function). */
double stats_mwu_cdf(size_t m, size_t n, double u);

/*
 * Hodges-Lehmann estimate of the shift y - x (median of the m*n differences) and its distribution-free
 * confidence interval at level conf (from the U distribution: exact without ties for small samples,
 * else the normal approximation). When the samples are too small for that level, lo = -inf, hi = +inf.
 */
void stats_hodges_lehmann(const double *x, size_t m, const double *y, size_t n, double conf, double *shift,
			  double *lo, double *hi);

/* The same, choosing how: list and sort the m*n differences (list) or select them without listing. */
void stats_hodges_lehmann_list(const double *x, size_t m, const double *y, size_t n, double conf, bool list,
			       double *shift, double *lo, double *hi);

/*
 * Percentile bootstrap CIs of median(y) / median(x) at the nconf levels conf[] (lo[i], hi[i]), from one
 * set of `resamples` resamples of each sample with replacement, drawn from an MT19937 seeded with seed.
 */
void stats_bootstrap_ratio(const double *x, size_t m, const double *y, size_t n, unsigned int resamples,
			   uint64_t seed, const double *conf, size_t nconf, double *lo, double *hi);

struct stats_signed_rank {
	double w;   /* W+: the sum of the ranks of |d| over the positive differences */
	double p;   /* one-sided: P(W+ >= w) under H0 (d symmetric about 0), i.e. evidence that d > 0 */
	size_t n;   /* the pairs used: zero differences are dropped */
	bool exact; /* the exact distribution (n <= STATS_EXACT_MAX_N), else the normal approximation */
	bool ties;
};

/* Wilcoxon signed-rank test of paired differences d (stats_signed_rank.c). 0, or -1 out of memory. */
int stats_signed_rank(const double *d, size_t n, struct stats_signed_rank *out);

/* Holm's step-down adjustment of k p-values (adjusted[i] belongs to p[i]). */
void stats_holm(const double *p, size_t k, double *adjusted);

enum stats_verdict {
	VERDICT_FASTER,
	VERDICT_SLOWER,
	VERDICT_EQUIVALENT,
	VERDICT_INCONCLUSIVE,
	VERDICT_SAME_EXACT,
};

const char *stats_verdict_name(enum stats_verdict v);

/* One metric's comparison: inputs (lower_is_better, margin) and everything computed. */
struct stats_comparison {
	/* in */
	bool lower_is_better;
	double margin; /* relative, e.g. 0.02 */
	double alpha;  /* the rank test's significance level after Holm; 0: 0.05 */
	unsigned int resamples;
	uint64_t seed;
	/* out */
	size_t m, n;
	double median_x, median_y, ratio;
	const char *ci_method; /* "bootstrap-percentile", "exact-rank", "exact" or "none" */
	const char *note;      /* why a verdict could not be reached or a figure is missing; NULL if none */
	double ratio_lo, ratio_hi;     /* 95% */
	double ratio_lo90, ratio_hi90; /* 90%: the two one-sided tests of equivalence at 5% */
	double hl_shift, hl_lo, hl_hi; /* 95%, in the metric's unit */
	struct stats_mwu mwu;
	double p_holm; /* filled by stats_compare_family */
	double mde;    /* smallest relative change detectable with 80% power at alpha; inf if none */
	bool exact;    /* both samples of 2+ equal values: compared exactly */
	enum stats_verdict verdict;
};

/* Everything but the Holm-adjusted p-value and the verdict. */
void stats_compare(const double *x, size_t m, const double *y, size_t n, struct stats_comparison *c);
/* Whether a comparison is in Holm's family: it has a test that decides (not exact, 2+ observations a side). */
bool stats_in_family(const struct stats_comparison *c);
/* Holm across the k metrics of one comparison, then each verdict. */
void stats_compare_family(struct stats_comparison *c, size_t k);

#endif
