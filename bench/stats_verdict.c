/*
 * One comparison of a metric, from samples to verdict: medians, the ratio and its CI, the rank test and
 * the Hodges-Lehmann shift, Holm across the metrics, the two one-sided tests of equivalence, and the
 * minimum detectable effect. docs/bench.md states each rule; the selftest (bench_selftest.c) measures
 * their error rates on simulated data.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define DEFAULT_ALPHA 0.05
#define POWER	      0.80

static double alpha_of(const struct stats_comparison *c)
{
	return c->alpha > 0 ? c->alpha : DEFAULT_ALPHA;
}

static const char *const verdict_names[] = {
	[VERDICT_FASTER] = "faster",	     [VERDICT_SLOWER] = "slower",
	[VERDICT_EQUIVALENT] = "equivalent", [VERDICT_INCONCLUSIVE] = "inconclusive",
	[VERDICT_SAME_EXACT] = "same",
};

const char *stats_verdict_name(enum stats_verdict v)
{
	return verdict_names[v];
}

void stats_holm(const double *p, size_t k, double *adjusted)
{
	size_t *order = calloc(k + 1, sizeof(*order));
	if (!order)
		abort();
	for (size_t i = 0; i < k; i++)
		order[i] = i;
	/* Insertion sort by p: k is the number of metrics of one comparison, small. */
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && p[order[j]] < p[order[j - 1]]; j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	double running = 0;
	for (size_t r = 0; r < k; r++) {
		double a = fmin(1, (double)(k - r) * p[order[r]]);
		running = fmax(running, a); /* step-down: never below an earlier, smaller p's adjustment */
		adjusted[order[r]] = running;
	}
	free(order);
}

static bool constant(const double *x, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (x[i] != x[0])
			return false;
	return true;
}

static bool all_positive(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(x[i] > 0))
			return false;
	return true;
}

static double *logs(const double *x, size_t n)
{
	double *l = malloc(n * sizeof(*l));
	if (!l)
		abort();
	for (size_t i = 0; i < n; i++)
		l[i] = log(x[i]);
	return l;
}

/* The pooled standard deviation of two samples (0 when neither has two values). */
static double pooled_sd(const double *x, size_t m, const double *y, size_t n)
{
	double ss = 0;
	if (m > 1)
		ss += gsl_stats_variance(x, 1, m) * (double)(m - 1);
	if (n > 1)
		ss += gsl_stats_variance(y, 1, n) * (double)(n - 1);
	return m + n > 2 ? sqrt(ss / (double)(m + n - 2)) : 0;
}

/*
 * The smallest relative change the comparison detects with 80% power at level a: the t-test's
 * (t_{1-a/2} + t_{power}) * s * sqrt(1/m + 1/n), with s the pooled SD of the log values, divided by
 * sqrt(3/pi) (the Mann-Whitney test's efficiency relative to the t-test under normal noise). Infinite
 * when even the most extreme ranks cannot reach p < a.
 */
static double min_detectable(const double *x, size_t m, const double *y, size_t n, bool positive,
			     double med_x, double a)
{
	/* 2 / C(m+n, m), the smallest two-sided p, in logs: C(2000, 1000) overflows a double. */
	if (m + n < 3 || log(2) - gsl_sf_lnchoose((unsigned int)(m + n), (unsigned int)m) >= log(a))
		return INFINITY;
	double df = (double)(m + n - 2);
	double t = gsl_cdf_tdist_Pinv(1 - a / 2, df) + gsl_cdf_tdist_Pinv(POWER, df);
	double scale = t * sqrt(1.0 / (double)m + 1.0 / (double)n) / sqrt(3 / M_PI);
	if (positive) {
		double *lx = logs(x, m), *ly = logs(y, n);
		double s = pooled_sd(lx, m, ly, n);
		free(lx);
		free(ly);
		return expm1(scale * s);
	}
	return med_x != 0 ? scale * pooled_sd(x, m, y, n) / fabs(med_x) : INFINITY;
}

/* median(y) / median(x); NaN (no ratio) for a zero baseline unless the contender is zero too. */
static double ratio_of(double my, double mx)
{
	if (mx == 0)
		return my == 0 ? 1 : NAN;
	return my / mx;
}

static void no_ratio_ci(struct stats_comparison *c, const char *note)
{
	c->ci_method = "none";
	c->note = note;
	c->ratio_lo = c->ratio_lo90 = -INFINITY;
	c->ratio_hi = c->ratio_hi90 = INFINITY;
}

void stats_compare(const double *x, size_t m, const double *y, size_t n, struct stats_comparison *c)
{
	c->m = m;
	c->n = n;
	c->note = NULL;
	c->median_x = stats_median(x, m);
	c->median_y = stats_median(y, n);
	c->ratio = ratio_of(c->median_y, c->median_x);
	stats_mann_whitney(x, m, y, n, &c->mwu);
	stats_hodges_lehmann(x, m, y, n, 0.95, &c->hl_shift, &c->hl_lo, &c->hl_hi);
	c->p_holm = c->mwu.p;
	/*
	 * Exact needs evidence that the metric is deterministic: two or more equal observations a side.
	 * One observation is constant by definition and says nothing about its noise.
	 */
	c->exact = m >= 2 && n >= 2 && constant(x, m) && constant(y, n);
	if (c->exact) {
		/* Deterministic-mode counts: nothing to estimate, the difference is the difference. */
		c->ci_method = "exact";
		c->ratio_lo = c->ratio_hi = c->ratio_lo90 = c->ratio_hi90 = c->ratio;
		c->mde = 0;
		if (isnan(c->ratio))
			c->note = "no ratio: the baseline is zero";
		return;
	}
	if (m < 2 || n < 2) {
		no_ratio_ci(c, "one observation a side: no estimate of the noise");
		c->mde = INFINITY;
		return;
	}
	bool positive = all_positive(x, m) && all_positive(y, n);
	bool small = m < STATS_BOOTSTRAP_MIN_N || n < STATS_BOOTSTRAP_MIN_N;
	if (small && !positive) {
		/*
		 * The exact rank CI of the ratio works on logs and needs positive values, and the bootstrap
		 * undercovers at this size: no ratio CI; the HL shift (in the metric's unit) decides.
		 */
		no_ratio_ci(c, "no ratio CI for non-positive values: the HL shift decides");
	} else if (small) {
		/*
		 * Small samples: the bootstrap undercovers (measured by the selftest), so the ratio's CI is
		 * the exact distribution-free one: the Hodges-Lehmann CI of log(y) - log(x), exponentiated.
		 * The ratio is that interval's own estimate, exp(HL shift of the logs) (the median of the
		 * pairwise ratios): the ratio of medians may lie outside the interval at these sizes.
		 */
		double *lx = logs(x, m), *ly = logs(y, n), s, lo, hi;
		c->ci_method = "exact-rank";
		stats_hodges_lehmann(lx, m, ly, n, 0.95, &s, &lo, &hi);
		c->ratio = exp(s);
		c->ratio_lo = exp(lo);
		c->ratio_hi = exp(hi);
		stats_hodges_lehmann(lx, m, ly, n, 0.90, &s, &lo, &hi);
		c->ratio_lo90 = exp(lo);
		c->ratio_hi90 = exp(hi);
		free(lx);
		free(ly);
	} else if (c->median_x == 0) {
		no_ratio_ci(c, "no ratio: the baseline median is zero; the HL shift decides");
	} else {
		unsigned int b = c->resamples ? c->resamples : STATS_BOOTSTRAP_RESAMPLES;
		c->ci_method = "bootstrap-percentile";
		double lo[2], hi[2];
		stats_bootstrap_ratio(x, m, y, n, b, c->seed, (const double[]){0.95, 0.90}, 2, lo, hi);
		c->ratio_lo = lo[0];
		c->ratio_hi = hi[0];
		c->ratio_lo90 = lo[1];
		c->ratio_hi90 = hi[1];
	}
	c->mde = min_detectable(x, m, y, n, positive, c->median_x, alpha_of(c));
}

static enum stats_verdict verdict(const struct stats_comparison *c)
{
	if (c->exact) {
		/* Compare the values themselves: a zero baseline has no ratio but still a direction. */
		if (c->median_y == c->median_x)
			return VERDICT_SAME_EXACT;
		bool lower = c->median_y < c->median_x;
		return lower == c->lower_is_better ? VERDICT_FASTER : VERDICT_SLOWER;
	}
	if (c->m < 2 || c->n < 2)
		return VERDICT_INCONCLUSIVE;
	if (!strcmp(c->ci_method, "none")) {
		/* No ratio CI: the shift's CI must exclude 0; equivalence needs a ratio, so none. */
		if (c->p_holm < alpha_of(c) && (c->hl_hi < 0 || c->hl_lo > 0))
			return (c->hl_shift < 0) == c->lower_is_better ? VERDICT_FASTER : VERDICT_SLOWER;
		return VERDICT_INCONCLUSIVE;
	}
	bool lower = c->ratio < 1;
	if (c->p_holm < alpha_of(c) && (c->ratio_hi < 1 || c->ratio_lo > 1))
		return lower == c->lower_is_better ? VERDICT_FASTER : VERDICT_SLOWER;
	/* Two one-sided tests at 5% each: the 90% CI inside the margin. */
	if (c->ratio_lo90 > 1 - c->margin && c->ratio_hi90 < 1 + c->margin)
		return VERDICT_EQUIVALENT;
	return VERDICT_INCONCLUSIVE;
}

bool stats_in_family(const struct stats_comparison *c)
{
	return !c->exact && c->m >= 2 && c->n >= 2;
}

void stats_compare_family(struct stats_comparison *c, size_t k)
{
	double *p = calloc(k + 1, sizeof(*p)), *adj = calloc(k + 1, sizeof(*adj));
	size_t f = 0;
	if (!p || !adj)
		abort();
	for (size_t i = 0; i < k; i++)
		if (stats_in_family(&c[i]))
			p[f++] = c[i].mwu.p;
	stats_holm(p, f, adj);
	f = 0;
	for (size_t i = 0; i < k; i++) {
		/* Exact metrics are decided by their values, not a test: they do not widen the family. */
		c[i].p_holm = stats_in_family(&c[i]) ? adj[f++] : c[i].mwu.p;
		c[i].verdict = verdict(&c[i]);
	}
	free(p);
	free(adj);
}
