/*
 * lab regress's baseline: per step, the latest completed `lab regress` run of a results database that ran
 * it (its cases and metrics), and the comparison of a new run with it (docs/lab.md, "Regression baselines").
 */
#ifndef TESSERA_LAB_REGRESS_COMPARE_H
#define TESSERA_LAB_REGRESS_COMPARE_H

#include <stdint.h>
#include <stdio.h>

#include "regress.h"

/* The plan column of lab regress's runs: how a baseline is found among a database's runs. */
#define REGRESS_PLAN "lab regress"

struct regress_baseline {
	int64_t run_id;
	char revision[128], started[40];
	struct regress_result *steps; /* one per step name below, cases and metrics as stored */
	char **step_names;
	size_t nr_steps;
};

/*
 * Load the baseline of db_path: per step, its cases and metrics in the latest done lab regress run that ran
 * it (run_id: the latest of those runs). 0, or 2 with a message on stderr (bad input).
 */
int regress_baseline_load(const char *db_path, struct regress_baseline *b);
void regress_baseline_free(struct regress_baseline *b);

/*
 * Compare the steps just run (names[i], results[i]) with the baseline (NULL: none, then every failed case
 * and incomplete step is a regression). margin: the fraction by which a metric may be worse (0: exact,
 * the deterministic mode's figures). Prints one line per regression to `out`; returns their number.
 */
unsigned int regress_compare(const struct regress_baseline *b, const char *const *names,
			     const struct regress_result *results, size_t n, double margin, FILE *out);

#endif
