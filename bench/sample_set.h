/*
 * What `bench compare`, `report` and `export` work on: per metric, the observations of a baseline and a
 * contender. Loaded from the results database (compare_db.c) or from Google Benchmark JSON
 * (compare_gbjson.c); compared by compare.c.
 */
#ifndef TESSERA_BENCH_SAMPLE_SET_H
#define TESSERA_BENCH_SAMPLE_SET_H

#include <stdbool.h>
#include <stddef.h>

enum sample_side { SIDE_BASELINE, SIDE_CONTENDER };

struct sample_vec {
	double *v;
	size_t n, cap;
};

struct metric_samples {
	char *name; /* "workload/metric" (database) or "run_name/real_time" (Google Benchmark) */
	char *unit;
	bool lower_is_better;
	/* This metric's observation when the set has several kinds (database: per metric), else NULL. */
	const char *observation;
	struct sample_vec side[2];
};

struct sample_set {
	char baseline[256], contender[256];
	/* What one observation is: "boot" (a boot's median) or "iteration" (one measured iteration). */
	const char *observation;
	struct metric_samples *metrics;
	size_t nr, cap;
};

/* Append value to the metric (created on first use, in order of first appearance). */
void sample_set_add(struct sample_set *s, const char *name, const char *unit, enum sample_side side,
		    double value);
void sample_set_free(struct sample_set *s);
void sample_vec_push(struct sample_vec *v, double x);

/* Higher is better for rates (a unit ending in "/s"), lower for everything else (time, counts). */
bool unit_lower_is_better(const char *unit);

#endif
