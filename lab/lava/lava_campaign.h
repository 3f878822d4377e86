/*
 * `tessera fi campaign run CAMPAIGN --on lava:URL` (docs/lab.md, "Campaigns on LAVA"): the golden run
 * and every experiment not done yet as LAVA jobs (lava_campaign.c renders them), submitted over an
 * instance's devices, jobs that failed for infrastructure reasons submitted again, each experiment's
 * console judged by the campaign's own classifier (faultinj/campaign/outcome.c) against the golden one
 * and stored as a local run stores it.
 */
#ifndef TESSERA_LAB_LAVA_LAVA_CAMPAIGN_H
#define TESSERA_LAB_LAVA_LAVA_CAMPAIGN_H

#include <stdio.h>

#include "../../faultinj/campaign/campaign_db.h"
#include "lava_plan.h"

/* Experiment e (NULL: the golden run) as a job of dir (its path into job); its line into tsv. */
int lava_campaign_render_one(const struct campaign *c, const struct campaign_experiment *e, const char *dir,
			     const char *base, const char *scratch, FILE *tsv, char *job, size_t size);

/*
 * Experiments x[list[0..n)] as one batch job (docs/fault-campaigns.md, "Batches"): the boot carries
 * batch.blob (written in scratch), the hypervisor runs them one after another with no host attached,
 * each within timeout_s. LAVA's time limit covers every experiment's own (the hypervisor's clock keeps
 * those) with room: 3 x each, plus 5 minutes.
 */
int lava_campaign_render_batch(const struct campaign *c, const struct campaign_experiment *x,
			       const size_t *list, size_t n, unsigned int timeout_s, const char *dir,
			       const char *base, const char *scratch, char *job, size_t size);

/*
 * `tessera lab lava render --campaign CAMPAIGN -o DIR [--base-url URL] [--batch [--batch-size N]]`: the
 * golden run's job and one job per experiment, its one-fault plan a boot module; with batch_size (not
 * 0) the experiments that share a boot go into batch jobs of at most that many instead. DIR/jobs.tsv
 * has one row per experiment (and the golden run) naming its job.
 */
int lava_campaign_render_main(const char *campaign_path, const char *dir, const char *base_url,
			      size_t batch_size);

/* Returns 0 (every experiment judged), 1 (the golden run or the database failed), 2 (bad --on), 130/143. */
int lava_campaign_run(const struct campaign *c, struct results_db *db, int64_t run_id,
		      const struct campaign_experiment *x, size_t nr, const struct lava_target *t);

#endif
