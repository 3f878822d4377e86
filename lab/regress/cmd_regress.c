/*
 * `tessera lab regress [--baseline DB] [-o DB] [--steps LIST] [--append ARGS] [--margin PCT]`: the
 * regression suite (regress_steps.c) run on this machine, everything stored in the results database
 * (a run of plan "lab regress": one job of cases per step, one boot of metrics per step), then compared
 * with the baseline's latest completed regress run. Exit 0 no regression, 1 regressions (each named),
 * 2 bad input; 130/143 when stopped by SIGINT/SIGTERM.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../bench/results_db.h"
#include "../host_files.h"
#include "../run_record.h"
#include "regress.h"
#include "regress_compare.h"

#define PROG "tessera lab regress"

static const char usage[] =
	"usage: tessera lab regress [--baseline DB|REV] [-o DB] [--steps LIST] [--append ARGS] [--margin "
	"PCT]\n"
	"                           [--on local|lava:URL [--token T] [--user U] [--base-url URL]]\n"
	"       tessera lab regress --list\n"
	"\n"
	"Runs the regression suite on this machine (--list names its steps), stores every case, metric and\n"
	"log in the results database DB (-o, default out/results.db), and compares them with the latest\n"
	"completed regress run of the baseline database (--baseline; it may be the same file). A git\n"
	"revision instead (--baseline HEAD~3): built in a scratch clone, its own suite run there once\n"
	"and kept in out/regress-baselines/REV.db for later runs.\n"
	"  --steps LIST   only these steps, comma-separated (default: all)\n"
	"  --append ARGS  more hypervisor command line for every boot (e.g. a planted regression)\n"
	"  --margin PCT   how much worse a metric may be (default 0: the figures are exact)\n"
	"  --on lava:URL  the probe, bench and campaign steps' boots as LAVA jobs on an instance (lava:\n"
	"                 alone: the local one of `tessera lab lava up`; --token T, --user U and\n"
	"                 --base-url URL as for bench run --on); the other steps need this machine and\n"
	"                 say so. --on local (the default): every boot here.\n"
	"A regression: a case that now fails (and did not in the baseline), a case or metric gone, a step\n"
	"that could not judge, a metric worse than the baseline's beyond the margin. Without --baseline,\n"
	"every failed case is one.\n"
	"Exit status: 0 no regression, 1 regressions (each named on its own line), 2 bad input.\n";

struct opts {
	const char *baseline, *db, *steps, *append, *on;
	struct regress_lava lava;
	double margin;
};

static bool step_selected(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && !strncmp(p, name, n))
			return true;
		p += len + (p[len] == ',');
	}
	return !list;
}

static int parse(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			exit(0);
		} else if (!strcmp(a, "--list")) {
			for (size_t s = 0; s < regress_steps_count; s++)
				printf("%-10s %s\n", regress_steps[s].name, regress_steps[s].what);
			exit(0);
		} else if (!strcmp(a, "--baseline") && v) {
			o->baseline = v, i++;
		} else if (!strcmp(a, "-o") && v) {
			o->db = v, i++;
		} else if (!strcmp(a, "--steps") && v) {
			o->steps = v, i++;
		} else if (!strcmp(a, "--append") && v) {
			o->append = v, i++;
		} else if (!strcmp(a, "--on") && v) {
			o->on = v, i++;
		} else if (!strcmp(a, "--token") && v) {
			o->lava.token = v, i++;
		} else if (!strcmp(a, "--user") && v) {
			o->lava.user = v, i++;
		} else if (!strcmp(a, "--base-url") && v) {
			o->lava.base_url = v, i++;
		} else if (!strcmp(a, "--margin") && v) {
			char *end;
			o->margin = strtod(v, &end) / 100;
			if (end == v || (*end && strcmp(end, "%")) || o->margin < 0 || o->margin > 10) {
				fprintf(stderr, "%s: --margin wants a percentage 0..1000, not '%s'\n", PROG,
					v);
				return 2;
			}
			i++;
		} else {
			fprintf(stderr, "%s: unknown or incomplete option '%s'\n%s", PROG, a, usage);
			return 2;
		}
	}
	if (o->on && strcmp(o->on, "local") && strncmp(o->on, "lava:", 5)) {
		fprintf(stderr,
			"%s: --on: expected local, lava: (the local instance) or lava:URL, not '%s'\n", PROG,
			o->on);
		return 2;
	}
	if (o->on && !strcmp(o->on, "local"))
		o->on = NULL;
	if (!o->on && (o->lava.token || o->lava.user || o->lava.base_url)) {
		fprintf(stderr, "%s: --token, --user and --base-url go with --on lava:URL\n", PROG);
		return 2;
	}
	o->lava.on = o->on;
	for (const char *p = o->steps; p && *p;) {
		size_t len = strcspn(p, ","), s;
		for (s = 0; s < regress_steps_count; s++)
			if (strlen(regress_steps[s].name) == len && !strncmp(p, regress_steps[s].name, len))
				break;
		if (s == regress_steps_count) {
			fprintf(stderr, "%s: --steps: no step '%.*s' (see --list)\n", PROG, (int)len, p);
			return 2;
		}
		p += len + (p[len] == ',');
	}
	return 0;
}

/* Cases as a job of source "regress", metrics as one boot named after the step, in the run. */
static int store_step(struct results_db *db, int64_t run, unsigned int order, const char *name,
		      const struct regress_result *r)
{
	struct rdb_case *c = calloc(r->nr_cases + 1, sizeof(*c));
	struct rdb_sample *s = calloc(r->nr_metrics + 1, sizeof(*s));
	char **wl = calloc(r->nr_metrics + 1, sizeof(*wl));
	int ret = -1;

	if (!c || !s || !wl)
		goto out;
	for (size_t i = 0; i < r->nr_cases; i++)
		c[i] = (struct rdb_case){r->cases[i].name, r->cases[i].pass ? "pass" : "fail",
					 r->cases[i].detail};
	struct rdb_job j = {.run_id = run,
			    .source = "regress",
			    .name = name,
			    .health = r->complete ? "complete" : "incomplete",
			    .problems = r->problems[0] ? r->problems : NULL,
			    .duration_s = r->duration_s,
			    .log = r->log,
			    .log_len = r->log_len};
	if (results_db_add_job(db, &j, c, r->nr_cases, NULL))
		goto out;
	ret = 0;
	if (!r->nr_metrics)
		goto out;
	/* "exit_cost/hypercall/tracing_off": workload "exit_cost", metric "hypercall/tracing_off". */
	for (size_t i = 0; i < r->nr_metrics; i++) {
		const char *m = r->metrics[i].name, *slash = strchr(m, '/');
		wl[i] = strndup(m, slash ? (size_t)(slash - m) : strlen(m));
		s[i] = (struct rdb_sample){wl[i], slash ? slash + 1 : "value", r->metrics[i].unit,
					   0,	  r->metrics[i].value,	       false};
	}
	struct rdb_boot b = {.configuration = name, .boot_index = 0, .run_order = order, .status = "done"};
	ret = results_db_add_boot(db, run, &b, s, r->nr_metrics, NULL);
out:
	for (size_t i = 0; wl && i < r->nr_metrics; i++)
		free(wl[i]);
	free(wl);
	free(s);
	free(c);
	return ret;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned int count_failed(const struct regress_result *r)
{
	unsigned int n = 0;
	for (size_t i = 0; i < r->nr_cases; i++)
		n += !r->cases[i].pass;
	return n;
}

int cmd_regress(int argc, char **argv, const char *out_dir)
{
	struct opts o;
	struct regress_baseline base;
	struct results_db db;
	char tessera[PATH_MAX], root[PATH_MAX], tmp[PATH_MAX], rev[128], qemu[256], cmd[PATH_MAX + 128],
		dbdef[PATH_MAX];
	int ret = parse(argc, argv, &o);

	if (ret)
		return ret;
	snprintf(tessera, sizeof(tessera), "%s/tessera", out_dir);
	snprintf(cmd, sizeof(cmd), "%s/..", out_dir);
	if (!realpath(cmd, root)) {
		fprintf(stderr, "%s: cannot find the source tree above %s\n", PROG, out_dir);
		return 1;
	}
	snprintf(dbdef, sizeof(dbdef), "%s/results.db", out_dir);
	if (!o.db)
		o.db = dbdef;
	/* The baseline first: it may be the very file this run is about to be added to, or a revision to
	 * build and run (stopping that with Ctrl-C stops regress). */
	char base_db[PATH_MAX + 64];
	regress_signals_install();
	if (o.baseline &&
	    (ret = regress_baseline_resolve(root, out_dir, o.baseline, o.steps, base_db, sizeof(base_db))))
		return regress_stopping() ? (regress_stopping() == SIGINT ? 130 : 143) : ret;
	if (o.baseline)
		o.baseline = base_db;
	if (o.baseline && regress_baseline_load(o.baseline, &base))
		return 2;
	if (results_db_open(&db, o.db)) {
		if (o.baseline)
			regress_baseline_free(&base);
		return 1;
	}
	if (lab_make_scratch_dir(tmp, sizeof(tmp), "tessera-regress")) {
		perror(PROG ": scratch directory");
		results_db_close(&db);
		return 1;
	}
	/* The same revision and QEMU version as each boot's run record (lab/run_record.c) says. */
	run_record_git_revision(rev, sizeof(rev));
	run_record_qemu_version("qemu-system-x86_64", qemu, sizeof(qemu));
	struct rdb_run run = {.kind = "bench",
			      .plan = REGRESS_PLAN,
			      .git_revision = rev[0] ? rev : NULL,
			      .qemu_version = qemu[0] ? qemu : NULL,
			      .hv_cmdline = o.append,
			      .mode = "deterministic"};
	int64_t run_id;
	if (results_db_run_begin(&db, &run, &run_id)) {
		results_db_close(&db);
		return 1;
	}
	struct regress_ctx ctx = {tessera, root, o.append, tmp, o.on ? &o.lava : NULL};
	struct regress_result results[16];
	const char *names[16];
	size_t n = 0;
	bool complete = true;
	for (size_t s = 0; s < regress_steps_count && n < 16 && !regress_stopping(); s++) {
		if (!step_selected(o.steps, regress_steps[s].name))
			continue;
		struct regress_result *r = &results[n];
		memset(r, 0, sizeof(*r));
		r->complete = true;
		printf("lab regress: %s: %s\n", regress_steps[s].name, regress_steps[s].what);
		if (o.on && regress_steps[s].local_only)
			printf("lab regress: %s: on this machine, not %s: %s\n", regress_steps[s].name, o.on,
			       regress_steps[s].local_only);
		fflush(stdout);
		double t0 = now_s();
		regress_steps[s].run(&ctx, r);
		r->duration_s = now_s() - t0;
		if (regress_stopping())
			regress_incomplete(r, "interrupted");
		names[n] = regress_steps[s].name;
		printf("lab regress: %s: %zu cases, %u failed, %zu metrics, %.1f s%s%s\n", names[n],
		       r->nr_cases, count_failed(r), r->nr_metrics, r->duration_s,
		       r->complete ? "" : "; incomplete: ", r->complete ? "" : r->problems);
		fflush(stdout);
		if (store_step(&db, run_id, (unsigned int)n, names[n], r))
			regress_incomplete(r, "cannot store the results in %s", o.db);
		complete = complete && r->complete;
		n++;
	}
	int sig = regress_stopping();
	results_db_run_end(&db, run_id, sig ? "interrupted" : complete ? "done" : "failed");
	results_db_close(&db);
	if (lab_remove_tree(tmp))
		fprintf(stderr, "%s: cannot remove %s\n", PROG, tmp);
	if (sig) {
		fprintf(stderr, "%s: stopped; run %lld in %s is marked interrupted\n", PROG,
			(long long)run_id, o.db);
		for (size_t i = 0; i < n; i++)
			regress_result_free(&results[i]);
		if (o.baseline)
			regress_baseline_free(&base);
		return sig == SIGINT ? 130 : 143;
	}
	if (o.baseline)
		printf("lab regress: baseline: run %lld of %s (revision %s, %s)\n", (long long)base.run_id,
		       o.baseline, base.revision, base.started);
	unsigned int found = regress_compare(o.baseline ? &base : NULL, names, results, n, o.margin, stdout);
	size_t cases = 0, failed = 0, metrics = 0;
	for (size_t i = 0; i < n; i++) {
		cases += results[i].nr_cases;
		failed += count_failed(&results[i]);
		metrics += results[i].nr_metrics;
		regress_result_free(&results[i]);
	}
	printf("lab regress: %u regression%s; %zu cases (%zu failed), %zu metrics; stored as run %lld in "
	       "%s\n",
	       found, found == 1 ? "" : "s", cases, failed, metrics, (long long)run_id, o.db);
	if (o.baseline)
		regress_baseline_free(&base);
	return found ? 1 : 0;
}
