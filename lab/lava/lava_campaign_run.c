/*
 * A campaign's boots on LAVA (lava_campaign.h). What lab_run's exit status tells the classifier locally
 * comes from the job here: the hypervisor's end marker reached is 0, LAVA's time limit 124, a console
 * that closed before the end marker 1 (the hypervisor stopped QEMU: a panic, a fault, a bad config).
 * A job that never reached the start marker, or that LAVA ended with an Infrastructure error, is
 * submitted again (LAVA_PLAN_ATTEMPTS in all), then recorded with the outcome infrastructure.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../faultinj/campaign/campaign_boot.h"
#include "../../faultinj/campaign/campaign_run.h"
#include "../../faultinj/campaign/campaign_shared.h"
#include "../runner.h"
#include "../host_files.h"
#include "lava_campaign.h"
#include "lava_store.h"

#define PROG	 "tessera fi campaign"
#define PATH_LEN (PATH_MAX + 256)

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

static json_t *entry_of(json_t *root, const char *job)
{
	json_t *x, *e = NULL;
	size_t k;
	json_array_foreach(root, k, x) if (!strcmp(jstr(x, "file"), job)) e = x;
	return e;
}

/* The job's console and the exit status lab_run would have given. */
static char *job_console(json_t *e, int *status)
{
	char path[PATH_LEN];
	snprintf(path, sizeof(path), "%s/console.txt", jstr(e, "out"));
	char *text = lava_read_file(path, NULL);
	const char *problem = jstr(e, "problem");
	*status = !text											 ? 1
		  : text && strstr(text, "] shutdown: ") && json_is_true(json_object_get(e, "complete")) ? 0
		  : strstr(problem, "imed out") || strstr(problem, "timeout")				 ? 124
													 : 1;
	return text;
}

struct work {
	const struct campaign_experiment *e; /* NULL: the golden run (or a batch) */
	const size_t *list;		     /* a batch: its experiments' positions in x */
	size_t n;
	char job[PATH_LEN];
	char attempts[256], problem[320];
	bool open;
};

/* Submit every open job (up to LAVA_PLAN_ATTEMPTS times); fn(w, entry) for each that is a result. */
static int submit_all(struct results_db *db, const struct lava_target *t, const char *dir, struct work *w,
		      size_t n, int (*fn)(struct work *, json_t *, void *), void *ctx)
{
	char logs[PATH_LEN + 8], summary[PATH_LEN + 32];
	int ret = 0;

	snprintf(logs, sizeof(logs), "%s/logs", dir);
	mkdir(logs, 0755);
	for (unsigned int a = 1; a <= LAVA_PLAN_ATTEMPTS && !ret; a++) {
		const char **paths = calloc(n + 1, sizeof(*paths));
		unsigned int np = 0;
		for (size_t i = 0; paths && i < n; i++)
			if (w[i].open)
				paths[np++] = w[i].job;
		if (!paths || !np) {
			free(paths);
			break;
		}
		snprintf(summary, sizeof(summary), "%s/summary-%u-%u.json", dir, a, np);
		remove(summary);
		int st = lava_submit(db->path, t, logs, summary, paths, np);
		free(paths);
		if (st >= 128 || st == 2)
			return st;
		json_t *root = json_load_file(summary, 0, NULL);
		for (size_t i = 0; i < n && !ret; i++) {
			if (!w[i].open)
				continue;
			json_t *e = entry_of(root, w[i].job);
			if (!e || json_is_true(json_object_get(e, "infrastructure"))) {
				size_t at = strlen(w[i].attempts);
				if (e)
					snprintf(w[i].attempts + at, sizeof(w[i].attempts) - at, "%s%s",
						 at ? "," : "", jstr(e, "job_id"));
				snprintf(w[i].problem, sizeof(w[i].problem), "%s",
					 e ? jstr(e, "problem") : "not submitted");
				fprintf(stderr,
					"%s: LAVA job %s (%s) failed for an infrastructure reason: %s; "
					"submitting it again\n",
					PROG, e ? jstr(e, "job_id") : "-", w[i].job, w[i].problem);
				continue;
			}
			w[i].open = false;
			ret = fn(&w[i], e, ctx);
		}
		json_decref(root);
	}
	return ret;
}

struct golden_ctx {
	const struct campaign *c;
	struct results_db *db;
	int64_t run_id;
};

static int take_golden(struct work *w, json_t *e, void *ctx)
{
	struct golden_ctx *g = ctx;
	char finished[128], sha[65];
	int status;
	char *text = job_console(e, &status);

	snprintf(finished, sizeof(finished), "cell '%s' finished: exit status 0", g->c->target);
	if (status || !text || !strstr(text, finished)) {
		fprintf(stderr, "%s: the golden run failed on LAVA (job %s, %s); its console:\n%s", PROG,
			jstr(e, "job_id"), w->job, text ? text : "");
		free(text);
		return 1;
	}
	campaign_sha256(text, strlen(text), sha);
	int ret = campaign_db_set_golden(g->db, g->run_id, text, 0, sha) ? 1 : 0;
	free(text);
	return ret;
}

struct exp_ctx {
	const struct campaign *c;
	struct results_db *db;
	int64_t run_id;
	struct campaign_console *golden;
	unsigned int judged;
};

static void judge(const struct campaign *c, const struct campaign_console *golden, char *text, int status,
		  struct campaign_result *res)
{
	struct campaign_console con = {0};

	campaign_console_set(&con, text, status);
	campaign_result_judge(c, golden, &con, status, false, res);
	campaign_console_free(&con);
}

static int take_experiment(struct work *w, json_t *e, void *ctx)
{
	struct exp_ctx *x = ctx;
	struct campaign_result res = {.index = w->e->index, .outcome = OUTCOME_NO_VERDICT};
	int status;
	char *text = job_console(e, &status);

	res.exit_status = status;
	snprintf(res.started, sizeof(res.started), "%s", jstr(e, "started"));
	snprintf(res.ended, sizeof(res.ended), "%s", jstr(e, "ended"));
	char repeat[PATH_LEN + 64];
	snprintf(repeat, sizeof(repeat), "tessera lab lava run %s  # LAVA job %s", w->job, jstr(e, "job_id"));
	res.repeat = strdup(repeat);
	judge(x->c, x->golden, text, status, &res); /* takes text */
	int ret =
		campaign_db_start(x->db, x->run_id, res.index) || campaign_db_finish(x->db, x->run_id, &res);
	fprintf(stderr, "%s: experiment %u (LAVA job %s): %s%s%s\n", PROG, res.index, jstr(e, "job_id"),
		outcome_name(res.outcome), res.detail[0] ? ": " : "", res.detail);
	x->judged++;
	campaign_result_free(&res);
	return ret ? 1 : 0;
}

static int record_infrastructure(struct exp_ctx *x, struct work *w)
{
	struct campaign_result res = {
		.index = w->e->index, .outcome = OUTCOME_INFRASTRUCTURE, .exit_status = 1};
	snprintf(res.detail, sizeof(res.detail), "%u LAVA attempts failed (%.50s): %.110s",
		 LAVA_PLAN_ATTEMPTS, w->attempts[0] ? w->attempts : "none accepted", w->problem);
	int ret =
		campaign_db_start(x->db, x->run_id, res.index) || campaign_db_finish(x->db, x->run_id, &res);
	campaign_result_free(&res);
	return ret ? 1 : 0;
}

struct batch_ctx {
	const struct campaign *c;
	const struct campaign_experiment *x;
	size_t nr;
	struct results_db *db;
	int64_t run_id;
	const struct campaign_console *golden;
	unsigned int timeout_s;
	const char *job, *job_id, *started, *ended;
	int ret;
};

/* One experiment of a batch job, judged (campaign_batch_judge): stored as a local run stores it. */
static void batch_done(const struct campaign_result *r, void *ctx)
{
	struct batch_ctx *b = ctx;
	struct campaign_result res = *r; /* the judge frees its own strings after this */
	char repeat[PATH_LEN + 96];

	snprintf(repeat, sizeof(repeat), "tessera lab lava run %s  # LAVA job %s, a batch", b->job,
		 b->job_id);
	res.repeat = repeat;
	/* the job's times: the judge's are those of reading the log */
	snprintf(res.started, sizeof(res.started), "%s", b->started);
	snprintf(res.ended, sizeof(res.ended), "%s", b->ended);
	if (campaign_db_start(b->db, b->run_id, res.index) || campaign_db_finish(b->db, b->run_id, &res))
		b->ret = 1;
	fprintf(stderr, "%s: experiment %u (LAVA job %s, a batch): %s%s%s\n", PROG, res.index, b->job_id,
		outcome_name(res.outcome), res.detail[0] ? ": " : "", res.detail);
}

static int take_batch(struct work *w, json_t *e, void *ctx)
{
	struct batch_ctx *b = ctx;
	struct campaign_shared_ops ops = {.done = batch_done, .ctx = b};
	int status;
	char *text = job_console(e, &status);

	b->job = w->job;
	b->job_id = jstr(e, "job_id");
	b->started = jstr(e, "started");
	b->ended = jstr(e, "ended");
	campaign_batch_judge(b->c, b->x, b->nr, w->list, w->n, b->golden, b->timeout_s, text, status, &ops);
	free(text);
	return b->ret;
}

/* Each experiment of batch job b recorded infrastructure, with the batch's problem. */
static int record_batch_infrastructure(const struct campaign *c, struct results_db *db, int64_t run_id,
				       const struct campaign_experiment *x, const struct work *b)
{
	int ret = 0;

	for (size_t j = 0; j < b->n && !ret; j++) {
		struct work one = *b;
		one.e = &x[b->list[j]];
		ret = record_infrastructure(&(struct exp_ctx){c, db, run_id, NULL, 0}, &one);
	}
	return ret;
}

/*
 * --batch: the experiments that share a boot (not own_boot) in batch jobs of at most t->batch_size,
 * submitted together over the instance's devices. A batch whose boot ended early (a panic) has its
 * later experiments in no result: they go into the next round's batches, until every one is done.
 */
static int run_batches(const struct campaign *c, struct results_db *db, int64_t run_id,
		       const struct campaign_experiment *x, size_t nr, const struct lava_target *t,
		       const char *dir, const char *jobs, const char *base, const char *scratch,
		       const struct campaign_console *golden)
{
	size_t size = t->batch_size ? t->batch_size : LAVA_BATCH_SIZE, *list = calloc(nr + 1, sizeof(*list));
	struct work *w = calloc(nr + 1, sizeof(*w));
	struct batch_ctx bc = {.c = c,
			       .x = x,
			       .nr = nr,
			       .db = db,
			       .run_id = run_id,
			       .golden = golden,
			       .timeout_s = campaign_timeout_s(c, db, run_id)};
	int ret = !list || !w;
	/* a job's limit (lava_campaign_render_batch: 3 x each experiment's + 5 min) stays under LAVA_JOB_MAX_S */
	size_t fits = (LAVA_JOB_MAX_S - 300) / (3 * (size_t)(bc.timeout_s ? bc.timeout_s : 1));
	if (size > fits) {
		fprintf(stderr, "%s %s: batches of %zu, not %zu: a job's time limit stays under %u s\n", PROG,
			c->name, fits ? fits : 1, size, LAVA_JOB_MAX_S);
		size = fits ? fits : 1;
	}

	for (unsigned int round = 1; !ret && round <= nr; round++) {
		size_t n = 0, k = 0;
		for (size_t i = 0; i < nr; i++)
			if (!c->entries[x[i].entry].own_boot && !campaign_db_is_done(db, run_id, x[i].index))
				list[n++] = i;
		if (!n)
			break;
		for (size_t at = 0; at < n && !ret; at += size, k++) {
			char sub[PATH_MAX + 64];
			snprintf(sub, sizeof(sub), "%s/batch-%u-%zu", scratch, round, k);
			mkdir(sub, 0755);
			w[k] = (struct work){
				.list = &list[at], .n = n - at < size ? n - at : size, .open = true};
			if (lava_campaign_render_batch(c, x, w[k].list, w[k].n, bc.timeout_s, jobs, base, sub,
						       w[k].job, sizeof(w[k].job))) {
				/* its faults do not compile, or the job cannot be written: each of its
				 * experiments is recorded so, the other batches go on (k-- reuses the slot) */
				snprintf(w[k].problem, sizeof(w[k].problem),
					 "its batch job could not be rendered");
				ret = record_batch_infrastructure(c, db, run_id, x, &w[k]);
				k--;
			}
		}
		fprintf(stderr, "%s %s: %zu experiments in %zu batch jobs of at most %zu (round %u)\n", PROG,
			c->name, n, k, size, round);
		if (!ret)
			ret = submit_all(db, t, dir, w, k, take_batch, &bc);
		for (size_t b = 0; b < k && !ret; b++)
			if (w[b].open) /* its attempts failed */
				ret = record_batch_infrastructure(c, db, run_id, x, &w[b]);
	}
	free(list);
	free(w);
	return ret;
}

int lava_campaign_run(const struct campaign *c, struct results_db *db, int64_t run_id,
		      const struct campaign_experiment *x, size_t nr, const struct lava_target *t)
{
	char dir[PATH_LEN], jobs[PATH_LEN + 8], base[PATH_LEN + 16], scratch[PATH_MAX];
	struct campaign_console golden = {0};
	struct work *w = calloc(nr + 1, sizeof(*w));
	size_t n = 0;
	int ret = 0;

	if (!w || lab_make_scratch_dir(scratch, sizeof(scratch), "tessera-lava-campaign")) {
		free(w);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s.lava", db->path);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s.lava/campaign-%lld", db->path, (long long)run_id);
	snprintf(jobs, sizeof(jobs), "%s/jobs", dir);
	mkdir(dir, 0755);
	mkdir(jobs, 0755);
	if (t->base_url) { /* DB.lava is served there: this campaign's jobs are URL/campaign-N/jobs */
		lava_base_url(NULL, t->base_url, base, sizeof(base));
		snprintf(base + strlen(base), sizeof(base) - strlen(base), "/campaign-%lld/jobs",
			 (long long)run_id);
		fprintf(stderr, "%s %s: the workers fetch the images from %s/ (%s.lava served at %s)\n", PROG,
			c->name, base, db->path, t->base_url);
	} else {
		snprintf(base, sizeof(base), "file://%s", jobs);
	}
	FILE *tsv = fopen("/dev/null", "w");
	int64_t ns = 0;
	char *text = campaign_db_golden(db, run_id, &ns);
	if (!text) {
		struct work g = {.open = true};
		struct golden_ctx gc = {c, db, run_id};
		ret = lava_campaign_render_one(c, NULL, jobs, base, scratch, tsv, g.job, sizeof(g.job));
		fprintf(stderr, "%s %s: the golden run (no fault) as a LAVA job on %s\n", PROG, c->name,
			t->on[5] ? t->on + 5 : "the local instance");
		if (!ret)
			ret = submit_all(db, t, dir, &g, 1, take_golden, &gc);
		if (!ret && g.open) {
			fprintf(stderr, "%s: the golden run's job failed %u times: %s\n", PROG,
				LAVA_PLAN_ATTEMPTS, g.problem);
			ret = 1;
		}
		text = ret ? NULL : campaign_db_golden(db, run_id, &ns);
	}
	if (!ret && (!text || campaign_console_set(&golden, text, 0)))
		ret = 1;
	if (!ret && t->batch)
		ret = run_batches(c, db, run_id, x, nr, t, dir, jobs, base, scratch, &golden);
	for (size_t i = 0; i < nr && !ret; i++) {
		if (campaign_db_is_done(db, run_id, x[i].index))
			continue; /* a completed experiment is never run twice */
		w[n].e = &x[i];
		w[n].open = true;
		ret = lava_campaign_render_one(c, &x[i], jobs, base, scratch, tsv, w[n].job,
					       sizeof(w[n].job));
		n++;
	}
	struct exp_ctx ec = {c, db, run_id, &golden, 0};
	if (!ret && t->batch && n)
		fprintf(stderr, "%s %s: %zu experiments that boot alone as LAVA jobs; jobs and logs in %s\n",
			PROG, c->name, n, dir);
	else if (!ret && !t->batch)
		fprintf(stderr,
			"%s %s: %zu experiments as LAVA jobs (%zu done before); jobs and logs in %s\n", PROG,
			c->name, n, nr - n, dir);
	if (!ret) {
		ret = submit_all(db, t, dir, w, n, take_experiment, &ec);
	}
	for (size_t i = 0; i < n && !ret; i++)
		if (w[i].open)
			ret = record_infrastructure(&ec, &w[i]);
	fclose(tsv);
	lab_remove_tree(scratch);
	campaign_console_free(&golden);
	free(w);
	return ret;
}
