/*
 * The validity check of bench compare on simulated samples with known distributions: the false-positive
 * rate of A/A comparisons, how often the 95% CI covers the true ratio, and the power for a known shift.
 */
#ifndef TESSERA_BENCH_SELFTEST_H
#define TESSERA_BENCH_SELFTEST_H

#include <stdint.h>
#include <stdio.h>

#define SELFTEST_SIZES	  5
#define SELFTEST_FAMILIES 2

struct selftest_cell {
	unsigned int aa, aa_false_positive, aa_covered, aa_equivalent;
	unsigned int ab, ab_detected, ab_covered;
};

struct selftest_result {
	unsigned int sizes[SELFTEST_SIZES];
	const char *families[SELFTEST_FAMILIES];
	double noise, shift;
	struct selftest_cell cell[SELFTEST_FAMILIES][SELFTEST_SIZES];
	struct selftest_cell total;
};

/* `reps` A/A and `reps` A/B comparisons for each family and size, from seed. */
void selftest_run(unsigned int reps, uint64_t seed, struct selftest_result *r);
void selftest_print(FILE *f, const struct selftest_result *r);

#endif
