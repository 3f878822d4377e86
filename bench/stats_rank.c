/*
 * Rank statistics: the Mann-Whitney U test and the Hodges-Lehmann shift with its confidence interval, both
 * from the distribution of U (Hollander, Wolfe & Chicken, Nonparametric Statistical Methods, 3rd ed.,
 * sections 4.1-4.3; the same rules as R's wilcox.test).
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/*
 * The number of arrangements with U = u, u = 0..m*n, from the generating function
 * prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i) (Andrews, The Theory of Partitions, 3.4), as doubles.
 */
static double *mwu_counts(size_t m, size_t n)
{
	size_t top = m * n;
	double *c = calloc(top + 1, sizeof(*c));
	if (!c)
		abort();
	c[0] = 1;
	for (size_t i = 1; i <= m; i++) {
		for (size_t k = top; k >= n + i && k <= top; k--)
			c[k] -= c[k - n - i];
		for (size_t k = i; k <= top; k++)
			c[k] += c[k - i];
	}
	return c;
}

double stats_mwu_cdf(size_t m, size_t n, double u)
{
	if (u < 0)
		return 0;
	double *c = mwu_counts(m, n);
	double below = 0, total = 0;
	for (size_t k = 0; k <= m * n; k++) {
		total += c[k];
		if ((double)k <= u)
			below += c[k];
	}
	free(c);
	return below / total;
}

/* Sum over tie groups of t^3 - t, for the variance of U; x and y together, sorted. */
static double tie_term(const double *x, size_t m, const double *y, size_t n)
{
	size_t nn = m + n;
	double *all = malloc(nn * sizeof(*all)), t = 0;
	if (!all)
		abort();
	memcpy(all, x, m * sizeof(*x));
	memcpy(all + m, y, n * sizeof(*y));
	qsort(all, nn, sizeof(*all), cmp_double);
	for (size_t i = 0; i < nn;) {
		size_t j = i;
		while (j < nn && all[j] == all[i])
			j++;
		double g = (double)(j - i);
		t += g * g * g - g;
		i = j;
	}
	free(all);
	return t;
}

static double mwu_sigma(size_t m, size_t n, double ties)
{
	double nn = (double)(m + n);
	return sqrt((double)m * (double)n / 12.0 * ((nn + 1) - ties / (nn * (nn - 1))));
}

int stats_mann_whitney(const double *x, size_t m, const double *y, size_t n, struct stats_mwu *out)
{
	if (!m || !n)
		return -1;
	double u = 0;
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < n; j++)
			u += x[i] > y[j] ? 1 : x[i] == y[j] ? 0.5 : 0;
	double ties = tie_term(x, m, y, n);
	double mn = (double)m * (double)n, big = fmax(u, mn - u);
	*out = (struct stats_mwu){.u = u, .ties = ties > 0};
	if (!out->ties && m < STATS_EXACT_MAX_N && n < STATS_EXACT_MAX_N) {
		/* 2 P(U >= big) = 2 P(U <= mn - big) by symmetry. */
		out->exact = true;
		out->p = fmin(1, 2 * stats_mwu_cdf(m, n, mn - big));
		return 0;
	}
	double sigma = mwu_sigma(m, n, ties);
	if (sigma == 0) {
		out->p = 1;
		return 0;
	}
	/* Continuity correction of one half, as R and scipy apply by default. */
	double z = (big - mn / 2 - 0.5) / sigma;
	out->p = fmin(1, 2 * gsl_cdf_ugaussian_Q(z));
	return 0;
}

/*
 * The m*n differences y_j - x_i in order. Up to STATS_HL_SORT_MAX of them are listed and sorted; beyond
 * that (a single long boot's iterations) the k-th is found without listing them: count the differences
 * <= t with two pointers over the sorted samples (O(m + n)) and bisect t over the doubles.
 */
#define STATS_HL_SORT_MAX (1u << 20)

struct diffs {
	size_t m, n;
	double *xs, *ys, *all;
};

static double *sorted_copy(const double *x, size_t n)
{
	double *c = malloc((n + 1) * sizeof(*c));
	if (!c)
		abort();
	memcpy(c, x, n * sizeof(*c));
	gsl_sort(c, 1, n);
	return c;
}

static void diffs_init(struct diffs *d, const double *x, size_t m, const double *y, size_t n, bool list)
{
	*d = (struct diffs){.m = m, .n = n, .xs = sorted_copy(x, m), .ys = sorted_copy(y, n)};
	if (!list)
		return;
	d->all = malloc(m * n * sizeof(*d->all));
	if (!d->all)
		abort();
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < n; j++)
			d->all[i * n + j] = y[j] - x[i];
	gsl_sort(d->all, 1, m * n);
}

static void diffs_free(struct diffs *d)
{
	free(d->xs);
	free(d->ys);
	free(d->all);
}

/* How many y_j - x_i are <= t. fl(a - b) falls as b grows, so j only moves forward. */
static size_t count_le(const struct diffs *d, double t)
{
	size_t c = 0, j = 0;
	for (size_t i = 0; i < d->m; i++) {
		while (j < d->n && d->ys[j] - d->xs[i] <= t)
			j++;
		c += j;
	}
	return c;
}

/* The k-th smallest difference, 0-based. */
static double diffs_kth(const struct diffs *d, size_t k)
{
	if (d->all)
		return d->all[k];
	double lo = d->ys[0] - d->xs[d->m - 1], hi = d->ys[d->n - 1] - d->xs[0];
	if (count_le(d, lo) > k)
		return lo;
	/* count_le(lo) <= k < count_le(hi): narrow until lo and hi are adjacent doubles; then hi is it. */
	for (;;) {
		double mid = lo + (hi - lo) / 2;
		if (mid <= lo || mid >= hi)
			return hi;
		if (count_le(d, mid) > k)
			hi = mid;
		else
			lo = mid;
	}
}

void stats_hodges_lehmann(const double *x, size_t m, const double *y, size_t n, double conf, double *shift,
			  double *lo, double *hi)
{
	stats_hodges_lehmann_list(x, m, y, n, conf, m * n <= STATS_HL_SORT_MAX, shift, lo, hi);
}

void stats_hodges_lehmann_list(const double *x, size_t m, const double *y, size_t n, double conf, bool list,
			       double *shift, double *lo, double *hi)
{
	size_t mn = m * n;
	struct diffs d;
	diffs_init(&d, x, m, y, n, list);
	*shift = mn % 2 ? diffs_kth(&d, mn / 2) : (diffs_kth(&d, mn / 2 - 1) + diffs_kth(&d, mn / 2)) / 2;
	double alpha = 1 - conf, ties = tie_term(x, m, y, n);
	size_t k; /* the CI is [d_(k), d_(mn+1-k)], 1-based */
	if (!ties && m < STATS_EXACT_MAX_N && n < STATS_EXACT_MAX_N) {
		/* The smallest k with P(U <= k) >= alpha/2 (R's qwilcox); coverage 1 - 2 P(U <= k - 1). */
		double *c = mwu_counts(m, n), total = 0, below = 0;
		for (size_t u = 0; u <= mn; u++)
			total += c[u];
		for (k = 0; k <= mn; k++) {
			below += c[k];
			if (below / total >= alpha / 2)
				break;
		}
		free(c);
	} else {
		double kk = (double)mn / 2 - gsl_cdf_ugaussian_Qinv(alpha / 2) * mwu_sigma(m, n, ties);
		k = kk < 1 ? 0 : (size_t)floor(kk);
	}
	if (k == 0 || k > mn / 2 + 1) {
		/* Not even [min, max] reaches the level: the data bound nothing. */
		*lo = -INFINITY;
		*hi = INFINITY;
	} else {
		*lo = diffs_kth(&d, k - 1);
		*hi = diffs_kth(&d, mn - k);
	}
	diffs_free(&d);
}
