/* `bench compare`: every metric of a sample set through stats_compare, Holm across them, printed. */
#ifndef TESSERA_BENCH_COMPARE_H
#define TESSERA_BENCH_COMPARE_H

#include <stdio.h>

#include "sample_set.h"
#include "stats.h"

struct compare_options {
	double margin; /* relative equivalence margin, e.g. 0.02 */
	double alpha;  /* significance level of a faster/slower call after Holm; 0: 0.05 */
	uint64_t seed; /* of the bootstrap */
	unsigned int resamples;
};

struct compare_result {
	struct stats_comparison *c;
	size_t *metric; /* c[i] compares s->metrics[metric[i]] */
	size_t n;
};

/* Compare the metrics that both sides have; one Holm family. */
void compare_compute(const struct sample_set *s, const struct compare_options *o, struct compare_result *r);
void compare_result_free(struct compare_result *r);
void compare_print_text(FILE *f, const struct sample_set *s, const struct compare_options *o,
			const struct compare_result *r);
void compare_print_json(FILE *f, const struct sample_set *s, const struct compare_options *o,
			const struct compare_result *r);
/* The verdict spelled for people, e.g. "slower (exact)". */
const char *compare_verdict_text(const struct stats_comparison *c, char *buf, size_t len);

#endif
