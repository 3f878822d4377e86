/*
 * `tessera bench bisect GOOD BAD -- CMD...`: git bisect run, with bench compare against GOOD as the test.
 * CMD is any command that writes results to the file named by $TESSERA_BENCH_OUT: Google Benchmark
 * JSON (from any producer) or a results database (bench run's). GOOD's results are measured
 * once; at each commit git bisect picks, `tessera bench bisect --step` runs CMD again and exits 1 (bad)
 * when a metric is slower than at GOOD, 0 when none is, 125 (skip) when CMD fails.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lab/host_files.h"
#include "bench_lab.h"
#include "compare.h"
#include "compare_db.h"
#include "compare_gbjson.h"
#include "plan.h"

static const char usage[] =
	"usage: tessera bench bisect GOOD BAD [--metric NAME] [--config NAME] [--min-change P] -- CMD "
	"[ARG]...\n"
	"       tessera bench bisect GOOD BAD PLAN.yaml [--metric NAME] [--config NAME] [--min-change P]\n"
	"\n"
	"PLAN.yaml: CMD is ./tessera bench run PLAN.yaml -o $TESSERA_BENCH_OUT --no-compare at each commit\n"
	"(./tessera builds the commit first); --config names the configuration compared when the plan has\n"
	"several.\n"
	"In a clean git work tree: measures GOOD with CMD, then runs git bisect between GOOD and BAD; a\n"
	"commit is bad when bench compare calls a metric (every metric, or only --metric) slower than at\n"
	"GOOD (with --min-change P, e.g. 10%: slower by at least P, the whole 95% CI beyond it). CMD runs\n"
	"at the top of the work tree and writes its results to $TESSERA_BENCH_OUT: Google\n"
	"Benchmark JSON, or a results database (its latest run; --config names the configuration when it "
	"has\n"
	"several). A commit where CMD fails is skipped. Prints the first bad commit; the work tree is\n"
	"returned to where it was.\n"
	"\n"
	"Exit status: 0 found, 1 not found (or CMD failed at GOOD), 2 bad input.\n";

struct bopts {
	const char *good, *bad, *metric, *config, *step_baseline, *plan;
	double min_change; /* a slower verdict counts only when the CI excludes changes below this */
	struct compare_options c;
	char **cmd;
};

/*
 * Ctrl-C or SIGTERM: each child runs in its own process group (git bisect run, the step and CMD with all
 * their children), which gets the signal; once it has ended the work tree is put back (git bisect reset)
 * and bisect exits 130.
 */
static volatile sig_atomic_t stop_signal;
static volatile pid_t running_child;
static bool own_groups; /* the top level only: a step and its CMD stay in the top level's group */

static void on_signal(int sig)
{
	stop_signal = sig;
	if (running_child > 0)
		kill(-running_child, sig);
}

static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/*
 * Run argv (with TESSERA_BENCH_OUT=out when out), stdout to fd out_fd when >= 0; the exit status or -1.
 * At the top level the child gets a process group of its own from before its exec, so that a stop
 * reaches git bisect run and all its children and a terminal's Ctrl-C does not cut a git checkout short.
 */
static int run(char *const argv[], const char *out, int out_fd)
{
	struct lab_spawn_opts o = {.own_group = own_groups,
				   .stdout_fd = out_fd,
				   .env_name = out ? "TESSERA_BENCH_OUT" : NULL,
				   .env_value = out};
	pid_t pid = lab_spawn_with(argv, &o);
	if (pid < 0)
		return -1;
	running_child = pid;
	int status = lab_wait(pid);
	running_child = 0;
	return status;
}

/* The first line git prints for args, into buf; the exit status. */
static int git(char *buf, size_t len, char *const args[])
{
	int fds[2];
	if (pipe(fds))
		return -1;
	char *argv[16] = {"git"};
	for (int i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	int status = run(argv, NULL, fds[1]);
	close(fds[1]);
	ssize_t n = read(fds[0], buf, len - 1);
	close(fds[0]);
	buf[n > 0 ? n : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return status;
}

/* Load one side from FILE: a results database (by its header) or Google Benchmark JSON. */
static int load(const char *path, const char *config, enum sample_side side, struct sample_set *s)
{
	char magic[16] = "";
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "tessera bench bisect: the command wrote no %s\n", path);
		return 2;
	}
	size_t n = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	if (n < 16 || memcmp(magic, "SQLite format 3", 16))
		return gbjson_load(path, side, s);
	struct results_db db;
	static char names[DBSET_MAX_CONFIGS][256];
	if (results_db_open_existing(&db, path))
		return 2;
	int64_t run_id = results_db_latest_run(&db);
	size_t k = dbset_configurations(&db, run_id, names, DBSET_MAX_CONFIGS);
	int ret = 2;
	if (config)
		ret = dbset_load_one(&db, run_id, config, side, s);
	else if (k == 1)
		ret = dbset_load_one(&db, run_id, names[0], side, s);
	else
		fprintf(stderr, "tessera bench bisect: %s has %zu configurations: name one with --config\n",
			path, k);
	results_db_close(&db);
	return ret;
}

/* git bisect run's test: 0 good, 1 bad (slower), 125 skip. */
static int step(const struct bopts *o)
{
	char out[PATH_MAX];
	snprintf(out, sizeof(out), "%s.step", o->step_baseline);
	unlink(out);
	if (run(o->cmd, out, -1) != 0) {
		fprintf(stderr, "tessera bench bisect: the command failed here: skipping this commit\n");
		return 125;
	}
	struct sample_set s = {0};
	int ret = load(o->step_baseline, o->config, SIDE_BASELINE, &s)
			  ?: load(out, o->config, SIDE_CONTENDER, &s);
	if (ret) {
		sample_set_free(&s);
		return 125;
	}
	struct compare_result r;
	compare_compute(&s, &o->c, &r);
	compare_print_text(stdout, &s, &o->c, &r);
	bool slower = false, seen = !o->metric;
	for (size_t i = 0; i < r.n; i++) {
		bool chosen = !o->metric || !strcmp(s.metrics[r.metric[i]].name, o->metric);
		seen |= chosen;
		const struct stats_comparison *c = &r.c[i];
		/* Slower by at least min_change: the whole CI beyond it (a cost's ratio above, a rate's below). */
		bool big = c->lower_is_better ? c->ratio_lo > 1 + o->min_change
					      : c->ratio_hi < 1 / (1 + o->min_change);
		slower |= chosen && c->verdict == VERDICT_SLOWER && big;
	}
	if (!seen)
		fprintf(stderr, "tessera bench bisect: no metric '%s' here: skipping this commit\n",
			o->metric);
	compare_result_free(&r);
	sample_set_free(&s);
	return !seen ? 125 : slower ? 1 : 0;
}

static int parse(int argc, char **argv, struct bopts *o)
{
	*o = (struct bopts){.c = {.margin = 0.02, .seed = 1}};
	int i;
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (a[0] == '-' && next) {
			i++;
			if (!strcmp(a, "--metric"))
				o->metric = next;
			else if (!strcmp(a, "--config"))
				o->config = next;
			else if (!strcmp(a, "--step"))
				o->step_baseline = next;
			else if (!strcmp(a, "--margin")) {
				if (bench_parse_margin("bisect", next, &o->c.margin))
					return 2;
			} else if (!strcmp(a, "--min-change")) {
				if (bench_parse_change("bisect", next, &o->min_change))
					return 2;
			} else {
				fprintf(stderr, "tessera bench bisect: unknown option '%s'\n%s", a, usage);
				return 2;
			}
		} else if (a[0] != '-' && !o->good) {
			o->good = a;
		} else if (a[0] != '-' && !o->bad) {
			o->bad = a;
		} else if (a[0] != '-' && !o->plan) {
			o->plan = a;
		} else {
			fprintf(stderr, "tessera bench bisect: unexpected '%s'\n%s", a, usage);
			return 2;
		}
	}
	if (o->plan && !o->step_baseline) {
		/* GOOD BAD PLAN: at each commit, build it (./tessera builds what changed) and run the plan
		 * there; the plan by its real path, so that its relative system configs still resolve */
		static char real[PATH_MAX];
		static char *plan_cmd[] = {
			"/bin/sh",
			"-c",
			"exec ./tessera bench run \"$1\" -o \"$TESSERA_BENCH_OUT\" --no-compare",
			"tessera-bench-bisect",
			real,
			NULL};
		if (i < argc || !realpath(o->plan, real)) {
			fprintf(stderr, "tessera bench bisect: %s\n%s",
				i < argc ? "wants GOOD BAD PLAN or GOOD BAD -- CMD, not both"
					 : "cannot find the plan",
				usage);
			return 2;
		}
		/* check the plan here, with bench run's loader, before any checkout: a bad plan is bad
		 * input (exit 2, FILE:LINE:COL), not a command that failed at GOOD */
		struct plan *p = calloc(1, sizeof(*p));
		struct config_diag diag;
		if (!p)
			return 1;
		if (plan_load(real, p, &diag)) {
			config_diag_print(o->plan, &diag);
			free(p);
			return 2;
		}
		plan_free(p);
		free(p);
		o->cmd = plan_cmd;
		return -1;
	}
	if (i + 1 >= argc || o->plan || (!o->step_baseline && (!o->good || !o->bad))) {
		fprintf(stderr, "tessera bench bisect: wants GOOD BAD PLAN or GOOD BAD -- CMD\n%s", usage);
		return 2;
	}
	o->cmd = argv + i + 1;
	return -1;
}

/* EXE bench bisect --step BASE --margin M --min-change P [--metric M] [--config C] -- CMD... into argv. */
static void step_argv(const struct bopts *o, char *exe, const char *baseline, char **argv, int max)
{
	static char margin[32], min_change[32];
	snprintf(margin, sizeof(margin), "%.17g", o->c.margin);
	snprintf(min_change, sizeof(min_change), "%.17g", o->min_change);
	char *head[] = {exe,	    "bench", "bisect",	     "--step",	(char *)baseline,
			"--margin", margin,  "--min-change", min_change};
	int k = 0;
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		argv[k++] = head[i];
	if (o->metric) {
		argv[k++] = "--metric";
		argv[k++] = (char *)o->metric;
	}
	if (o->config) {
		argv[k++] = "--config";
		argv[k++] = (char *)o->config;
	}
	argv[k++] = "--";
	for (int i = 0; o->cmd[i] && k < max - 1; i++)
		argv[k++] = o->cmd[i];
	argv[k] = NULL;
}

/* Everything after git bisect start: run, read the answer, reset. */
static int bisect(const struct bopts *o, char *exe, const char *baseline, const char *good, const char *bad)
{
	char buf[256];
	if (git(buf, sizeof(buf), (char *[]){"bisect", "start", (char *)bad, (char *)good, NULL})) {
		fprintf(stderr, "tessera bench bisect: git bisect start failed\n");
		return 1;
	}
	char *argv[256] = {"git", "bisect", "run"};
	step_argv(o, exe, baseline, argv + 3, 253);
	int status = run(argv, NULL, -1);
	char first[64] = "";
	if (status == 0)
		git(first, sizeof(first), (char *[]){"rev-parse", "refs/bisect/bad", NULL});
	git(buf, sizeof(buf), (char *[]){"bisect", "reset", NULL});
	if (stop_signal) {
		fprintf(stderr, "tessera bench bisect: interrupted; the work tree is back where it was\n");
		return 130;
	}
	if (status || !first[0] || !strcmp(first, good)) {
		fprintf(stderr, "tessera bench bisect: git bisect found no first slower commit\n");
		return 1;
	}
	git(buf, sizeof(buf), (char *[]){"log", "-1", "--format=%h %s", first, NULL});
	printf("tessera bench bisect: first slower commit: %s %s\n", first, buf);
	return 0;
}

int bench_cmd_bisect(int argc, char **argv)
{
	struct bopts o;
	int ret = parse(argc, argv, &o);
	if (ret >= 0)
		return ret;
	if (o.step_baseline)
		return step(&o);
	char good[64], bad[64], buf[PATH_MAX], tmp[PATH_MAX], base[PATH_MAX + 8];
	if (git(buf, sizeof(buf), (char *[]){"rev-parse", "--show-toplevel", NULL}) || chdir(buf)) {
		fprintf(stderr, "tessera bench bisect: not inside a git work tree\n");
		return 2;
	}
	if (git(good, sizeof(good), (char *[]){"rev-parse", "--verify", "--quiet", (char *)o.good, NULL}) ||
	    git(bad, sizeof(bad), (char *[]){"rev-parse", "--verify", "--quiet", (char *)o.bad, NULL})) {
		fprintf(stderr, "tessera bench bisect: '%s' or '%s' is not a commit\n", o.good, o.bad);
		return 2;
	}
	if (git(buf, sizeof(buf), (char *[]){"status", "--porcelain", "--untracked-files=no", NULL}) ||
	    buf[0]) {
		fprintf(stderr,
			"tessera bench bisect: the work tree has changes: commit or stash them first\n");
		return 2;
	}
	char orig[256];
	if (git(orig, sizeof(orig), (char *[]){"symbolic-ref", "-q", "--short", "HEAD", NULL}))
		git(orig, sizeof(orig), (char *[]){"rev-parse", "HEAD", NULL});
	if (lab_make_scratch_dir(tmp, sizeof(tmp), "tessera-bisect")) {
		fprintf(stderr, "tessera bench bisect: cannot make a scratch directory: %s\n",
			strerror(errno));
		return 1;
	}
	snprintf(base, sizeof(base), "%s/good", tmp);
	/* git bisect run starts a copy of this executable at each step: CMD may rebuild out/ (the PLAN
	 * form does), and an older commit's tessera need not know --step */
	char exe[PATH_MAX], step_exe[PATH_MAX + 16];
	snprintf(step_exe, sizeof(step_exe), "%s/tessera", tmp);
	if (lab_exe_path(exe, sizeof(exe)) || run((char *[]){"cp", exe, step_exe, NULL}, NULL, -1)) {
		fprintf(stderr, "tessera bench bisect: cannot copy %s to %s\n", exe, step_exe);
		lab_remove_tree(tmp);
		return 1;
	}
	own_groups = true;
	catch_signals();
	git(buf, sizeof(buf), (char *[]){"checkout", "-q", "--detach", good, NULL});
	ret = run(o.cmd, base, -1);
	git(buf, sizeof(buf), (char *[]){"checkout", "-q", orig, NULL});
	if (stop_signal) {
		fprintf(stderr, "tessera bench bisect: interrupted while measuring GOOD\n");
		ret = 130;
	} else if (ret) {
		fprintf(stderr, "tessera bench bisect: the command failed at GOOD (%s): exit %d\n", o.good,
			ret);
		ret = 1;
	} else {
		/* git bisect takes BAD as bad without a test: measure it, so that a BAD no slower than
		 * GOOD is said to be so instead of being named the first slower commit */
		char *argv[256];
		step_argv(&o, step_exe, base, argv, 256);
		git(buf, sizeof(buf), (char *[]){"checkout", "-q", "--detach", bad, NULL});
		ret = run(argv, NULL, -1);
		git(buf, sizeof(buf), (char *[]){"checkout", "-q", orig, NULL});
		if (stop_signal) {
			ret = 130;
		} else if (ret == 0) {
			fprintf(stderr,
				"tessera bench bisect: BAD (%s) is not slower than GOOD: nothing to bisect\n",
				o.bad);
			ret = 1;
		} else if (ret != 1) {
			fprintf(stderr, "tessera bench bisect: BAD (%s) could not be measured (exit %d)\n",
				o.bad, ret);
			ret = 1;
		} else {
			ret = bisect(&o, step_exe, base, good, bad);
		}
	}
	lab_remove_tree(tmp); /* GOOD's results, the step's, the copied executable */
	return ret;
}
