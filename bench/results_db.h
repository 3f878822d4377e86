/*
 * The one results database: SQLite in WAL mode, shared by the benchmark lab (runs, boots, raw samples) and
 * the fault-injection campaigns (experiments). The schema is versioned with PRAGMA user_version and is
 * documented, table by table, in docs/bench.md; results_db.c holds its only copy.
 *
 * Durability: every boot goes in with its samples in one transaction (results_db_add_boot), so a writer
 * killed at any moment leaves each boot either complete or absent, never partial.
 */
#ifndef TESSERA_BENCH_RESULTS_DB_H
#define TESSERA_BENCH_RESULTS_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RESULTS_DB_SCHEMA_VERSION 4 /* docs/bench.md: what each version added */

struct sqlite3;

struct results_db {
	struct sqlite3 *db;
	char path[4096];
};

/* The run record: what is needed to repeat a run (NULL strings are stored as NULL). */
struct rdb_run {
	const char *kind; /* "bench" or "campaign" */
	const char *plan, *git_revision, *config_hash, *image_hash;
	const char *qemu_version, *qemu_cmdline, *hv_cmdline;
	uint64_t seed;
	const char *mode; /* "deterministic" or "wallclock" */
	/* Host fingerprint; results_db_run_begin fills cpu, kernel, load_start and started when NULL/< 0. */
	const char *host_cpu, *host_kernel;
	double load_start;
	/* Since version 2 (bench run): the plan file's SHA-256 and the plan's equivalence margin (< 0: none) */
	const char *plan_sha256;
	double margin;
};

struct rdb_boot {
	const char *configuration;
	unsigned int boot_index; /* 0.. within its configuration */
	unsigned int run_order;	 /* 0.. position in the run's interleaved order */
	const char *status;	 /* "done", "failed" or "interrupted" */
	const char *started, *ended;
	double load_start, load_end;
	/* Since version 2: the workload the boot ran; its run record (JSON: docs/bench.md) */
	const char *workload, *record;
};

struct rdb_sample {
	const char *workload, *metric, *unit;
	unsigned int iteration;
	double value;
	bool warmup;
};

struct rdb_experiment {
	const char *campaign;
	unsigned int index;
	const char *fault; /* what is injected, where and when */
	uint64_t seed;
	double weight;	     /* how many fault-space points this experiment stands for */
	const char *outcome; /* NULL until judged */
	const char *status;  /* "planned", "running", "done" or "interrupted" */
	const char *started, *ended;
	int64_t duration_ns;
	const char *trace_excerpt;
};

/* One test case of a job: "cell/test" (LAVA, the probe) or "step/..." (lab regress); "pass" or "fail". */
struct rdb_case {
	const char *name, *result, *detail;
};

/* A unit that produced test cases: a LAVA job, or one step of lab regress (docs/bench.md, "jobs"). */
struct rdb_job {
	int64_t run_id;	    /* the run it belongs to (lab regress's), 0 for none */
	const char *source; /* "lava-run", "lava-submit" or "regress" */
	const char *name, *lava_id, *file;
	const char *health; /* "complete" or "incomplete" */
	const char *problems, *started, *ended;
	double duration_s; /* < 0: unknown */
	const char *log;   /* the whole log (LAVA's job log, or the step's output), or NULL */
	size_t log_len;
};

/*
 * Open (creating it and its schema if absent) the database at path. Refuses a file of a newer or unknown
 * schema version. Returns 0, or -1 with a message on stderr.
 */
int results_db_open(struct results_db *r, const char *path);
/* Open an existing database only (for readers: compare, export, report, history). */
int results_db_open_existing(struct results_db *r, const char *path);
void results_db_close(struct results_db *r);

/* Start a run (status "running"); *run_id receives its id. */
int results_db_run_begin(struct results_db *r, const struct rdb_run *run, int64_t *run_id);
/* End it: status "done", "failed" or "interrupted"; the load average and time at the end are recorded. */
int results_db_run_end(struct results_db *r, int64_t run_id, const char *status);

/* The QEMU version of a run whose boots name it in their records (kept when already set). */
int results_db_run_set_qemu(struct results_db *r, int64_t run_id, const char *qemu_version);

/* One boot and all its samples, in one transaction. *boot_id (may be NULL) receives its id. */
int results_db_add_boot(struct results_db *r, int64_t run_id, const struct rdb_boot *boot,
			const struct rdb_sample *samples, size_t nr_samples, int64_t *boot_id);
/* True when the run holds that boot (for --resume: a completed boot is never run twice). */
bool results_db_has_boot(struct results_db *r, int64_t run_id, const char *configuration, unsigned int index);

/* Insert or replace an experiment row (keyed by run and index), in its own transaction. */
int results_db_put_experiment(struct results_db *r, int64_t run_id, const struct rdb_experiment *e);

/*
 * Resume a run whose writer died: its experiments left "running" become "interrupted" (to be rerun;
 * completed ones stay as they are) and the run is "running" again. Returns how many were interrupted,
 * or -1.
 */
int results_db_resume(struct results_db *r, int64_t run_id);

/* One job and all its cases, in one transaction. *job_id (may be NULL) receives its id. */
int results_db_add_job(struct results_db *r, const struct rdb_job *job, const struct rdb_case *cases,
		       size_t nr_cases, int64_t *job_id);
/*
 * The latest bench run left unfinished ("running": its writer died; "interrupted": stopped by a signal),
 * 0 when none, -1 on error. Its plan hash goes into plan_sha256 ("" when NULL).
 */
int64_t results_db_unfinished_run(struct results_db *r, char *plan_sha256, size_t len);

/* One warm-up-free sample of a completed boot, as results_db_each_sample gives it. */
struct rdb_sample_row {
	int64_t boot_id;
	const char *configuration;
	const char *name; /* "workload/metric" */
	const char *unit;
	double value;
};

/* Called per row; the strings live until it returns. Non-zero stops the walk. */
typedef int (*results_db_sample_fn)(const struct rdb_sample_row *row, void *ctx);

/*
 * Every warm-up-free sample of the run's completed boots, of one configuration (all when NULL), ordered by
 * configuration, workload, metric, then boot (run order) and iteration: one metric's rows, and one boot's
 * within them, come together. Returns fn's first non-zero result, or 1 with a message on a database error.
 */
int results_db_each_sample(struct results_db *r, int64_t run, const char *config, results_db_sample_fn fn,
			   void *ctx);

/* The latest run's id (0 when none). */
int64_t results_db_latest_run(struct results_db *r);

/* The load average over the last minute (from /proc/loadavg), or -1. */
double results_db_loadavg(void);
/* The current time as ISO 8601 UTC with milliseconds, into buf. */
void results_db_now(char *buf, size_t len);

#endif
