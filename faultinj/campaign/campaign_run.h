/* Running a campaign's experiments (campaign_run.c) and the `tessera fi campaign` commands. */
#ifndef TESSERA_FAULTINJ_CAMPAIGN_RUN_H
#define TESSERA_FAULTINJ_CAMPAIGN_RUN_H

#include "campaign_boot.h"

/* How a run's experiments boot. */
enum campaign_run_mode {
	CAMPAIGN_RUN_EACH,   /* one boot per experiment */
	CAMPAIGN_RUN_SHARED, /* many per boot, the host restarting the target through the mailbox */
	CAMPAIGN_RUN_BATCH,  /* many per boot, as a batch the hypervisor runs with no host attached */
};

/*
 * Every experiment of x not yet done in run_id, up to `jobs` boots at once: one boot each, or (shared,
 * batch) many per boot (campaign_shared.h), except the experiments of entries marked own_boot, which then
 * run last, one boot each. A batch run boots one machine at a time (jobs is taken as 1): each batch is
 * every experiment left before the first own_boot one. *boots counts the boots started. Returns 0, 1
 * (the database failed), or 130/143 when stopped by SIGINT/SIGTERM (the experiments cut short are
 * recorded interrupted).
 */
int campaign_run_experiments(const struct campaign *c, struct results_db *db, int64_t run_id,
			     const struct campaign_experiment *x, size_t nr,
			     const struct campaign_console *golden, unsigned int timeout_s, unsigned int jobs,
			     enum campaign_run_mode mode, unsigned int *boots);

/*
 * The golden run of run_id (or its stored console when it has one) into *golden: 0, 1 failed (the
 * target did not finish, or the database), 130/143 stopped.
 */
int campaign_golden_run(const struct campaign *c, struct results_db *db, int64_t run_id,
			struct campaign_console *golden);

/* The time limit of one experiment: timeout_factor x the golden run, at least timeout_min_s. */
unsigned int campaign_timeout_s(const struct campaign *c, struct results_db *db, int64_t run_id);

int campaign_cmd_run(int argc, char **argv);
int campaign_cmd_report(int argc, char **argv);
int campaign_cmd_replay(int argc, char **argv);
int cmd_fi_campaign(int argc, char **argv);
/* `tessera bench fi-throughput` (cmd_throughput.c). */
int campaign_cmd_throughput(int argc, char **argv);

#endif
