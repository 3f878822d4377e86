/* The results database into a sample set: one run's baseline and contender configurations. */
#ifndef TESSERA_BENCH_COMPARE_DB_H
#define TESSERA_BENCH_COMPARE_DB_H

#include <stdint.h>

#include "results_db.h"
#include "sample_set.h"

#define DBSET_MAX_CONFIGS 64

/* The run's configurations with completed boots, in the order of their first boot. Returns how many. */
size_t dbset_configurations(struct results_db *r, int64_t run, char names[][256], size_t max);

/*
 * Which of names[] (the run's configurations, in boot order) is the baseline by default: the one the run's
 * plan names first when the plan file is still the one that was run (its sha256), else the first booted.
 */
size_t dbset_plan_first(struct results_db *r, int64_t run, char names[][256], size_t n);

/*
 * Load the warm-up-free samples of two configurations of a run. Per metric: with at least two completed
 * boots of each that gave the metric, one observation is a boot (the median of its iterations: iterations
 * of one boot are not independent); otherwise one observation is an iteration (metric_samples.observation
 * says which). Returns 0, or 2 when a configuration has no
 * completed boot in the run.
 */
int dbset_load(struct results_db *r, int64_t run, const char *baseline, const char *contender,
	       struct sample_set *s);

/* One configuration of a run as one side (for comparisons across databases, as bisect makes). */
int dbset_load_one(struct results_db *r, int64_t run, const char *config, enum sample_side side,
		   struct sample_set *s);

#endif
