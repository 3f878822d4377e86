/*
 * `tessera lab regress` (docs/lab.md, "Regression"): the regression suite as a table of steps, each of
 * which boots systems (through lab_run, or `tessera` subcommands that use it) and returns test cases (pass/fail with a detail)
 * and metrics (exact figures); the whole result goes into the results database and is compared with a
 * baseline there.
 */
#ifndef TESSERA_LAB_REGRESS_H
#define TESSERA_LAB_REGRESS_H

#include <stdbool.h>
#include <stddef.h>

struct regress_case {
	char *name; /* "STEP/..." */
	bool pass;
	char *detail; /* why it failed, or NULL */
};

struct regress_metric {
	char *name; /* "WORKLOAD/METRIC", e.g. "exit_cost/hypercall/tracing_off" */
	char *unit; /* a cost (lower is better) unless it ends in "/s" */
	double value;
};

/* What one step found. complete is false when the step could not judge (a boot that did not finish). */
struct regress_result {
	struct regress_case *cases;
	size_t nr_cases, cap_cases;
	struct regress_metric *metrics;
	size_t nr_metrics, cap_metrics;
	char *log; /* what the step's commands and boots printed, and each boot's run record, for the DB */
	size_t log_len, log_cap;
	bool complete;
	char problems[512];
	double duration_s;
};

/* --on lava:URL: where the steps that can run as LAVA jobs run (regress_lava.c). */
struct regress_lava {
	const char *on; /* "lava:" (the local instance) or "lava:URL" */
	const char *token, *user, *base_url;
};

struct regress_ctx {
	const char *tessera;		 /* this executable: out/tessera */
	const char *root;		 /* the source tree (configs/, tests/configs/) */
	const char *append;		 /* more hypervisor command line for every boot, or NULL */
	const char *tmp;		 /* a scratch directory of this run */
	const struct regress_lava *lava; /* NULL: every boot on this machine */
};

struct regress_step {
	const char *name;
	const char *what;
	int (*run)(const struct regress_ctx *ctx, struct regress_result *res);
	/* Why the step boots on this machine even with --on lava:, or NULL when it runs there too. */
	const char *local_only;
};

/* The suite, in order; regress_steps_count entries. New kinds of steps (a plan, a campaign) go here. */
extern const struct regress_step regress_steps[];
extern const size_t regress_steps_count;

/* Result builders (regress_result.c); names and details are copied. */
void regress_add_case(struct regress_result *r, bool pass, const char *detail, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void regress_add_metric(struct regress_result *r, const char *name, const char *unit, double value);
void regress_log(struct regress_result *r, const char *text, size_t len);
void regress_incomplete(struct regress_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void regress_result_free(struct regress_result *r);

/* A child's run (regress_proc.c). */
struct regress_proc {
	int status; /* exit status, 128 + signal, or -1 when it could not start */
	bool timed_out;
	char *out, *err;
};

/*
 * Run argv (argv[0] a path) to its end or timeout_s, capturing stdout and stderr. A signal that asked
 * regress to stop (regress_stopping) is passed on to the child, which cleans up its own QEMU.
 */
void regress_proc_run(struct regress_proc *p, int timeout_s, const char *const *argv);
void regress_proc_free(struct regress_proc *p);
/* A child's output into the step's log, under "== what (exit status N)". */
void regress_log_proc(struct regress_result *r, const char *what, const struct regress_proc *p);
/* What one boot of a step printed on the console (regress_boot.c). */
struct regress_console {
	int status; /* as lab_run returns it (124 timeout), -1 when regress was stopping */
	bool timed_out;
	char summary[160]; /* lab_run's one line on how the boot ended */
	char *text;	   /* every console line, '\n' after each */
};

struct lab_system;
/*
 * Boot s through lab_run (the context's --append as its hypervisor command line), the console collected
 * into *out; the console, the summary and the boot's run record go into r's log under "== what".
 * Returns out->status. A SIGINT/SIGTERM during the boot stops regress too (regress_stopping).
 */
int regress_boot(const struct regress_ctx *ctx, struct regress_result *r, const char *what,
		 struct lab_system *s, struct regress_console *out);
void regress_console_free(struct regress_console *c);

/*
 * Boot config (with the context's --append) as a LAVA job on ctx->lava, as `tessera lab lava render`
 * and `submit` do for a user (regress_lava.c): a job that failed for an infrastructure reason is
 * submitted again, up to 3 times. The console comes from the job's log into *out, its status as lab_run
 * would give it (0 the end marker reached and the job complete, 124 LAVA's time limit, 1 otherwise);
 * the commands' output and the console go into r's log under "== what". Returns out->status.
 */
int regress_boot_lava(const struct regress_ctx *ctx, struct regress_result *r, const char *what,
		      const char *config, const char *name, struct regress_console *out);

/* The arguments that send a `tessera` subcommand's boots where ctx->lava says: "--on", on, [...], NULL
 * (at most 9 entries, into argv from *n on), nothing when ctx->lava is NULL. */
void regress_lava_args(const struct regress_ctx *ctx, const char **argv, int *n);

/*
 * --baseline SPEC: a file as it is; else a git revision of root, whose own suite (built in a scratch
 * worktree, run once with the steps it knows of `steps`, NULL: all) is stored in
 * out_dir/regress-baselines/SHA12.db (regress_baseline_rev.c). The path into out. 0, 1 failed, 2 neither.
 */
int regress_baseline_resolve(const char *root, const char *out_dir, const char *spec, const char *steps,
			     char *out, size_t size);

/* Install SIGINT/SIGTERM handlers; the signal number once one came, else 0. */
void regress_signals_install(void);
int regress_stopping(void);

#endif
