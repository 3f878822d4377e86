/* What the campaign report's forms share (campaign_report.c, campaign_report_html.c). */
#ifndef TESSERA_FAULTINJ_CAMPAIGN_REPORT_DATA_H
#define TESSERA_FAULTINJ_CAMPAIGN_REPORT_DATA_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../bench/results_db.h"
#include "campaign_stats.h"
#include "outcome.h"

#define ALPHA	   0.05
#define HIST_BINS  10
#define MAX_GROUPS 64

struct group {
	char name[128];
	uint64_t n[OUTCOME_COUNT], total;
};

struct report {
	char name[64], mode[16];
	uint64_t space, planned, done, unfinished;
	uint64_t n[OUTCOME_COUNT];
	double weight[OUTCOME_COUNT];
	struct group models[MAX_GROUPS], sites[MAX_GROUPS], bins[HIST_BINS];
	unsigned int nr_models, nr_sites;
	uint64_t t_lo, t_hi; /* the timeline's range: the values of the time_kind triggers */
	char time_kind[16], time_key[32];
	uint64_t timed;	      /* experiments with a time_kind trigger */
	unsigned int nr_bins; /* of bins[] */
	json_t *notable;      /* isolation breaks and panics, one by one */
};

int report_load(struct results_db *db, int64_t run_id, struct report *r);
bool report_exhaustive(const struct report *r);
/* The 95 % intervals of outcome o's proportion; a complete exhaustive campaign knows it exactly. */
void report_intervals(const struct report *r, int o, struct proportion_ci *w, struct proportion_ci *cp);

#endif
