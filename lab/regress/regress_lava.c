/*
 * `lab regress --on lava:URL` (regress.h): a step's boot as a LAVA job, through `tessera lab lava render`
 * and `tessera lab lava submit` as a user runs them, the job's console judged as a local boot's is. The
 * exit status a local boot would have had comes from the job as `fi campaign run --on lava:` takes it:
 * the hypervisor's end marker reached and the job complete is 0, LAVA's time limit 124, anything else 1.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "regress.h"

#define RENDER_TIMEOUT_S 120
#define SUBMIT_TIMEOUT_S 1800 /* the job's own limit and its time in the instance's queue */
#define ATTEMPTS	 3    /* as plans and campaigns on LAVA submit a job again (LAVA_PLAN_ATTEMPTS) */

void regress_lava_args(const struct regress_ctx *ctx, const char **argv, int *n)
{
	const struct regress_lava *l = ctx->lava;

	if (!l)
		return;
	argv[(*n)++] = "--on", argv[(*n)++] = l->on;
	if (l->token)
		argv[(*n)++] = "--token", argv[(*n)++] = l->token;
	if (l->user)
		argv[(*n)++] = "--user", argv[(*n)++] = l->user;
	if (l->base_url)
		argv[(*n)++] = "--base-url", argv[(*n)++] = l->base_url;
	argv[*n] = NULL;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = (size_t)ftell(f), fseek(f, 0, SEEK_SET) == 0) &&
	    (s = malloc(len + 1)))
		s[fread(s, 1, len, f)] = '\0';
	fclose(f);
	return s;
}

/* The job's entry of submit's --summary (one job: the first), or NULL. */
static json_t *summary_entry(json_t *root)
{
	return json_is_array(root) ? json_array_get(root, 0) : NULL;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

/* Submit the rendered job (again while it fails for an infrastructure reason); its summary entry. */
static json_t *submit(const struct regress_ctx *ctx, struct regress_result *r, const char *dir,
		      const char *job)
{
	const struct regress_lava *l = ctx->lava;
	const char *url = l->on + strlen("lava:");
	char runs[4300], db[4300], summary[4300];
	json_t *root = NULL;

	snprintf(runs, sizeof(runs), "%s/runs", dir);
	snprintf(db, sizeof(db), "%s/lava.db", dir);
	for (int a = 1; a <= ATTEMPTS && !regress_stopping(); a++) {
		struct regress_proc p;
		const char *argv[24] = {ctx->tessera, "lab", "lava", "submit", "-o", runs, "--db", db};
		int n = 8;
		snprintf(summary, sizeof(summary), "%s/summary-%d.json", dir, a);
		argv[n++] = "--summary", argv[n++] = summary;
		if (url[0])
			argv[n++] = "--url", argv[n++] = url;
		if (l->token)
			argv[n++] = "--token", argv[n++] = l->token;
		if (l->user)
			argv[n++] = "--user", argv[n++] = l->user;
		argv[n++] = job;
		argv[n] = NULL;
		regress_proc_run(&p, SUBMIT_TIMEOUT_S, argv);
		regress_log_proc(r, "tessera lab lava submit", &p);
		regress_proc_free(&p);
		json_decref(root);
		root = json_load_file(summary, 0, NULL);
		json_t *e = summary_entry(root);
		if (e && !json_is_true(json_object_get(e, "infrastructure"))) {
			json_incref(e); /* the caller's; root goes */
			json_decref(root);
			return e;
		}
		char line[600];
		int k = snprintf(line, sizeof(line),
				 "== LAVA job %s failed for an infrastructure reason: %s%s\n",
				 e ? jstr(e, "job_id") : "-", e ? jstr(e, "problem") : "no job was submitted",
				 a < ATTEMPTS ? "; submitting it again" : "");
		regress_log(r, line, (size_t)k < sizeof(line) ? (size_t)k : sizeof(line) - 1);
	}
	json_decref(root);
	return NULL;
}

int regress_boot_lava(const struct regress_ctx *ctx, struct regress_result *r, const char *what,
		      const char *config, const char *name, struct regress_console *out)
{
	char dir[4200], job[4400];
	struct regress_proc p;
	const char *argv[16] = {ctx->tessera, "lab", "lava", "render", "--config",
				config,	      "-o",  dir,    "--name", name};
	int n = 10;

	memset(out, 0, sizeof(*out));
	out->status = -1;
	snprintf(dir, sizeof(dir), "%s/lava-%s", ctx->tmp, name);
	snprintf(job, sizeof(job), "%s/%s.yaml", dir, name);
	mkdir(dir, 0755);
	if (ctx->lava->base_url)
		argv[n++] = "--base-url", argv[n++] = ctx->lava->base_url;
	if (ctx->append)
		argv[n++] = "--append", argv[n++] = ctx->append;
	argv[n] = NULL;
	regress_proc_run(&p, RENDER_TIMEOUT_S, argv);
	regress_log_proc(r, "tessera lab lava render", &p);
	int rendered = p.status;
	regress_proc_free(&p);
	json_t *e = rendered || regress_stopping() ? NULL : submit(ctx, r, dir, job);
	if (!e) {
		snprintf(out->summary, sizeof(out->summary), "%s",
			 rendered ? "the job could not be rendered" : "no LAVA job gave a result");
		out->text = strdup("");
		return out->status;
	}
	char console[4200];
	snprintf(console, sizeof(console), "%s/console.txt", jstr(e, "out"));
	out->text = read_text(console);
	const char *problem = jstr(e, "problem");
	bool complete = json_is_true(json_object_get(e, "complete"));
	out->status = !out->text						  ? 1
		      : strstr(out->text, "] shutdown: ") && complete		  ? 0
		      : strstr(problem, "imed out") || strstr(problem, "timeout") ? 124
										  : 1;
	out->timed_out = out->status == 124;
	snprintf(out->summary, sizeof(out->summary), "LAVA job %s: %s", jstr(e, "job_id"),
		 complete     ? "complete"
		 : problem[0] ? problem
			      : "incomplete");
	if (!out->text)
		out->text = strdup("");
	char head[512];
	int k = snprintf(head, sizeof(head), "== %s (as LAVA job %s, exit status %d: %s)\n", what,
			 jstr(e, "job_id"), out->status, out->summary);
	regress_log(r, head, (size_t)k < sizeof(head) ? (size_t)k : sizeof(head) - 1);
	regress_log(r, out->text, strlen(out->text));
	json_decref(e);
	return out->status;
}
