/*
 * bench compare's validity on simulated data (selftest.c, reduced to 30 A/A and 30 A/B comparisons per
 * noise family and size: 300 of each): the false-positive rate is within the nominal 5% plus two
 * simulation standard errors, the 95% CI covers the true ratio at least 93% of the time, a 5% shift is
 * found with 20 observations a side, and no verdict is claimed from 2 or 3 observations.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "selftest.h"

Test(selftest, false_positives_coverage_and_power, .timeout = 120)
{
	struct selftest_result r;
	selftest_run(30, 1, &r);
	/* The table goes with a failure's message, not onto every `./tessera test` (`tessera bench selftest`
	 * prints it). */
	char *table = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&table, &len);
	selftest_print(m, &r);
	fclose(m);
	const struct selftest_cell *t = &r.total;
	cr_assert_geq(t->aa, 200);
	double fp = (double)t->aa_false_positive / t->aa, se = sqrt(0.05 * 0.95 / t->aa);
	cr_expect_leq(fp, 0.05 + 2 * se, "false-positive rate %.3f\n%s", fp, table);
	double cover = (double)(t->aa_covered + t->ab_covered) / (t->aa + t->ab);
	cr_expect_geq(cover, 0.93, "coverage %.3f\n%s", cover, table);
	for (int f = 0; f < SELFTEST_FAMILIES; f++) {
		const struct selftest_cell *c20 = &r.cell[f][SELFTEST_SIZES - 1], *c2 = &r.cell[f][0];
		cr_expect_geq(c20->ab_detected, c20->ab * 8 / 10, "%s n=20: power %u/%u", r.families[f],
			      c20->ab_detected, c20->ab);
		cr_expect_eq(c2->ab_detected + c2->aa_false_positive, 0, "%s n=2 claims a verdict",
			     r.families[f]);
		for (int k = 0; k < SELFTEST_SIZES; k++) {
			const struct selftest_cell *c = &r.cell[f][k];
			cr_expect_geq(c->aa_covered + c->ab_covered, (c->aa + c->ab) * 90 / 100,
				      "%s n=%u: coverage %u/%u", r.families[f], r.sizes[k],
				      c->aa_covered + c->ab_covered, c->aa + c->ab);
		}
	}
	free(table);
}
