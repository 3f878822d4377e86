/* `tessera fi campaign report DB` and `tessera fi campaign replay DB N` (docs/fault-campaigns.md). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_report.h"
#include "campaign_run.h"
#include "campaign_shared.h"

static const char report_usage[] =
	"usage: tessera fi campaign report DB [--run ID] [--format text|json|html] [-o DIR] [--margin "
	"PERCENT]\n"
	"\n"
	"The outcomes of a campaign run (default: the latest in DB): counts extrapolated over the fault\n"
	"space with 95 % Wilson and Clopper-Pearson intervals, per fault model, per site and per injection\n"
	"time, the sample size for a margin (default 1 %), and every isolation break and hypervisor panic\n"
	"with its replay command. html: DIR/index.html (default campaign-report) with gnuplot figures.\n"
	"Exit status: 0, 1 (database, gnuplot), 2 bad input.\n";

static const char replay_usage[] =
	"usage: tessera fi campaign replay DB EXPERIMENT [--run ID] [--plan FILE]\n"
	"\n"
	"Run one stored experiment again, in the campaign's mode, and compare its outcome and trace (the\n"
	"console, byte for byte) with the stored ones; prints the `tessera run` command that boots it by\n"
	"hand, with the plan written to FILE (default DB.experiment-N.yaml). Exit status: 0 same outcome "
	"and\n"
	"trace, 1 different (or the boot failed), 2 bad input. An experiment of a batch (--batch) is\n"
	"replayed with the experiments that ran before it in its boot, the batch written to\n"
	"DB.experiment-N.batch/batch.blob for `tessera run --batch`; its trace must be identical in a\n"
	"deterministic campaign. One that ran many per boot through the mailbox is replayed as the first\n"
	"experiment of a new shared boot and judged by its outcome alone (its trace is compared and shown,\n"
	"but a restart's timing is the host's: docs/fault-campaigns.md).\n";

static int db_and_run(const char *path, const char *run, struct results_db *db, int64_t *run_id)
{
	if (results_db_open_existing(db, path))
		return 2;
	*run_id = run ? strtoll(run, NULL, 10) : campaign_db_latest(db);
	if (*run_id <= 0) {
		fprintf(stderr, "tessera fi campaign: %s holds no campaign run\n", path);
		results_db_close(db);
		return 2;
	}
	return 0;
}

int campaign_cmd_report(int argc, char **argv)
{
	const char *path = NULL, *run = NULL, *format = "text", *dir = "campaign-report";
	double margin = 0.01;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(report_usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--run") && i + 1 < argc) {
			run = argv[++i];
		} else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			format = argv[++i];
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			dir = argv[++i];
		} else if (!strcmp(argv[i], "--margin") && i + 1 < argc) {
			margin = strtod(argv[++i], NULL) / 100;
		} else if (argv[i][0] != '-' && !path) {
			path = argv[i];
		} else {
			fprintf(stderr, "tessera fi campaign report: unexpected argument '%s'\n%s", argv[i],
				report_usage);
			return 2;
		}
	}
	if (!path || (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "html")) ||
	    !(margin > 0 && margin < 1)) {
		fputs(report_usage, stderr);
		return 2;
	}
	struct results_db db;
	int64_t run_id;
	int ret = db_and_run(path, run, &db, &run_id);
	if (ret)
		return ret;
	if (!strcmp(format, "html")) {
		ret = campaign_report_html(&db, run_id, dir, margin);
		if (!ret)
			printf("%s/index.html\n", dir);
	} else {
		ret = !strcmp(format, "json") ? campaign_report_json(&db, run_id, stdout, margin)
					      : campaign_report_text(&db, run_id, stdout, margin);
	}
	results_db_close(&db);
	return ret;
}

/* The stored outcome and trace hash of an experiment. */
static int stored(struct results_db *db, int64_t run_id, unsigned int index, char *outcome, char *sha,
		  bool *shared)
{
	sqlite3_stmt *st;
	int ret = -1;

	if (sqlite3_prepare_v2(
		    db->db,
		    "SELECT outcome, trace_sha256, status, repeat FROM experiments WHERE run_id = ?"
		    " AND experiment_index = ?",
		    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int(st, 2, (int)index);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 2) &&
	    !strcmp((const char *)sqlite3_column_text(st, 2), "done")) {
		snprintf(outcome, 32, "%s",
			 sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
		snprintf(sha, 65, "%s",
			 sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "");
		const char *rep = (const char *)sqlite3_column_text(st, 3);
		*shared = rep && !strncmp(rep, CAMPAIGN_SHARED_REPEAT, strlen(CAMPAIGN_SHARED_REPEAT));
		ret = 0;
	}
	sqlite3_finalize(st);
	return ret;
}

/* The campaign of run_id from its file, which must still read as it did. */
static int campaign_of_run(struct results_db *db, int64_t run_id, struct campaign *c)
{
	sqlite3_stmt *st;
	char file[4096] = "";
	struct config_diag diag;

	if (sqlite3_prepare_v2(db->db, "SELECT file FROM campaigns WHERE run_id = ?", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_int64(st, 1, run_id);
		if (sqlite3_step(st) == SQLITE_ROW)
			snprintf(file, sizeof(file), "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	char *was = campaign_db_source(db, run_id);
	size_t size;
	char *now = file[0] ? config_read_file(file, &size) : NULL;
	char append[sizeof(c->hv_append)];
	int ok = was && now && campaign_run_source_matches(was, now, append, sizeof(append));
	free(was);
	free(now);
	if (!ok) {
		fprintf(stderr,
			"tessera fi campaign replay: the campaign file %s is gone or changed since run "
			"%lld\n",
			file, (long long)run_id);
		return 2;
	}
	int ret = campaign_load(file, c, &diag);
	if (ret)
		config_diag_print(file, &diag);
	else
		snprintf(c->hv_append, sizeof(c->hv_append), "%s", append); /* as the run's boots had it */
	return ret;
}

struct replay_one {
	struct campaign_result r;
	bool got;
};

static int replay_next(void *ctx)
{
	(void)ctx;
	return -1;
}

static void replay_done(const struct campaign_result *r, void *ctx)
{
	struct replay_one *o = ctx;

	o->r = *r;
	o->r.excerpt = o->r.qemu_cmdline = o->r.repeat = NULL; /* not kept: the caller frees them */
	o->got = true;
}

/* A many-per-boot experiment: the first (and only) experiment of a new shared boot, judged by outcome. */
static int replay_shared(const struct campaign *c, const struct campaign_experiment *x, size_t nr,
			 unsigned long index, const struct campaign_console *golden, unsigned int timeout_s,
			 const char *outcome, const char *sha)
{
	struct replay_one o = {0};
	struct campaign_shared_ops ops = {.next = replay_next, .done = replay_done, .ctx = &o};

	campaign_shared_boot(c, x, nr, index, golden, timeout_s, &ops);
	if (!o.got)
		return 1;
	bool same_outcome = !strcmp(outcome, outcome_name(o.r.outcome)),
	     same_trace = !strcmp(sha, o.r.trace_sha256);
	printf("experiment %lu (many per boot): %s\n  stored:   %s, trace %s\n  replayed: %s, trace %s\n"
	       "  %s\n",
	       index, x[index].fault, outcome, sha, outcome_name(o.r.outcome), o.r.trace_sha256,
	       same_outcome && same_trace ? "same outcome, identical trace"
	       : same_outcome ? "same outcome (the trace differs: a restart's moment is the host's)"
			      : "DIFFERENT outcome");
	printf("by hand: tessera fi campaign replay (no single `tessera run` restarts a cell with a fault; "
	       "--per-experiment-boots runs the campaign one boot per experiment)\n");
	return same_outcome ? 0 : 1;
}

/*
 * The positions in x of the experiments that ran in the same batch boot as experiment `index`, in the
 * batch's order, up to and including it: the batch's boot is the hypervisor's alone (no host attached),
 * so under -icount running that prefix again gives experiment `index` the same slice, byte for byte.
 * Returns how many, 0 when `index` did not run in a batch.
 */
static size_t batch_prefix(struct results_db *db, int64_t run_id, unsigned long index,
			   const struct campaign_experiment *x, size_t nr, size_t *list)
{
	static const char prefix[] = CAMPAIGN_SHARED_REPEAT "experiment ";
	sqlite3_stmt *st;
	unsigned int *at = calloc(nr + 1, sizeof(*at)), mine = 0;
	size_t n = 0;

	if (!at ||
	    sqlite3_prepare_v2(db->db,
			       "SELECT e.experiment_index, e.repeat FROM experiments e WHERE e.run_id = ?1"
			       " AND e.status = 'done' AND e.qemu_cmdline LIKE '%/batch.blob%' AND"
			       " e.qemu_cmdline = (SELECT qemu_cmdline FROM experiments WHERE run_id = ?1"
			       " AND experiment_index = ?2)",
			       -1, &st, NULL) != SQLITE_OK) {
		free(at);
		return 0;
	}
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)index);
	while (sqlite3_step(st) == SQLITE_ROW) {
		unsigned long e = (unsigned long)sqlite3_column_int64(st, 0);
		const char *rep = (const char *)sqlite3_column_text(st, 1);
		unsigned int k = 0;
		if (!rep || strncmp(rep, prefix, strlen(prefix)) ||
		    sscanf(rep + strlen(prefix), "%u", &k) != 1)
			continue;
		for (size_t i = 0; i < nr; i++)
			if (x[i].index == e)
				at[i] = k; /* its place in the boot, from 1 */
		mine = e == index ? k : mine;
	}
	sqlite3_finalize(st);
	for (unsigned int k = 1; mine && k <= mine; k++)
		for (size_t i = 0; i < nr; i++)
			if (at[i] == k)
				list[n++] = i;
	free(at);
	return n && x[list[n - 1]].index == index ? n : 0;
}

struct replay_batch {
	unsigned long index;
	struct campaign_result r;
	bool got;
};

static void replay_batch_done(const struct campaign_result *r, void *ctx)
{
	struct replay_batch *o = ctx;

	if (r->index != o->index)
		return;
	o->r = *r;
	o->r.excerpt = o->r.qemu_cmdline = NULL; /* not kept: the caller frees them */
	o->r.repeat = r->repeat ? strdup(r->repeat) : NULL;
	o->got = true;
}

/* A batch's experiment: its batch boot's prefix run again, the batch kept in dir for a boot by hand. */
static int replay_batch(const struct campaign *c, const struct campaign_experiment *x, size_t nr,
			const size_t *list, size_t n, unsigned long index,
			const struct campaign_console *golden, unsigned int timeout_s, const char *dir,
			const char *outcome, const char *sha)
{
	struct replay_batch o = {.index = index};
	struct campaign_shared_ops ops = {.next = replay_next, .done = replay_batch_done, .ctx = &o};

	campaign_batch_boot(c, x, nr, list, n, golden, timeout_s, dir, &ops);
	if (!o.got)
		return 1;
	bool same_outcome = !strcmp(outcome, outcome_name(o.r.outcome)),
	     same_trace = !strcmp(sha, o.r.trace_sha256);
	printf("experiment %lu (batch: experiment %zu of its boot; those %zu booted again): %s\n"
	       "  stored:   %s, trace %s\n  replayed: %s, trace %s\n  %s\n",
	       index, n, n, x[list[n - 1]].fault, outcome, sha, outcome_name(o.r.outcome), o.r.trace_sha256,
	       same_outcome && same_trace ? "same outcome, identical trace"
	       : !same_outcome		  ? "DIFFERENT outcome"
	       : c->deterministic
		       ? "same outcome, DIFFERENT trace"
		       : "same outcome (the trace differs: a wall-clock campaign's timing is the host's)");
	const char *cmd = o.r.repeat ? strstr(o.r.repeat, " of the boot ") : NULL;
	printf("by hand: %s  # the batch of experiments %s\n",
	       cmd ? cmd + strlen(" of the boot ") : "(no command)", dir);
	free(o.r.repeat);
	return same_outcome && (same_trace || !c->deterministic) ? 0 : 1;
}

int campaign_cmd_replay(int argc, char **argv)
{
	const char *path = NULL, *run = NULL, *which = NULL, *plan = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(replay_usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--run") && i + 1 < argc) {
			run = argv[++i];
		} else if (!strcmp(argv[i], "--plan") && i + 1 < argc) {
			plan = argv[++i];
		} else if (argv[i][0] != '-' && !path) {
			path = argv[i];
		} else if (argv[i][0] != '-' && !which) {
			which = argv[i];
		} else {
			fprintf(stderr, "tessera fi campaign replay: unexpected argument '%s'\n%s", argv[i],
				replay_usage);
			return 2;
		}
	}
	char *end = NULL;
	unsigned long index = which ? strtoul(which, &end, 10) : 0;
	if (!path || !which || *end) {
		fputs(replay_usage, stderr);
		return 2;
	}
	struct results_db db;
	int64_t run_id;
	int ret = db_and_run(path, run, &db, &run_id);
	if (ret)
		return ret;
	struct campaign *c = calloc(1, sizeof(*c));
	struct campaign_experiment *x = NULL;
	struct campaign_console golden = {0};
	char outcome[32], sha[65], plan_path[4200];
	size_t nr = 0;
	int64_t ns;
	ret = 2;
	if (!c || campaign_of_run(&db, run_id, c))
		goto out;
	x = campaign_plan_experiments(c, &nr);
	bool shared = false;
	if (!x || index >= nr || stored(&db, run_id, (unsigned int)index, outcome, sha, &shared)) {
		fprintf(stderr, "tessera fi campaign replay: run %lld has no completed experiment %lu\n",
			(long long)run_id, index);
		goto out;
	}
	char *g = campaign_db_golden(&db, run_id, &ns);
	if (!g || campaign_console_set(&golden, g, 0)) {
		ret = 1;
		goto out;
	}
	snprintf(plan_path, sizeof(plan_path), "%s.experiment-%lu.yaml", path, index);
	if (plan)
		snprintf(plan_path, sizeof(plan_path), "%s", plan);
	struct campaign_result r;
	size_t *list = shared ? calloc(nr + 1, sizeof(*list)) : NULL,
	       n = list ? batch_prefix(&db, run_id, index, x, nr, list) : 0;
	if (n) {
		char dir[4200];
		snprintf(dir, sizeof(dir), "%s.experiment-%lu.batch", path, index);
		ret = replay_batch(c, x, nr, list, n, index, &golden, campaign_timeout_s(c, &db, run_id), dir,
				   outcome, sha);
		free(list);
		goto out;
	}
	free(list);
	if (shared) {
		ret = replay_shared(c, x, nr, index, &golden, campaign_timeout_s(c, &db, run_id), outcome,
				    sha);
		goto out;
	}
	campaign_experiment_run(c, &x[index], &golden, campaign_timeout_s(c, &db, run_id), plan_path, &r);
	bool same_outcome = !strcmp(outcome, outcome_name(r.outcome)),
	     same_trace = !strcmp(sha, r.trace_sha256);
	printf("experiment %lu: %s\n  stored:   %s, trace %s\n  replayed: %s, trace %s\n  %s\n", index,
	       x[index].fault, outcome, sha, outcome_name(r.outcome), r.trace_sha256,
	       same_outcome && same_trace ? "same outcome, identical trace"
	       : same_outcome		  ? "same outcome, DIFFERENT trace"
					  : "DIFFERENT outcome");
	printf("by hand: %s\n", r.repeat ? r.repeat : "(the run record has no command)");
	ret = same_outcome && same_trace ? 0 : 1;
	campaign_result_free(&r);
out:
	campaign_console_free(&golden);
	free(x);
	if (c)
		campaign_free(c);
	free(c);
	results_db_close(&db);
	return ret;
}
