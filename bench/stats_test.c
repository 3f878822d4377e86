/*
 * The statistics against known values. References were computed once with Debian's scipy 1.10
 * (/usr/bin/python3: scipy.stats.mannwhitneyu(x, y, method=...)) and, for the Hodges-Lehmann intervals,
 * with R's wilcox.test rule (smallest k with P(U <= k) >= alpha/2 over the exact U distribution, the
 * distribution counted by enumerating every arrangement with itertools.combinations).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Hollander & Wolfe's example in R's ?wilcox.test (no ties): W = 35, two-sided p = 0.2544. */
static const double hw_x[] = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
static const double hw_y[] = {1.15, 0.88, 0.90, 0.74, 1.21};

Test(stats, mann_whitney_exact_matches_the_textbook_example)
{
	struct stats_mwu r;
	cr_assert_eq(stats_mann_whitney(hw_x, N(hw_x), hw_y, N(hw_y), &r), 0);
	cr_expect(r.exact);
	cr_expect_float_eq(r.u, 35, 1e-12);
	cr_expect_float_eq(r.p, 0.2544122544122544, 1e-12); /* scipy method='exact' */
}

Test(stats, mann_whitney_with_ties_uses_the_corrected_normal_approximation)
{
	const double x[] = {1, 2, 2, 3, 4, 5, 5, 5, 6}, y[] = {3, 4, 4, 6, 7, 7, 8, 9};
	struct stats_mwu r;
	cr_assert_eq(stats_mann_whitney(x, N(x), y, N(y), &r), 0);
	cr_expect_not(r.exact);
	cr_expect(r.ties);
	cr_expect_float_eq(r.u, 15, 1e-12);
	cr_expect_float_eq(r.p, 0.04689138865209036, 1e-12); /* method='asymptotic', use_continuity=True */

	/* Ties within one sample only (R's ?t.test sleep-like data), also the normal approximation. */
	const double a[] = {1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30};
	const double b[] = {0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29};
	cr_assert_eq(stats_mann_whitney(a, N(a), b, N(b), &r), 0);
	cr_expect_float_eq(r.u, 58, 1e-12);
	cr_expect_float_eq(r.p, 0.13291945818531892, 1e-12);
}

Test(stats, mann_whitney_exact_distribution)
{
	/* m = n = 3: 20 arrangements, one with U = 0, one with U = 1, two with U = 2. */
	cr_expect_float_eq(stats_mwu_cdf(3, 3, 0), 1.0 / 20, 1e-15);
	cr_expect_float_eq(stats_mwu_cdf(3, 3, 2), 4.0 / 20, 1e-15);
	cr_expect_float_eq(stats_mwu_cdf(3, 3, 9), 1, 1e-15);
	cr_expect_float_eq(stats_mwu_cdf(10, 5, 14), 0.10323010323010323, 1e-12); /* enumerated */
	/* Large: P(U <= mn/2) just over one half, no overflow. */
	double p = stats_mwu_cdf(40, 45, 900);
	cr_expect(p > 0.5 && p < 0.53, "P = %g", p);
}

Test(stats, hodges_lehmann_shift_and_exact_interval)
{
	double s, lo, hi;
	stats_hodges_lehmann(hw_x, N(hw_x), hw_y, N(hw_y), 0.95, &s, &lo, &hi);
	/* R: wilcox.test(x, y, conf.int = TRUE) gives 0.305 and [-0.15, 0.76] for x - y. */
	cr_expect_float_eq(s, -0.305, 1e-12);
	cr_expect_float_eq(lo, -0.76, 1e-12);
	cr_expect_float_eq(hi, 0.15, 1e-12);

	/* 4 + 4: P(U <= 0) = 1/70 < 2.5% <= P(U <= 1), so k = 1: [min, max] of the differences. */
	const double a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8};
	stats_hodges_lehmann(a, 4, b, 4, 0.95, &s, &lo, &hi);
	cr_expect_float_eq(s, 4, 1e-12);
	cr_expect_float_eq(lo, 1, 1e-12);
	cr_expect_float_eq(hi, 7, 1e-12);
	/* 3 + 3 cannot reach 95% (P(U <= 0) = 5%): the interval is unbounded, not a false [min, max]. */
	stats_hodges_lehmann(a, 3, b, 3, 0.95, &s, &lo, &hi);
	cr_expect(isinf(lo) && isinf(hi));
}

Test(stats, holm_adjusts_step_down)
{
	const double p[] = {0.01, 0.04, 0.03, 0.005};
	double adj[4];
	stats_holm(p, 4, adj);
	cr_expect_float_eq(adj[0], 0.03, 1e-12);
	cr_expect_float_eq(adj[1], 0.06, 1e-12);
	cr_expect_float_eq(adj[2], 0.06, 1e-12);
	cr_expect_float_eq(adj[3], 0.02, 1e-12);
}

Test(stats, bootstrap_is_seeded_and_brackets_the_ratio)
{
	double x[30], y[30], lo, hi, lo2, hi2;
	for (int i = 0; i < 30; i++) {
		x[i] = 100 + (i * 37 % 11);
		y[i] = 1.2 * x[i] + (i * 13 % 5);
	}
	stats_bootstrap_ratio(x, 30, y, 30, 2000, 42, (const double[]){0.95}, 1, &lo, &hi);
	stats_bootstrap_ratio(x, 30, y, 30, 2000, 42, (const double[]){0.95}, 1, &lo2, &hi2);
	cr_expect_eq(lo, lo2);
	cr_expect_eq(hi, hi2);
	double r = stats_median(y, 30) / stats_median(x, 30);
	cr_expect(lo < r && r < hi && lo > 1.1 && hi < 1.35, "[%g, %g] around %g", lo, hi, r);
	cr_expect_float_eq(stats_median((const double[]){3, 1, 2, 10}, 4), 2.5, 1e-15);
}

static struct stats_comparison compare(const double *x, size_t m, const double *y, size_t n)
{
	struct stats_comparison c = {.lower_is_better = true, .margin = 0.02, .seed = 1};
	stats_compare(x, m, y, n, &c);
	stats_compare_family(&c, 1);
	return c;
}

Test(stats, alpha_sets_the_level_of_a_call)
{
	/* 6 against 6, completely apart: the smallest two-sided p, 2 / C(12, 6) = 0.00216 */
	const double x[] = {100, 101, 102, 103, 104, 105}, y[] = {110, 111, 112, 113, 114, 115};
	struct stats_comparison c = {.lower_is_better = true, .margin = 0.02, .seed = 1};

	stats_compare(x, 6, y, 6, &c);
	stats_compare_family(&c, 1);
	cr_expect_float_eq(c.p_holm, 2.0 / 924, 1e-9);
	cr_expect_eq(c.verdict, VERDICT_SLOWER, "called at the default 0.05");
	cr_expect(isfinite(c.mde));
	c = (struct stats_comparison){.lower_is_better = true, .margin = 0.02, .seed = 1, .alpha = 0.001};
	stats_compare(x, 6, y, 6, &c);
	stats_compare_family(&c, 1);
	cr_expect_neq(c.verdict, VERDICT_SLOWER, "called at 0.001, below the smallest p 6 a side can give");
	cr_expect(isinf(c.mde), "6 a side cannot detect anything at 0.001: the MDE is infinite");
	c = (struct stats_comparison){.lower_is_better = true, .margin = 0.02, .seed = 1, .alpha = 0.003};
	stats_compare(x, 6, y, 6, &c);
	stats_compare_family(&c, 1);
	cr_expect_eq(c.verdict, VERDICT_SLOWER, "called at 0.003, above 0.00216");
}

Test(stats, verdicts)
{
	double x[20], y[20];
	/* Constant samples (deterministic mode): exact. */
	for (int i = 0; i < 20; i++) {
		x[i] = 700;
		y[i] = 702;
	}
	struct stats_comparison c = compare(x, 5, y, 5);
	cr_expect(c.exact);
	cr_expect_eq(c.verdict, VERDICT_SLOWER);
	cr_expect_str_eq(c.ci_method, "exact");
	c = compare(x, 5, x, 5);
	cr_expect_eq(c.verdict, VERDICT_SAME_EXACT);

	/* A clear 10% slowdown with 1% jitter. */
	for (int i = 0; i < 20; i++) {
		x[i] = 1000 + (i * 7 % 10);
		y[i] = 1100 + (i * 3 % 10);
	}
	c = compare(x, 20, y, 20);
	cr_expect_eq(c.verdict, VERDICT_SLOWER, "%s p=%g", stats_verdict_name(c.verdict), c.p_holm);
	cr_expect_str_eq(c.ci_method, "bootstrap-percentile");
	cr_expect(c.ratio_lo < 1.1 && 1.1 < c.ratio_hi + 0.005);
	c.lower_is_better = false;
	stats_compare_family(&c, 1);
	cr_expect_eq(c.verdict, VERDICT_FASTER, "a throughput metric: higher is better");
	/* Same distribution, tight noise, margin 2%: equivalent. */
	for (int i = 0; i < 20; i++)
		y[i] = 1000 + (i * 3 % 10);
	c = compare(x, 20, y, 20);
	cr_expect_eq(c.verdict, VERDICT_EQUIVALENT, "%s [%g, %g]", stats_verdict_name(c.verdict),
		     c.ratio_lo90, c.ratio_hi90);
	cr_expect(c.mde > 0 && c.mde < 0.02, "mde %g", c.mde);
	/* Two boots each: nothing is detectable. */
	c = compare(x, 2, y + 10, 2);
	cr_expect_eq(c.verdict, VERDICT_INCONCLUSIVE);
	cr_expect(isinf(c.mde));
	cr_expect_str_eq(c.ci_method, "exact-rank");
}

/* Large samples: the differences are selected without listing them, and agree with the listed ones. */
Test(stats, hodges_lehmann_selection_equals_the_sorted_list)
{
	static double x[1300], y[1100];
	for (int i = 0; i < 1300; i++)
		x[i] = 1000 + (i * 7919 % 1301) * 0.37;
	for (int j = 0; j < 1100; j++)
		y[j] = 1040 + (j * 104729 % 1103) * 0.41;
	double s1, lo1, hi1, s2, lo2, hi2;
	stats_hodges_lehmann_list(x, 1300, y, 1100, 0.95, true, &s1, &lo1, &hi1);
	stats_hodges_lehmann_list(x, 1300, y, 1100, 0.95, false, &s2, &lo2, &hi2);
	cr_expect_eq(s1, s2, "%.17g vs %.17g", s1, s2);
	cr_expect_eq(lo1, lo2, "%.17g vs %.17g", lo1, lo2);
	cr_expect_eq(hi1, hi2, "%.17g vs %.17g", hi1, hi2);
	cr_expect(lo1 < s1 && s1 < hi1);
	/* Also where the exact U distribution applies (small, no ties): the textbook example. */
	stats_hodges_lehmann_list(hw_x, N(hw_x), hw_y, N(hw_y), 0.95, false, &s2, &lo2, &hi2);
	cr_expect_float_eq(s2, -0.305, 1e-12);
	cr_expect_float_eq(lo2, -0.76, 1e-12);
	cr_expect_float_eq(hi2, 0.15, 1e-12);
	/* And the whole comparison of 2000 + 2000 iterations does not overflow C(4000, 2000). */
	static double a[2000], b[2000];
	for (int i = 0; i < 2000; i++) {
		a[i] = 1000 + (i * 37 % 101);
		b[i] = 1010 + (i * 53 % 101);
	}
	struct stats_comparison c = compare(a, 2000, b, 2000);
	cr_expect(isfinite(c.mde) && c.mde > 0 && c.mde < 0.01, "mde %g", c.mde);
	cr_expect_eq(c.verdict, VERDICT_SLOWER);
}

/* One observation a side is constant by definition: no evidence of determinism, so no exact verdict. */
Test(stats, one_observation_a_side_is_inconclusive_not_exact)
{
	double x[2] = {700, 700}, y[2] = {702, 702}, z[2] = {0, 0}, w[2] = {5, 5};
	struct stats_comparison c = compare(x, 1, y, 1);
	cr_expect_not(c.exact);
	cr_expect_eq(c.verdict, VERDICT_INCONCLUSIVE, "%s", stats_verdict_name(c.verdict));
	cr_expect(c.note && strstr(c.note, "one observation a side"), "note %s", c.note);
	cr_expect(isinf(c.mde));
	c = compare(x, 1, y, 2);
	cr_expect_eq(c.verdict, VERDICT_INCONCLUSIVE);
	/* Two equal observations a side are evidence: exact. */
	c = compare(x, 2, y, 2);
	cr_expect(c.exact);
	cr_expect_eq(c.verdict, VERDICT_SLOWER);
	/* Both all zero: equal, the same; not 0/0 = NaN called slower. */
	c = compare(z, 2, z, 2);
	cr_expect(c.exact);
	cr_expect_eq(c.verdict, VERDICT_SAME_EXACT, "%s", stats_verdict_name(c.verdict));
	cr_expect_float_eq(c.ratio, 1, 0);
	c = compare(z, 1, z, 1);
	cr_expect_eq(c.verdict, VERDICT_INCONCLUSIVE);
	/* A zero baseline, a nonzero contender: no ratio, said so; the direction still decides. */
	c = compare(z, 2, w, 2);
	cr_expect(isnan(c.ratio));
	cr_expect(c.note && strstr(c.note, "no ratio"), "note %s", c.note);
	cr_expect_eq(c.verdict, VERDICT_SLOWER);
}

/* Comparing doubles for qsort. */
static int cmp_double(const void *a, const void *b)
{
	double u = *(const double *)a, v = *(const double *)b;
	return (u > v) - (u < v);
}

/*
 * With few values (exact-rank CI) the ratio is the interval's own estimate: the median of the pairwise
 * ratios y_j / x_i (the middle two's geometric mean for an even count), inside its own 90% and 95% CIs.
 */
Test(stats, an_exact_rank_ratio_is_the_median_pairwise_ratio_inside_its_ci)
{
	const double x[6] = {100, 104, 97, 250, 101, 99}, y[6] = {140, 111, 240, 104, 109, 260};
	double r[36];
	struct stats_comparison c = compare(x, 6, y, 6);

	cr_assert_str_eq(c.ci_method, "exact-rank");
	for (int i = 0; i < 6; i++)
		for (int j = 0; j < 6; j++)
			r[6 * i + j] = y[j] / x[i];
	qsort(r, 36, sizeof(*r), cmp_double);
	cr_expect_float_eq(c.ratio, sqrt(r[17] * r[18]), 1e-12, "ratio %.15g, pairwise median %.15g", c.ratio,
			   sqrt(r[17] * r[18]));
	cr_expect(c.ratio_lo <= c.ratio_lo90 && c.ratio_lo90 <= c.ratio && c.ratio <= c.ratio_hi90 &&
			  c.ratio_hi90 <= c.ratio_hi,
		  "ratio %g, 90%% [%g, %g], 95%% [%g, %g]", c.ratio, c.ratio_lo90, c.ratio_hi90, c.ratio_lo,
		  c.ratio_hi);
	/* not the ratio of medians: 125.5 / 100.5 = 1.249 here, where the pairwise ratios say 1.116 */
	cr_expect_gt(fabs(c.ratio - c.median_y / c.median_x), 0.01, "ratio %g", c.ratio);
}

/* Small samples with a zero or negative value: no ratio CI (logs need positive values), no bootstrap. */
Test(stats, small_non_positive_samples_have_no_ratio_ci_and_the_hl_shift_decides)
{
	double x[8] = {0, 1, 2, 1, 0, 2, 1, 1}, y[8] = {10, 11, 12, 10, 11, 12, 10, 11};
	struct stats_comparison c = compare(x, 8, y, 8);
	cr_expect_str_eq(c.ci_method, "none");
	cr_expect(c.note && strstr(c.note, "no ratio CI for non-positive values"), "note %s", c.note);
	cr_expect(c.hl_lo > 0, "HL CI [%g, %g]", c.hl_lo, c.hl_hi);
	cr_expect_eq(c.verdict, VERDICT_SLOWER, "%s p=%g", stats_verdict_name(c.verdict), c.p_holm);
	/* No ratio CI, so no equivalence either. */
	c = compare(x, 8, x, 8);
	cr_expect_eq(c.verdict, VERDICT_INCONCLUSIVE, "%s", stats_verdict_name(c.verdict));
}

/* Exact metrics are decided by their values: they do not enlarge Holm's family of the others. */
Test(stats, exact_metrics_stay_out_of_holms_family)
{
	double x[20], y[20], k[3] = {5, 5, 5}, l[3] = {6, 6, 6};
	for (int i = 0; i < 20; i++) {
		x[i] = 1000 + (i * 7 % 10);
		y[i] = 1100 + (i * 3 % 10);
	}
	struct stats_comparison c[2] = {{.lower_is_better = true, .margin = 0.02, .seed = 1},
					{.lower_is_better = true, .margin = 0.02, .seed = 1}};
	stats_compare(x, 20, y, 20, &c[0]);
	stats_compare(k, 3, l, 3, &c[1]);
	stats_compare_family(c, 2);
	cr_expect_float_eq(c[0].p_holm, c[0].mwu.p, 0, "adjusted %g, raw %g", c[0].p_holm, c[0].mwu.p);
	cr_expect_eq(c[1].verdict, VERDICT_SLOWER);
}

Test(stats, signed_rank_exact_matches_the_table)
{
	struct stats_signed_rank r;
	/* n = 12, the negatives' ranks 1, 2, 3, 4, 7 (sum 17): W+ = 61, P(W+ >= 61) = 189 / 4096, the
	 * one-sided 5 % critical value of the published tables (T = 17 for n = 12) */
	double d[12] = {-1, -2, -3, -4, 5, 6, -7, 8, 9, 10, 11, 12};
	cr_assert_eq(stats_signed_rank(d, 12, &r), 0);
	cr_expect_eq(r.n, 12);
	cr_expect_eq(r.w, 61);
	cr_expect(r.exact && !r.ties);
	cr_expect_float_eq(r.p, 189.0 / 4096, 1e-12, "%g", r.p);
	/* one negative more among the small ones: 62 would be less likely, 60 more */
	d[6] = 7;
	d[4] = -5;
	cr_assert_eq(stats_signed_rank(d, 12, &r), 0);
	cr_expect_eq(r.w, 63);
	cr_expect_lt(r.p, 189.0 / 4096);

	double all[5] = {3, 1, 4, 1.5, 9};
	cr_assert_eq(stats_signed_rank(all, 5, &r), 0);
	cr_expect_float_eq(r.p, 1.0 / 32, 1e-12, "every sign positive: 1 in 2^5");

	double zeros[3] = {0, 1, 2};
	cr_assert_eq(stats_signed_rank(zeros, 3, &r), 0);
	cr_expect_eq(r.n, 2, "a zero difference is dropped");
	cr_expect_float_eq(r.p, 0.25, 1e-12);

	double tied[3] = {1, 1, -1}; /* midranks 2, 2, 2: W+ = 4; 4 of the 8 assignments reach it */
	cr_assert_eq(stats_signed_rank(tied, 3, &r), 0);
	cr_expect(r.ties);
	cr_expect_eq(r.w, 4);
	cr_expect_float_eq(r.p, 0.5, 1e-12);
}

Test(stats, signed_rank_normal_approximation_for_many_pairs)
{
	double d[80];
	struct stats_signed_rank r;

	for (int i = 0; i < 80; i++)
		d[i] = i % 2 ? i + 1 : -(i + 1); /* alternating signs: no evidence either way */
	cr_assert_eq(stats_signed_rank(d, 80, &r), 0);
	cr_expect(!r.exact);
	cr_expect(r.p > 0.3 && r.p < 0.7, "%g", r.p);
	for (int i = 0; i < 80; i++)
		d[i] = i + 1;
	cr_assert_eq(stats_signed_rank(d, 80, &r), 0);
	cr_expect_lt(r.p, 1e-10);
}
