/*
 * A campaign in the results database (bench/results_db.h; the tables are documented in
 * docs/fault-campaigns.md): the run, the campaign's definition and golden run, one row per experiment.
 * Only the campaign's parent process writes; every write is its own transaction, so a kill at any moment
 * leaves each experiment planned, running (to be marked interrupted on resume) or done, never half done.
 */
#ifndef TESSERA_FAULTINJ_CAMPAIGN_DB_H
#define TESSERA_FAULTINJ_CAMPAIGN_DB_H

#include <stdint.h>

#include "../../bench/results_db.h"
#include "campaign_file.h"
#include "campaign_space.h"
#include "outcome.h"

/* What one experiment's boot gave (filled by the worker, written by campaign_db_finish). */
struct campaign_result {
	unsigned int index;
	bool interrupted; /* cut short by a signal: recorded interrupted, rerun on resume */
	enum outcome outcome;
	char detail[200];
	int exit_status;
	char started[40], ended[40];
	int64_t duration_ns;
	char trace_sha256[65];
	char config_hash[65], image_hash[65];
	char *excerpt, *qemu_cmdline, *repeat; /* malloc'd */
	bool boot_ended; /* many-per-boot: the boot ended with this experiment (it takes no more) */
};

void campaign_result_free(struct campaign_result *r);

/* A new run: the runs row, the campaign's row (with the file's text) and every experiment, planned. */
int campaign_db_create(struct results_db *db, const struct campaign *c, const char *source,
		       const struct campaign_experiment *x, size_t nr, int64_t *run_id);
/* The latest run of the campaign named `name` that is not done (0 when none). */
int64_t campaign_db_unfinished(struct results_db *db, const char *name);
/* The campaign file's text stored with run_id (malloc'd), or NULL. */
char *campaign_db_source(struct results_db *db, int64_t run_id);
/* The run of the DB's latest campaign (0 when none). */
int64_t campaign_db_latest(struct results_db *db);

int campaign_db_set_golden(struct results_db *db, int64_t run_id, const char *console, int64_t duration_ns,
			   const char *sha256);
/* The golden console (malloc'd) and its duration, or NULL when not recorded yet. */
char *campaign_db_golden(struct results_db *db, int64_t run_id, int64_t *duration_ns);

/* "planned", "running", "done" or "interrupted" into buf; -1 when there is no such row. */
int campaign_db_status(struct results_db *db, int64_t run_id, unsigned int index, char *buf, size_t size);
/* The experiment is done: a resumed run never runs it again. */
bool campaign_db_is_done(struct results_db *db, int64_t run_id, unsigned int index);
/* The experiment starts: status running (an interrupted one counts one more interruption). */
int campaign_db_start(struct results_db *db, int64_t run_id, unsigned int index);
int campaign_db_finish(struct results_db *db, int64_t run_id, const struct campaign_result *r);

/* SHA-256 of text as 64 hex digits. */
void campaign_sha256(const char *text, size_t len, char out[65]);

#endif
