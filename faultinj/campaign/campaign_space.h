/*
 * The fault space of a campaign and the experiments drawn from it (docs/fault-campaigns.md). A point of
 * the space is a number 0..space_size-1: the entries' points one after the other, and inside an entry a
 * mixed-radix number over its dimensions (the first dimension varies slowest). Exhaustive sampling takes
 * every point; random sampling draws `experiments` distinct points uniformly from the seed (splitmix64),
 * each standing for space_size / experiments points (its weight). Everything is a pure function of the
 * campaign, so a resumed or replayed campaign plans the same experiments.
 */
#ifndef TESSERA_FAULTINJ_CAMPAIGN_SPACE_H
#define TESSERA_FAULTINJ_CAMPAIGN_SPACE_H

#include <stddef.h>
#include <stdint.h>

#include "campaign_file.h"

struct campaign_experiment {
	unsigned int index; /* 0.. in the campaign's order */
	uint64_t point;	    /* in the fault space */
	unsigned int entry; /* which fault entry */
	uint64_t plan_seed; /* the one-fault plan's seed (for probability triggers) */
	double weight;	    /* fault-space points it stands for */
	uint64_t inject_at; /* the trigger's value (icount, exit number, pass) */
	char fault[256];    /* one line: model key=value ... trigger=N */
};

/* The experiments of c (malloc'd, *nr of them), or NULL when out of memory. */
struct campaign_experiment *campaign_plan_experiments(const struct campaign *c, size_t *nr);

/* Experiment e's fault as a one-fault plan (YAML) into buf; the length, or -1 when it does not fit. */
int campaign_plan_text(const struct campaign *c, unsigned int entry, uint64_t point_in_entry, uint64_t seed,
		       char *buf, size_t size);
/* The same for a planned experiment. */
int campaign_experiment_plan(const struct campaign *c, const struct campaign_experiment *e, char *buf,
			     size_t size);

uint64_t campaign_splitmix64(uint64_t *state);

#endif
