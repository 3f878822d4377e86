/*
 * The regression suite's campaign step (regress.h): the reduced machine-check campaign
 * (configs/campaigns/ci/mce-fiself.yaml: five exit-triggered experiments, exact in any boot mode)
 * through `tessera fi campaign run`, as a user runs it. Cases: the run ended, no experiment panicked the
 * hypervisor or broke isolation, every planned experiment has a verdict, and one case per experiment
 * (passed unless its outcome is one of those). Metrics: the count of each outcome class (zero ones too),
 * so that against a baseline a class that gained experiments is a regression: with the total fixed, any
 * change of the outcome table makes some class grow, and a new class grows from zero. The suite's
 * --append reaches every boot of the campaign through `fi campaign run --append`.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../faultinj/campaign/outcome.h"
#include "regress.h"

#define CAMPAIGN_REL "configs/campaigns/ci/mce-fiself.yaml"
#define TIMEOUT_S    1200 /* a golden run and five experiments in shared boots, -j 2 */

static const char *const classes[] = {
#define OUTCOME_WORD(NAME, name, def) #name,
	TESSERA_OUTCOMES(OUTCOME_WORD)
#undef OUTCOME_WORD
};

static bool bad(const char *outcome)
{
	return !strcmp(outcome, "hv_panic") || !strcmp(outcome, "isolation_break") ||
	       !strcmp(outcome, "infrastructure") || !strcmp(outcome, "no_verdict");
}

/* From the campaign's database: the cases and metrics above. 0, or -1 when it cannot be read. */
static int judge(struct regress_result *r, sqlite3 *db)
{
	sqlite3_stmt *st;
	long long count[sizeof(classes) / sizeof(classes[0])] = {0}, done = 0, planned = 0;

	if (sqlite3_prepare_v2(
		    db,
		    "SELECT experiment_index, site, status, coalesce(outcome, ''), coalesce(detail, '')"
		    " FROM experiments WHERE run_id = (SELECT max(id) FROM runs) ORDER BY"
		    " experiment_index",
		    -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *site = (const char *)sqlite3_column_text(st, 1),
			   *status = (const char *)sqlite3_column_text(st, 2),
			   *outcome = (const char *)sqlite3_column_text(st, 3),
			   *detail = (const char *)sqlite3_column_text(st, 4);
		char why[512];
		planned++;
		if (strcmp(status, "done")) {
			regress_add_case(r, false, status, "campaign/e%d/%s", sqlite3_column_int(st, 0),
					 site ? site : "?");
			continue;
		}
		done++;
		for (size_t k = 0; k < sizeof(classes) / sizeof(classes[0]); k++)
			count[k] += !strcmp(outcome, classes[k]);
		snprintf(why, sizeof(why), "%s%s%s", outcome, detail[0] ? ": " : "", detail);
		regress_add_case(r, !bad(outcome), why, "campaign/e%d/%s", sqlite3_column_int(st, 0),
				 site ? site : "?");
	}
	sqlite3_finalize(st);
	if (!planned)
		return -1;
	char detail[128];
	for (size_t k = 0; k < sizeof(classes) / sizeof(classes[0]); k++) {
		char name[96];
		snprintf(name, sizeof(name), "campaign/outcomes/%s", classes[k]);
		regress_add_metric(r, name, "experiments", (double)count[k]);
	}
	snprintf(detail, sizeof(detail), "%lld hypervisor panics", count[OUTCOME_HV_PANIC]);
	regress_add_case(r, !count[OUTCOME_HV_PANIC], detail, "campaign/no_hv_panic");
	snprintf(detail, sizeof(detail), "%lld isolation breaks", count[OUTCOME_ISOLATION_BREAK]);
	regress_add_case(r, !count[OUTCOME_ISOLATION_BREAK], detail, "campaign/no_isolation_break");
	snprintf(detail, sizeof(detail), "%lld of %lld planned experiments judged, %lld without a verdict",
		 done, planned, count[OUTCOME_INFRASTRUCTURE] + count[OUTCOME_NO_VERDICT]);
	regress_add_case(r, done == planned && !count[OUTCOME_INFRASTRUCTURE] && !count[OUTCOME_NO_VERDICT],
			 detail, "campaign/every_experiment_judged");
	return 0;
}

int regress_step_campaign(const struct regress_ctx *ctx, struct regress_result *r)
{
	char file[4096], db_path[4096], head[4400];
	struct regress_proc p;
	sqlite3 *db = NULL;

	snprintf(file, sizeof(file), "%s/%s", ctx->root, CAMPAIGN_REL);
	snprintf(db_path, sizeof(db_path), "%s/campaign.db", ctx->tmp);
	remove(db_path);
	/* --append reaches every boot of the campaign (golden run included) */
	const char *argv[20] = {ctx->tessera, "fi", "campaign", "run", file, "-o", db_path, "-j", "2"};
	int k = 9;
	if (ctx->append)
		argv[k++] = "--append", argv[k++] = ctx->append;
	argv[k] = NULL;
	regress_lava_args(ctx, argv, &k); /* --on lava:: the golden run and experiments as LAVA jobs */
	regress_proc_run(&p, TIMEOUT_S, argv);
	snprintf(head, sizeof(head), "tessera fi campaign run %s -j 2%s%s", file,
		 ctx->append ? " --append " : "", ctx->append ? ctx->append : "");
	regress_log_proc(r, head, &p);
	regress_add_case(r, p.status == 0, p.timed_out ? "timed out" : "the campaign run failed",
			 "campaign/run");
	if (p.status != 0)
		regress_incomplete(r, "fi campaign run failed (exit status %d%s)", p.status,
				   p.timed_out ? ", timed out" : "");
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK || judge(r, db))
		regress_incomplete(r, "the campaign left no experiments in %s", db_path);
	sqlite3_close(db);
	regress_proc_free(&p);
	return 0;
}
