/* E-divisive means on synthetic series whose change points are known. */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "edivisive.h"

static void series(double *x, size_t n, const size_t *at, const double *level, size_t k, double sd,
		   unsigned long seed)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, seed);
	for (size_t i = 0, s = 0; i < n; i++) {
		while (s < k && i >= at[s])
			s++;
		x[i] = level[s] + gsl_ran_gaussian(rng, sd);
	}
	gsl_rng_free(rng);
}

Test(edivisive, finds_one_step)
{
	double x[30];
	series(x, 30, (const size_t[]){12}, (const double[]){1000, 1060}, 1, 10, 3);
	struct edivisive_point p[4];
	size_t n = edivisive(x, 30, 3, 199, 0.05, 1, p, 4);
	cr_assert_eq(n, 1, "found %zu", n);
	cr_expect_eq(p[0].index, 12);
	cr_expect_lt(p[0].p, 0.01);
}

Test(edivisive, finds_two_steps)
{
	double x[45];
	series(x, 45, (const size_t[]){15, 30}, (const double[]){1000, 1080, 990}, 2, 10, 5);
	struct edivisive_point p[4];
	size_t n = edivisive(x, 45, 3, 199, 0.05, 1, p, 4);
	cr_assert_eq(n, 2, "found %zu", n);
	cr_expect_eq(p[0].index, 15);
	cr_expect_eq(p[1].index, 30);
}

Test(edivisive, a_flat_series_has_none)
{
	double x[40];
	unsigned int false_alarms = 0;
	struct edivisive_point p[4];
	/* 20 flat series: at 5% a few false alarms may occur, most series have none. */
	for (unsigned long s = 0; s < 20; s++) {
		series(x, 40, NULL, (const double[]){1000}, 0, 10, 100 + s);
		false_alarms += edivisive(x, 40, 3, 199, 0.05, s, p, 4) > 0;
	}
	cr_expect_leq(false_alarms, 3, "%u of 20 flat series have a change point", false_alarms);
}

Test(edivisive, too_short_for_a_split)
{
	struct edivisive_point p[1];
	cr_expect_eq(edivisive((const double[]){1, 2, 100, 101, 102}, 5, 3, 99, 0.05, 1, p, 1), 0);
}
