/*
 * `tessera fi campaign run|report|replay` (docs/fault-campaigns.md). run: load and check the campaign,
 * record it with every experiment planned, the golden run, then the experiments; --resume continues the
 * latest unfinished run of the same campaign in the database.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tessera/abi/batch.h>
#include <tessera/cmdline_options.h>

#include "../../lab/lava/lava_campaign.h"
#include "../../lab/runner.h"
#include "campaign_report.h"
#include "campaign_run.h"

#define DEFAULT_DB "campaign.db"

static const char run_usage[] =
	"usage: tessera fi campaign run CAMPAIGN.yaml [-o DB] [-j N] [--resume] [--per-experiment-boots]\n"
	"                                [--batch [--batch-size N]] [--append OPTS]\n"
	"                                [--on lava:URL [--token TOKEN] [--user USER] [--base-url URL]]\n"
	"\n"
	"Run a fault-injection campaign: a golden (fault-free) run, then every planned experiment, many per\n"
	"boot (the target restarted between them) unless the file says boots: per-experiment, a fault needs\n"
	"a fresh machine or --per-experiment-boots is given (one boot each; a deterministic campaign's "
	"icount\n"
	"and tsc points boot alone too, unless the file says boots: shared); N boots at once (default 1).\n"
	"Results go to DB (default " DEFAULT_DB "). --resume continues the\n"
	"latest unfinished run of this campaign in DB: completed experiments are kept, the ones cut short\n"
	"are recorded interrupted and run again. Exit status: 0 done, 1 failed (golden run, database),\n"
	"2 bad input, 130/143 stopped by SIGINT/SIGTERM (resume with --resume).\n"
	"--batch: the experiments that share a boot run as a batch the hypervisor reads from a boot module\n"
	"and runs with no host attached, each marked on the console (as a LAVA job or a lab board would);\n"
	"with --on, batch jobs of at most N experiments (default 16) over the instance's devices.\n"
	"--append OPTS: more hypervisor command line for every boot, golden run included (kept with the\n"
	"run: --resume and replay give the same).\n"
	"--on lava:URL: the golden run and each experiment as a LAVA job on an instance's devices (lava:\n"
	"alone: the local one of `tessera lab lava up`; docs/lab.md); --base-url URL: the workers fetch the\n"
	"images from DB.lava served at URL (http(s) for a remote lab; default: file:// paths of this "
	"host).\n";

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The golden run: fault-free, judged only by being whole (the target finished). */
int campaign_golden_run(const struct campaign *c, struct results_db *db, int64_t run_id,
			struct campaign_console *golden)
{
	int64_t duration = 0;
	char *text = campaign_db_golden(db, run_id, &duration);
	struct lab_run r;

	if (text)
		return campaign_console_set(golden, text, 0) ? 1 : 0;
	fprintf(stderr, "campaign %s: golden run (no fault) of %s\n", c->name, c->config);
	int64_t t0 = mono_ns();
	int status = campaign_boot(c, NULL, c->seed, 0, golden, &r);
	duration = mono_ns() - t0;
	lab_run_release(&r);
	char finished[128];
	snprintf(finished, sizeof(finished), "cell '%s' finished: exit status 0", c->target);
	if (status == 130 || status == 143)
		return status; /* stopped: the run is interrupted, --resume does the golden run again */
	if (status || !strstr(golden->text, finished)) {
		fprintf(stderr,
			"tessera fi campaign: the golden run failed (exit status %d, %s); its console:\n%s",
			status, r.summary, golden->text ? golden->text : "");
		return 1;
	}
	char *trace = campaign_trace_text(golden), sha[65];
	campaign_sha256(trace, strlen(trace), sha);
	free(trace);
	int ret = campaign_db_set_golden(db, run_id, golden->text, duration, sha);
	return ret ? 1 : 0;
}

unsigned int campaign_timeout_s(const struct campaign *c, struct results_db *db, int64_t run_id)
{
	int64_t ns = 0;
	free(campaign_db_golden(db, run_id, &ns));
	double s = ceil((double)ns / 1e9 * c->timeout_factor);

	return s > c->timeout_min_s ? (unsigned int)s : c->timeout_min_s;
}

static int open_run(const struct campaign *c, const char *dbpath, bool resume, struct results_db *db,
		    const struct campaign_experiment *x, size_t nr, int64_t *run_id)
{
	size_t size;
	char *text = config_read_file(c->path, &size),
	     *source = text ? campaign_run_source(text, c->hv_append) : NULL;

	free(text);
	if (!source || results_db_open(db, dbpath)) {
		free(source);
		return 1;
	}
	if (resume) {
		*run_id = campaign_db_unfinished(db, c->name);
		char *was = *run_id ? campaign_db_source(db, *run_id) : NULL;
		if (!*run_id || !was || strcmp(was, source)) {
			fprintf(stderr, "tessera fi campaign: %s: %s\n", dbpath,
				!*run_id
					? "no unfinished run of this campaign to resume"
					: "the campaign file or its --append changed since that run: start a "
					  "new one");
			free(was);
			free(source);
			results_db_close(db);
			return 2;
		}
		free(was);
		int n = results_db_resume(db, *run_id);
		fprintf(stderr, "campaign %s: resuming run %lld (%d experiments were cut short)\n", c->name,
			(long long)*run_id, n);
	} else if (campaign_db_create(db, c, source, x, nr, run_id)) {
		free(source);
		results_db_close(db);
		return 1;
	}
	free(source);
	return 0;
}

int campaign_cmd_run(int argc, char **argv)
{
	const char *file = NULL, *dbpath = DEFAULT_DB;
	unsigned int jobs = 1, boots = 0;
	bool resume = false, per_experiment = false, batch = false;
	const char *append = NULL;
	struct lava_target lava = {0}; /* --on lava:URL (lab/lava/lava_campaign.h) */

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(run_usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			dbpath = argv[++i];
		} else if (!strcmp(argv[i], "-j") && i + 1 < argc) {
			char *end;
			unsigned long n = strtoul(argv[++i], &end, 10);
			if (*end || !n || n > 64) {
				fprintf(stderr, "tessera fi campaign run: -j takes 1..64, got '%s'\n",
					argv[i]);
				return 2;
			}
			jobs = (unsigned int)n;
		} else if (!strcmp(argv[i], "--resume")) {
			resume = true;
		} else if (!strcmp(argv[i], "--per-experiment-boots")) {
			per_experiment = true;
		} else if (!strcmp(argv[i], "--append") && i + 1 < argc) {
			append = argv[++i];
		} else if (!strcmp(argv[i], "--batch")) {
			batch = true;
		} else if (!strcmp(argv[i], "--batch-size") && i + 1 < argc) {
			char *end;
			unsigned long n = strtoul(argv[++i], &end, 10);
			if (*end || !n || n > TESSERA_BATCH_MAX) {
				fprintf(stderr,
					"tessera fi campaign run: --batch-size takes 1..%u, got '%s'\n",
					TESSERA_BATCH_MAX, argv[i]);
				return 2;
			}
			lava.batch_size = (unsigned int)n;
		} else if ((!strcmp(argv[i], "--on") || !strcmp(argv[i], "--token") ||
			    !strcmp(argv[i], "--user") || !strcmp(argv[i], "--base-url")) &&
			   i + 1 < argc) {
			char o = argv[i][2];
			*(o == 'o'   ? &lava.on
			  : o == 't' ? &lava.token
			  : o == 'u' ? &lava.user
				     : &lava.base_url) = argv[++i];
		} else if (argv[i][0] != '-' && !file) {
			file = argv[i];
		} else {
			fprintf(stderr, "tessera fi campaign run: unexpected argument '%s'\n%s", argv[i],
				run_usage);
			return 2;
		}
	}
	if (!file || (lava.on && strncmp(lava.on, "lava:", 5))) {
		fputs(run_usage, stderr);
		return 2;
	}
	if (lava.base_url && (!lava.on || !lava_base_url_ok(lava.base_url))) {
		fprintf(stderr, "tessera fi campaign run: --base-url %s: %s\n", lava.base_url,
			lava.on ? "expected http://, https:// or file://" : "goes with --on lava:URL");
		return 2;
	}
	/* A closed terminal or pipe must not end a campaign: its progress lines are then simply lost. */
	signal(SIGPIPE, SIG_IGN);
	int ret;
	struct campaign *c = campaign_load_reported(file, &ret);
	if (!c)
		return ret;
	const char *no_batch = !batch		? NULL
			       : per_experiment ? "--per-experiment-boots boots each alone"
			       : jobs > 1	? "a batch runs one boot at a time (no -j)"
			       : c->boots != CAMPAIGN_BOOTS_SHARED
				       ? "the campaign boots one machine per experiment"
				       : NULL;
	struct cmdline_problem bad;
	if (append && (strlen(append) >= sizeof(c->hv_append) || !cmdline_check(append, &bad))) {
		if (strlen(append) >= sizeof(c->hv_append))
			fprintf(stderr, "tessera fi campaign run: --append: longer than %zu characters\n",
				sizeof(c->hv_append) - 1);
		else
			fprintf(stderr, "tessera fi campaign run: --append '%s': '%.*s': %s\n", append,
				(int)bad.len, append + bad.offset, bad.why);
		campaign_free(c);
		free(c);
		return 2;
	}
	snprintf(c->hv_append, sizeof(c->hv_append), "%s", append ? append : "");
	if (!no_batch && lava.batch_size && (!batch || !lava.on))
		no_batch = "--batch-size goes with --batch --on lava:URL";
	lava.batch = batch;
	if (no_batch) {
		fprintf(stderr, "tessera fi campaign run: %s: --batch: %s\n", file, no_batch);
		campaign_free(c);
		free(c);
		return 2;
	}
	size_t nr = 0;
	struct campaign_experiment *x = campaign_plan_experiments(c, &nr);
	struct campaign_console golden = {0};
	struct results_db db = {0};
	int64_t run_id = 0;
	if (!x || (ret = open_run(c, dbpath, resume, &db, x, nr, &run_id)))
		goto out;
	fprintf(stderr,
		"campaign %s: %zu experiments over a fault space of %llu points, -j %u, run %lld in %s\n",
		c->name, nr, (unsigned long long)c->space_size, jobs, (long long)run_id, dbpath);
	if (lava.on) {
		ret = lava_campaign_run(c, &db, run_id, x, nr, &lava);
		results_db_run_end(&db, run_id, ret == 0 ? "done" : ret < 128 ? "failed" : "interrupted");
		ret = ret ? ret : campaign_report_text(&db, run_id, stdout, 0.01);
		goto out;
	}
	if ((ret = campaign_golden_run(c, &db, run_id, &golden))) {
		results_db_run_end(&db, run_id, ret == 1 ? "failed" : "interrupted");
		goto out;
	}
	unsigned int timeout_s = campaign_timeout_s(c, &db, run_id);
	bool shared = c->boots == CAMPAIGN_BOOTS_SHARED && !per_experiment;
	ret = campaign_run_experiments(c, &db, run_id, x, nr, &golden, timeout_s, jobs,
				       batch	? CAMPAIGN_RUN_BATCH
				       : shared ? CAMPAIGN_RUN_SHARED
						: CAMPAIGN_RUN_EACH,
				       &boots);
	size_t alone = 0;
	for (size_t i = 0; shared && i < nr; i++)
		alone += c->entries[x[i].entry].own_boot;
	if (alone)
		fprintf(stderr,
			"campaign %s: %u boots (%s; its %zu planned with icount or tsc triggers boot "
			"alone: their points are exact only in a fresh machine)\n",
			c->name, boots,
			batch ? "experiment batches run by the hypervisor, no host attached"
			      : "many experiments per boot",
			alone);
	else
		fprintf(stderr, "campaign %s: %u boots (%s)\n", c->name, boots,
			batch	 ? "experiment batches run by the hypervisor, no host attached"
			: shared ? "many experiments per boot"
				 : "one boot per experiment");
	results_db_run_end(&db, run_id, ret == 0 ? "done" : ret == 1 ? "failed" : "interrupted");
	if (!ret)
		ret = campaign_report_text(&db, run_id, stdout, 0.01);
out:
	campaign_console_free(&golden);
	if (db.db)
		results_db_close(&db);
	free(x);
	campaign_free(c);
	free(c);
	return ret;
}

static const struct {
	const char *name, *summary;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{"run", "run a campaign: golden run, then every experiment", campaign_cmd_run},
	{"report", "the outcomes of a campaign with confidence intervals", campaign_cmd_report},
	{"replay", "rerun one stored experiment and compare", campaign_cmd_replay},
};

int cmd_fi_campaign(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		FILE *f = argc < 2 ? stderr : stdout;
		fprintf(f, "usage: tessera fi campaign COMMAND [ARGS]\n\nFault-injection campaigns "
			   "(docs/fault-campaigns.md). Commands:\n");
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
		fprintf(f, "\nOutcomes, in order of precedence:\n");
		for (int o = 0; o < OUTCOME_COUNT; o++)
			fprintf(f, "  %-16s %s\n", outcome_name((enum outcome)o),
				outcome_definition((enum outcome)o));
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "tessera fi campaign: '%s' is not a campaign command\n", argv[1]);
	return 2;
}
