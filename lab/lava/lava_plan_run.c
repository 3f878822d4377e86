/*
 * `tessera bench run PLAN --on lava:URL` (lava_plan.h): render the boots the run still lacks, submit them
 * all at once through `lava_instance.py submit` (lavacli; the instance spreads them over its devices),
 * and read its summary: a job that never reached the hypervisor's start marker, or that LAVA ended with
 * an infrastructure error, is submitted again (up to LAVA_PLAN_ATTEMPTS times; every attempt keeps its
 * jobs row); any other job is the boot's result, its samples read from the job's console with the
 * bench parser (bench/workload_parse.c, run_boot_collect) and committed as `bench run` commits a boot.
 */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../bench/run_boot.h"
#include "../host_files.h"
#include "lava_plan.h"
#include "lava_store.h"

#define PROG	 "tessera bench run"
#define PYTHON	 "/usr/bin/python3" /* Debian's, with the LAVA and YAML modules */
#define PATH_LEN (PATH_MAX + 256)

struct pending {
	unsigned int pos; /* in the plan's order */
	char job[PATH_LEN];
	char attempts[256]; /* the LAVA job ids of earlier attempts, comma-separated */
	char last_problem[320];
	bool open;
};

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

int lava_submit(const char *db_path, const struct lava_target *t, const char *logs, const char *summary,
		const char *const *jobs, unsigned int n)
{
	const char *url = t->on + 5;
	char script[PATH_MAX], state[PATH_MAX], runs[PATH_MAX], tessera[PATH_MAX];
	const char **argv = calloc(n + 32, sizeof(*argv));
	int k = 0;

	if (!argv || lab_path_beside_exe(script, sizeof(script), "../lab/lava/lava_instance.py") ||
	    lab_path_beside_exe(state, sizeof(state), "lava-instance") ||
	    lab_path_beside_exe(runs, sizeof(runs), "lava-runs") ||
	    lab_path_beside_exe(tessera, sizeof(tessera), "tessera")) {
		free(argv);
		fprintf(stderr, "%s: cannot find my own executable\n", PROG);
		return 1;
	}
	const char *fixed[] = {PYTHON,	 script,       "--state",   state,	    "--default-output",
			       runs,	 "--tessera",  tessera,	    "--default-db", db_path,
			       "submit", "--no-cases", "--summary", summary,	    "-o",
			       logs,	 "--db",       db_path};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		argv[k++] = fixed[i];
	if (url[0]) {
		argv[k++] = "--url";
		argv[k++] = url;
	}
	if (t->token) {
		argv[k++] = "--token";
		argv[k++] = t->token;
	}
	if (t->user) {
		argv[k++] = "--user";
		argv[k++] = t->user;
	}
	for (unsigned int i = 0; i < n; i++)
		argv[k++] = jobs[i];
	argv[k] = NULL;
	/* its lines are progress, not the plan's output: on stderr, as bench run's own (lab_spawn gives
	 * the child our stdout, so stdout is stderr while it starts) */
	fflush(stdout);
	int saved_stdout = dup(1);
	dup2(2, 1);
	pid_t pid = lab_spawn((char *const *)argv);
	if (saved_stdout >= 0) {
		dup2(saved_stdout, 1);
		close(saved_stdout);
	}
	free(argv);
	int status = 0;
	/*
	 * A SIGINT or SIGTERM sent to this process alone (kill PID) is passed on: the script cancels the
	 * jobs it submitted and exits 130/143; afterwards the caller's own handler sees the signal too.
	 */
	struct sigaction sa = {.sa_handler = on_stop}, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	stop_sig = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	bool passed = false;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		if (stop_sig && !passed) {
			kill(pid, stop_sig);
			passed = true;
		}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	const struct sigaction *was = stop_sig == SIGINT ? &old_int : &old_term;
	if (stop_sig && was->sa_handler != SIG_DFL && was->sa_handler != SIG_IGN)
		raise(stop_sig); /* the caller's handler; without one the exit status says it */
	if (pid < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

/* The boot's record: what it booted, where and how it went (LAVA's job ids, earlier attempts). */
static char *boot_record(const struct plan *p, const struct plan_config *c, unsigned int w, const char *url,
			 json_t *e, const struct pending *pd, const char *why)
{
	json_t *o = json_pack("{s:s, s:i, s:s?, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}}", "system",
			      c->system[w], "iters", (int)(p->warmup + p->iterations), "failure", why, "lava",
			      "url", url[0] ? url : "local instance", "job", pd->job, "job_id",
			      jstr(e, "job_id"), "health", jstr(e, "health"), "log", jstr(e, "log"),
			      "earlier_attempts", pd->attempts, "measurements",
			      json_integer_value(json_object_get(e, "measurements")), "server_measurements",
			      json_integer_value(json_object_get(e, "server_measurements")));
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	return text;
}

/* A finished job: the boot's samples from its console, committed. 0, or 1 when the database failed. */
static int gather(struct results_db *db, int64_t run_id, const struct plan *p, const struct plan_boot *b,
		  const char *url, json_t *e, struct pending *pd, unsigned int *failed)
{
	const struct plan_config *c = &p->configs[b->config];
	struct run_boot_result r;
	char err[256], path[PATH_LEN];
	size_t len;

	memset(&r, 0, sizeof(r));
	snprintf(path, sizeof(path), "%s/console.txt", jstr(e, "out"));
	char *console = lava_read_file(path, &len);
	bool complete = json_is_true(json_object_get(e, "complete"));
	if (!console)
		snprintf(r.why, sizeof(r.why), "no console.txt beside the job's log: %s", strerror(errno));
	else if (!complete)
		snprintf(r.why, sizeof(r.why), "LAVA job %s: %s", jstr(e, "job_id"), jstr(e, "problem"));
	else if (workload_parse_text(console, path, &r.parsed, err, sizeof(err)))
		snprintf(r.why, sizeof(r.why), "malformed results: %s", err);
	else
		r.ok = run_boot_collect(p, p->workloads[b->workload], &r);
	/* LAVA's own copy of the samples (its measurements) should be every sample line we read; ours
	 * are the ones stored, so a difference is said and kept in the record, not a failed boot. */
	json_int_t kept = json_integer_value(json_object_get(e, "measurements")),
		   stored = json_integer_value(json_object_get(e, "server_measurements"));
	if (r.ok && (kept != (json_int_t)r.parsed.nr_samples || stored != kept))
		fprintf(stderr,
			"%s: %s: %zu samples on the console, %lld LAVA measurements in the log, %lld "
			"on the server\n",
			PROG, pd->job, r.parsed.nr_samples, (long long)kept, (long long)stored);
	char *rec = boot_record(p, c, b->workload, url, e, pd, r.ok ? NULL : r.why);
	struct rdb_boot rb = {
		.configuration = c->name,
		.boot_index = b->boot_index,
		.run_order = pd->pos,
		.status = r.ok ? "done" : "failed",
		.started = jstr(e, "started"),
		.ended = jstr(e, "ended"),
		.load_start = -1,
		.load_end = -1,
		.workload = p->workloads[b->workload],
		.record = rec,
	};
	int ret =
		results_db_add_boot(db, run_id, &rb, r.ok ? r.samples : NULL, r.ok ? r.nr_samples : 0, NULL);
	if (!ret && !r.ok) {
		fprintf(stderr, "%s: boot %s failed (recorded as failed): %s\n", PROG, pd->job, r.why);
		++*failed;
	}
	free(rec);
	free(console);
	run_boot_release(&r);
	pd->open = false;
	return ret ? 1 : 0;
}

/* One submission's summary: gather what finished, keep open what failed for infrastructure reasons. */
static int read_summary(struct results_db *db, int64_t run_id, const struct plan *p,
			const struct plan_boot *order, const char *url, const char *summary,
			struct pending *pend, unsigned int n, unsigned int *failed)
{
	json_error_t jerr;
	json_t *root = json_load_file(summary, 0, &jerr);
	int ret = 0;

	if (!root)
		fprintf(stderr, "%s: %s: %s (every job of this submission counts as not run)\n", PROG,
			summary, jerr.text);
	for (unsigned int i = 0; i < n && !ret; i++) {
		if (!pend[i].open)
			continue;
		json_t *e = NULL, *x;
		size_t k;
		json_array_foreach(root, k, x) if (!strcmp(jstr(x, "file"), pend[i].job)) e = x;
		if (!e) {
			snprintf(pend[i].last_problem, sizeof(pend[i].last_problem),
				 "not submitted (the submission failed: see its message above)");
			continue;
		}
		if (json_is_true(json_object_get(e, "infrastructure"))) {
			size_t at = strlen(pend[i].attempts);
			snprintf(pend[i].attempts + at, sizeof(pend[i].attempts) - at, "%s%s", at ? "," : "",
				 jstr(e, "job_id"));
			snprintf(pend[i].last_problem, sizeof(pend[i].last_problem), "%s",
				 jstr(e, "problem"));
			fprintf(stderr,
				"%s: LAVA job %s (%s) failed for an infrastructure reason: %s; its jobs row "
				"keeps the attempt\n",
				PROG, jstr(e, "job_id"), pend[i].job, jstr(e, "problem"));
			continue;
		}
		ret = gather(db, run_id, p, &order[pend[i].pos], url, e, &pend[i], failed);
	}
	json_decref(root);
	return ret;
}

static int record_gave_up(struct results_db *db, int64_t run_id, const struct plan *p,
			  const struct plan_boot *b, struct pending *pd, unsigned int *failed)
{
	char why[700];
	snprintf(why, sizeof(why), "%u LAVA attempts failed for infrastructure reasons (%s%s): %s",
		 LAVA_PLAN_ATTEMPTS, pd->attempts[0] ? "jobs " : "no job was accepted", pd->attempts,
		 pd->last_problem);
	pd->open = false;
	json_t *o = json_pack("{s:s, s:s, s:{s:s}}", "system", p->configs[b->config].system[b->workload],
			      "failure", why, "lava", "earlier_attempts", pd->attempts);
	char *rec = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	struct rdb_boot rb = {.configuration = p->configs[b->config].name,
			      .boot_index = b->boot_index,
			      .run_order = pd->pos,
			      .status = "failed",
			      .load_start = -1,
			      .load_end = -1,
			      .workload = p->workloads[b->workload],
			      .record = rec};
	int ret = results_db_add_boot(db, run_id, &rb, NULL, 0, NULL);
	fprintf(stderr, "%s: boot %s failed (recorded as failed): %s\n", PROG, pd->job, why);
	++*failed;
	free(rec);
	return ret ? 1 : 0;
}

int lava_plan_run(struct results_db *db, int64_t run_id, const struct plan *p, const struct lava_target *t)
{
	char dir[PATH_LEN], jobs[PATH_LEN + 8], logs[PATH_LEN + 8], summary[PATH_LEN + 32];
	unsigned int n, todo = 0, failed = 0, done_before = 0, open = 0;
	int ret = 0;

	if (strncmp(t->on, "lava:", 5)) {
		fprintf(stderr, "%s: --on %s: expected lava:URL (or lava: for the local instance)\n", PROG,
			t->on);
		return 2;
	}
	const char *url = t->on + 5;
	struct plan_boot *order = plan_order(p, &n);
	struct pending *pend = order ? calloc(n ? n : 1, sizeof(*pend)) : NULL;
	if (!pend) {
		free(order);
		fprintf(stderr, "%s: out of memory\n", PROG);
		return 1;
	}
	/* beside the database: its jobs and their logs stay with the results they gave */
	snprintf(dir, sizeof(dir), "%s.lava", db->path);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s.lava/run-%lld", db->path, (long long)run_id);
	snprintf(jobs, sizeof(jobs), "%s/jobs", dir);
	snprintf(logs, sizeof(logs), "%s/logs", dir);
	if ((mkdir(dir, 0755) && errno != EEXIST) || (mkdir(jobs, 0755) && errno != EEXIST) ||
	    (mkdir(logs, 0755) && errno != EEXIST)) {
		fprintf(stderr, "%s: %s: %s\n", PROG, dir, strerror(errno));
		ret = 1;
	}
	/* --base-url: DB.lava is served there, so this run's jobs directory is URL/run-N/jobs */
	char remote[PATH_LEN + 64] = "";
	if (t->base_url) {
		lava_base_url(NULL, t->base_url, remote, sizeof(remote));
		snprintf(remote + strlen(remote), sizeof(remote) - strlen(remote), "/run-%lld/jobs",
			 (long long)run_id);
		fprintf(stderr, "%s: the workers fetch the images from %s/ (%s.lava served at %s)\n", PROG,
			remote, db->path, t->base_url);
	}
	for (unsigned int i = 0; i < n && !ret; i++) {
		if (results_db_has_boot(db, run_id, p->configs[order[i].config].name, order[i].boot_index)) {
			done_before++;
			continue;
		}
		pend[todo].pos = i;
		pend[todo].open = true;
		ret = lava_plan_render_boot(p, &order[i], i, jobs, t->base_url ? remote : NULL,
					    pend[todo].job, sizeof(pend[todo].job));
		todo++;
	}
	if (!ret)
		fprintf(stderr, "%s: %u boots as LAVA jobs on %s (%u from before); jobs and logs in %s\n",
			PROG, todo, url[0] ? url : "the local instance", done_before, dir);
	for (unsigned int a = 1; a <= LAVA_PLAN_ATTEMPTS && !ret; a++) {
		open = 0;
		for (unsigned int i = 0; i < todo; i++)
			open += pend[i].open;
		if (!open)
			break;
		snprintf(summary, sizeof(summary), "%s/summary-%u.json", dir, a);
		remove(summary);
		const char **paths = calloc(todo, sizeof(*paths));
		unsigned int np = 0;
		for (unsigned int i = 0; paths && i < todo; i++)
			if (pend[i].open)
				paths[np++] = pend[i].job;
		int st = paths ? lava_submit(db->path, t, logs, summary, paths, np) : 1;
		free(paths);
		if (st >= 128) {
			ret = st;
			break;
		}
		if (st == 2) {
			ret = 2; /* bad --url or --token, or no local instance */
			break;
		}
		ret = read_summary(db, run_id, p, order, url, summary, pend, todo, &failed);
	}
	for (unsigned int i = 0; i < todo && !ret; i++)
		if (pend[i].open)
			ret = record_gave_up(db, run_id, p, &order[pend[i].pos], &pend[i], &failed);
	open = 0;
	for (unsigned int i = 0; i < todo; i++)
		open += pend[i].open;
	const char *status = ret >= 128 ? "interrupted" : ret || failed ? "failed" : "done";
	if (results_db_run_end(db, run_id, status) && !ret)
		ret = 1;
	fprintf(stderr, "%s: run %lld %s: %u boots done on LAVA, %u failed, %u not run, %u from before\n",
		PROG, (long long)run_id, status, todo - failed - open, failed, open, done_before);
	free(pend);
	free(order);
	return ret ? ret : failed ? 1 : 0;
}
