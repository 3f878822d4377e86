/*
 * Change points of a series by E-divisive means (Matteson & James, "A Nonparametric Approach for
 * Multiple Change Point Analysis of Multivariate Data", JASA 109(505), 2014), with its permutation test;
 * the method MongoDB uses on its performance history (Daly et al., ICPE 2020). Exponent alpha = 1.
 */
#ifndef TESSERA_BENCH_EDIVISIVE_H
#define TESSERA_BENCH_EDIVISIVE_H

#include <stddef.h>
#include <stdint.h>

#define EDIVISIVE_MAX_POINTS 64

struct edivisive_point {
	size_t index; /* the first value of the new segment */
	double q;     /* the divergence statistic at the split */
	double p;     /* permutation p-value */
};

/*
 * Find up to max change points of x[0..n): each step splits the segment with the largest statistic if
 * its permutation p-value (permutations within the current segments, seeded) is below sig. Segments keep
 * at least min_size values. Returns how many were found, sorted by index.
 */
size_t edivisive(const double *x, size_t n, size_t min_size, unsigned int permutations, double sig,
		 uint64_t seed, struct edivisive_point *out, size_t max);

#endif
