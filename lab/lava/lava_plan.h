/*
 * A benchmark plan (bench/plan.h) as LAVA jobs (docs/lab.md, "Plans and campaigns on LAVA"): one job per
 * planned boot, booting exactly what `tessera bench run` boots for it (the same lab_system, through the
 * lab runner, captured just before QEMU would start), named and tagged with the boot it stands for; and
 * `tessera bench run PLAN --on lava:URL`, which submits the boots that are not in the database yet over
 * an instance's devices, resubmits jobs that failed for infrastructure reasons (each attempt stays in the
 * database's jobs table), and reads every boot's samples back from its job log with the bench parser.
 */
#ifndef TESSERA_LAB_LAVA_LAVA_PLAN_H
#define TESSERA_LAB_LAVA_LAVA_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include <stdbool.h>
#include <string.h>

#include "../../bench/plan.h"
#include "../../bench/results_db.h"

/* How often a boot is submitted before its infrastructure failures make it a failed boot. */
#define LAVA_PLAN_ATTEMPTS 3
/* fi campaign run --batch --on: experiments per batch job unless --batch-size says */
#define LAVA_BATCH_SIZE 16
/* the longest LAVA job we render: a day (a batch job's limit is capped here) */
#define LAVA_JOB_MAX_S 86400u

/* Where to run: "lava:URL" (an instance; "lava:" alone is the local one of `tessera lab lava up`). */
struct lava_target {
	const char *on, *token, *user;
	/* --base-url URL: where the database's DB.lava directory is served to the instance's workers
	 * (http(s) for a remote lab); each job's images are then URL/run-N/jobs/... (a plan) or
	 * URL/campaign-N/jobs/... (a campaign). NULL: file:// paths of this host. */
	const char *base_url;
	/* fi campaign run --batch: experiments in batches of at most batch_size per job (abi/batch.h) */
	bool batch;
	unsigned int batch_size;
};

/* An image URL prefix a LAVA job can use: http://, https:// or file://. */
static inline bool lava_base_url_ok(const char *url)
{
	return !strncmp(url, "http://", 7) || !strncmp(url, "https://", 8) || !strncmp(url, "file://", 7);
}

/*
 * The job of boot b (at position pos of the plan's order) into dir: NAME.yaml and NAME.bundle, and
 * dir/tessera-hv.elf; NAME is PLAN.CONFIGURATION.WORKLOAD.INDEX. Image URLs: file:// paths of dir, or
 * base_url. The job's path goes into job (size bytes). 0, 1 (cannot write) or 2 (bad plan or config).
 */
int lava_plan_render_boot(const struct plan *p, const struct plan_boot *b, unsigned int pos, const char *dir,
			  const char *base_url, char *job, size_t size);

/* `tessera lab lava render --plan PLAN -o DIR [--base-url URL]`: every boot's job, and DIR/jobs.tsv. */
int lava_plan_render_main(const char *plan_path, const char *dir, const char *base_url);

/*
 * The boots of run run_id that db does not hold yet, as LAVA jobs on t; each result into db as
 * `bench run` stores a local boot. Returns 0 (every boot done), 1 (a boot failed or the database
 * failed), 2 (bad --on), 130/143 (stopped: the run can be resumed).
 */
int lava_plan_run(struct results_db *db, int64_t run_id, const struct plan *p, const struct lava_target *t);

struct lab_system;
/*
 * The job that boots s as lab_run would (its modules bundled), into dir as NAME.yaml and NAME.bundle
 * (and dir/tessera-hv.elf), images at base (a URL prefix). The job's path into job. 0, 1 or 2 (bad input).
 */
int lava_render_system(struct lab_system *s, const char *dir, const char *base, const char *name,
		       const char *const *metadata, char *job, size_t size);
/* The images' URL prefix: base_url without trailing slashes, or file://dir when NULL. */
void lava_base_url(const char *dir, const char *base_url, char *base, size_t size);

/*
 * `lava_instance.py submit` of the n job files to t (its progress on stderr), each job's log and
 * console.txt under logs, each job stored in db_path, a JSON summary per job into summary (file,
 * job_id, out, log, health, complete, booted, infrastructure, problem, started, ended). Returns its exit
 * status: 0, 1 (a job failed, or the submission), 2 (bad --url/--token), 130/143 (stopped).
 */
int lava_submit(const char *db_path, const struct lava_target *t, const char *logs, const char *summary,
		const char *const *jobs, unsigned int n);

/* A copy of from at to. 0, or 1 with a message on stderr. */
int lava_copy_file(const char *from, const char *to);

#endif
