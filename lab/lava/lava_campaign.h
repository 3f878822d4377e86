/*
 * `tessera fi campaign run CAMPAIGN --on lava:URL` (docs/lab.md, "Campaigns on LAVA"): the golden run
 * and every experiment not done yet as LAVA jobs (lava_campaign.c renders them), submitted over an
 * instance's devices, jobs that failed for infrastructure reasons submitted again, each experiment's
 * console judged by the campaign's own classifier (faultinj/campaign/outcome.c) against the golden one
 * and stored as a local run stores it.
 */
#ifndef TESSERA_LAB_LAVA_LAVA_CAMPAIGN_H
#define TESSERA_LAB_LAVA_LAVA_CAMPAIGN_H

#include "../../faultinj/campaign/campaign_db.h"
#include "lava_plan.h"

/* Returns 0 (every experiment judged), 1 (the golden run or the database failed), 2 (bad --on), 130/143. */
int lava_campaign_run(const struct campaign *c, struct results_db *db, int64_t run_id,
		      const struct campaign_experiment *x, size_t nr, const struct lava_target *t);

#endif
