/*
 * `tessera bench run PLAN.yaml [-o DB] [--resume]`: every boot of a plan (plan.h) in its seeded
 * interleaved order, one database transaction per boot (results_db_add_boot), so that a run killed at any
 * moment keeps every boot it finished and --resume finishes it without running or counting any twice.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lab/host_files.h"
#include "../lab/lava/lava_plan.h"
#include "../lab/run_record.h"
#include "bench_lab.h"
#include "plan.h"
#include "results_db.h"
#include "run_boot.h"

#define DEFAULT_DB "bench-results.db" /* beside the executable: out/ for ./tessera */

static const char usage[] =
	"usage: tessera bench run PLAN.yaml [-o DB] [--resume] [--no-compare] [--dry-run]\n"
	"                         [--on lava:URL [--token TOKEN] [--user USER] [--base-url URL]]\n"
	"\n"
	"Boot every configuration of the plan with each of its workloads, its number of boots, in a random\n"
	"interleaved order drawn from the plan's seed, and record every sample in the results database\n"
	"(docs/bench.md). Each boot is committed on its own: a run killed at any point keeps its completed\n"
	"boots, and --resume continues the latest unfinished run of the same plan without repeating one.\n"
	"A boot that fails is recorded as failed. At the end each configuration is compared with the first\n"
	"(bench compare, with the plan's margin).\n"
	"\n"
	"  -o DB          the results database (default: " DEFAULT_DB " in the build directory, beside the\n"
	"                 tessera executable: out/" DEFAULT_DB " for ./tessera)\n"
	"  --resume       continue the latest unfinished run in DB (it must be of this plan)\n"
	"  --no-compare   do not print the comparisons at the end\n"
	"  --dry-run      check the plan and its system configs, print the boots in their order, boot "
	"nothing\n"
	"  --on lava:URL  boot on a LAVA instance's devices, one job per boot (lava: alone: the local\n"
	"                 instance of `tessera lab lava up`; docs/lab.md)\n"
	"  --base-url URL where the instance's workers fetch the images: DB.lava served at URL (http(s)\n"
	"                 for a remote lab; default: file:// paths of this host)\n"
	"\n"
	"Exit status: 0 every boot done, 1 a boot failed (it is recorded) or the database failed, 2 bad "
	"plan\n"
	"or options (nothing booted), 130/143 stopped by SIGINT/SIGTERM (the run is recorded as "
	"interrupted;\n"
	"--resume continues it).\n";

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

struct run_opts {
	const char *plan, *db;
	bool resume, no_compare, dry_run;
	struct lava_target lava; /* --on lava:URL: the boots as LAVA jobs (lab/lava/lava_plan.h) */
};

static int parse(int argc, char **argv, struct run_opts *o)
{
	*o = (struct run_opts){0};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(a, "-o") && i + 1 < argc) {
			o->db = argv[++i];
		} else if (!strcmp(a, "--resume")) {
			o->resume = true;
		} else if (!strcmp(a, "--no-compare")) {
			o->no_compare = true;
		} else if (!strcmp(a, "--dry-run")) {
			o->dry_run = true;
		} else if ((!strcmp(a, "--on") || !strcmp(a, "--token") || !strcmp(a, "--user") ||
			    !strcmp(a, "--base-url")) &&
			   i + 1 < argc) {
			*(a[2] == 'o'	? &o->lava.on
			  : a[2] == 't' ? &o->lava.token
			  : a[2] == 'u' ? &o->lava.user
					: &o->lava.base_url) = argv[++i];
		} else if (a[0] == '-' || o->plan) {
			fprintf(stderr, "tessera bench run: unexpected '%s'\n%s", a, usage);
			return 2;
		} else {
			o->plan = a;
		}
	}
	if (!o->plan || (o->lava.on && strncmp(o->lava.on, "lava:", 5))) {
		fprintf(stderr, "tessera bench run: %s\n%s",
			o->plan ? "--on: expected lava:URL" : "which plan?", usage);
		return 2;
	}
	if (o->lava.base_url && (!o->lava.on || !lava_base_url_ok(o->lava.base_url))) {
		fprintf(stderr, "tessera bench run: --base-url %s: %s\n", o->lava.base_url,
			o->lava.on ? "expected http://, https:// or file://" : "goes with --on lava:URL");
		return 2;
	}
	return -1;
}

static void fmt_duration(double s, char *buf, size_t size)
{
	long t = lround(s);
	if (t >= 3600)
		snprintf(buf, size, "%ldh%02ldm", t / 3600, t / 60 % 60);
	else if (t >= 60)
		snprintf(buf, size, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, size, "%lds", t);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The run to write into: a new one, or (--resume) the latest unfinished one, which must be this plan's. */
static int open_run(struct results_db *db, const struct plan *p, const struct run_opts *o, int64_t *run_id)
{
	if (o->resume) {
		char hash[80];
		int64_t id = results_db_unfinished_run(db, hash, sizeof(hash));
		if (id < 0)
			return 1;
		if (!id) {
			fprintf(stderr, "tessera bench run: %s: no unfinished run to resume\n", db->path);
			return 2;
		}
		if (strcmp(hash, p->sha256)) {
			fprintf(stderr,
				"tessera bench run: %s: the unfinished run %lld is of another plan (or of "
				"this "
				"file before it changed): sha256 %s, %s has %s\n",
				db->path, (long long)id, hash[0] ? hash : "(none)", p->path, p->sha256);
			return 2;
		}
		if (results_db_resume(db, id) < 0)
			return 1;
		*run_id = id;
		return 0;
	}
	struct lab_run_record rec = {0};
	struct lab_system s = {.seed = p->seed,
			       .mode = p->mode == PLAN_MODE_DETERMINISTIC ? LAB_MODE_DETERMINISTIC
									  : LAB_MODE_WALLCLOCK};
	run_record_begin(&rec, &s);
	struct rdb_run run = {
		.kind = "bench",
		.plan = p->path,
		.git_revision = rec.git_revision,
		.seed = p->seed,
		.mode = plan_mode_name(p->mode),
		.load_start = -1,
		.plan_sha256 = p->sha256,
		.margin = p->margin,
	};
	return results_db_run_begin(db, &run, run_id) ? 1 : 0;
}

/* Each configuration against the first, as `bench compare` prints it. */
static void compare_all(const struct plan *p, const char *db, int64_t run_id)
{
	char run[32], margin[32];

	snprintf(run, sizeof(run), "%lld", (long long)run_id);
	snprintf(margin, sizeof(margin), "%g", p->margin);
	for (unsigned int c = 1; c < p->nr_configs; c++) {
		char *argv[] = {"compare",     (char *)db,
				"--run",       run,
				"--baseline",  (char *)p->configs[0].name,
				"--contender", (char *)p->configs[c].name,
				"--margin",    margin,
				NULL};
		printf("\n$ tessera bench compare %s --run %s --baseline %s --contender %s --margin %s\n", db,
		       run, p->configs[0].name, p->configs[c].name, margin);
		fflush(stdout);
		bench_cmd_compare(10, argv);
	}
}

/* --dry-run: the plan as understood, and its boots in order. */
static int print_order(const struct plan *p)
{
	unsigned int n;
	struct plan_boot *order = plan_order(p, &n);

	if (!order)
		return 1;
	printf("plan %s (sha256 %s): %s, seed %llu, %u boots of %u iterations (+%u warm-up), margin %g\n",
	       p->path, p->sha256, plan_mode_name(p->mode), (unsigned long long)p->seed, n, p->iterations,
	       p->warmup, p->margin);
	for (unsigned int c = 0; c < p->nr_configs; c++) {
		const struct plan_config *pc = &p->configs[c];
		printf("configuration %s: tracing %s, neighbours %s, hypervisor \"%s\", qemu [", pc->name,
		       plan_tracing_name(pc->tracing), pc->neighbours ? "on" : "off", pc->hv_cmdline);
		for (int q = 0; q < (int)pc->nr_qemu_args; q++)
			printf("%s%s", q ? " " : "", pc->qemu_args[q]);
		printf("], host_cpus ");
		if (!pc->host_cpus)
			printf("any");
		for (unsigned int k = 0, first = 1; k < 64; k++)
			if (pc->host_cpus & (1ULL << k)) {
				printf("%s%u", first ? "" : ",", k);
				first = 0;
			}
		printf("\n");
		for (unsigned int w = 0; w < p->nr_workloads; w++)
			printf("  %s: %s\n", p->workloads[w], pc->system[w]);
	}
	for (unsigned int i = 0; i < n; i++)
		printf("%u %s %s #%u (boot_index %u)\n", i, p->configs[order[i].config].name,
		       p->workloads[order[i].workload], order[i].index, order[i].boot_index);
	free(order);
	return 0;
}

struct tally {
	unsigned int done, failed, skipped;
};

/* One boot of the order: run it and commit it. 0, 1 (database error) or the signal's exit status. */
static int do_boot(struct results_db *db, int64_t run_id, const struct plan *p, const struct plan_boot *b,
		   unsigned int pos, unsigned int total, double eta, struct tally *t)
{
	const struct plan_config *c = &p->configs[b->config];
	struct run_boot_result r;
	char eta_s[32] = "";

	if (eta >= 0)
		fmt_duration(eta, eta_s, sizeof(eta_s));
	fprintf(stderr, "tessera bench run: boot %u/%u: %s %s #%u%s%s\n", pos + 1, total, c->name,
		p->workloads[b->workload], b->index, eta >= 0 ? ", ETA " : "", eta_s);
	if (run_boot(p, c, b->workload, &r))
		return 1;
	if (r.exit_status == 130 || r.exit_status == 143 || stop_signal) {
		/* cut short by the user: not a result; --resume runs it again */
		int st = stop_signal == SIGTERM || r.exit_status == 143 ? 143 : 130;
		run_boot_release(&r);
		return st;
	}
	struct rdb_boot rb = {
		.configuration = c->name,
		.boot_index = b->boot_index,
		.run_order = pos,
		.status = r.ok ? "done" : "failed",
		.started = r.started,
		.ended = r.ended,
		.load_start = r.load_start,
		.load_end = r.load_end,
		.workload = p->workloads[b->workload],
		.record = r.record_json,
	};
	int ret =
		results_db_add_boot(db, run_id, &rb, r.ok ? r.samples : NULL, r.ok ? r.nr_samples : 0, NULL);
	if (!ret && r.qemu_version[0])
		ret = results_db_run_set_qemu(db, run_id, r.qemu_version);
	if (!ret && !r.ok)
		fprintf(stderr, "tessera bench run: boot %u/%u failed (recorded as failed): %s\n", pos + 1,
			total, r.why);
	if (r.ok)
		t->done++;
	else
		t->failed++;
	run_boot_release(&r);
	return ret ? 1 : 0;
}

static int run_plan(struct results_db *db, int64_t run_id, const struct plan *p)
{
	unsigned int total;
	struct plan_boot *order = plan_order(p, &total);
	struct tally t = {0};
	double spent = 0;
	unsigned int timed = 0;
	int ret = 0;

	if (!order) {
		fprintf(stderr, "tessera bench run: out of memory\n");
		return 1;
	}
	unsigned int todo = 0;
	for (unsigned int i = 0; i < total; i++)
		todo += !results_db_has_boot(db, run_id, p->configs[order[i].config].name,
					     order[i].boot_index);
	if (todo < total)
		fprintf(stderr, "tessera bench run: resuming run %lld: %u of %u boots recorded, %u to go\n",
			(long long)run_id, total - todo, total, todo);
	for (unsigned int i = 0; i < total && !ret && !stop_signal; i++) {
		const struct plan_boot *b = &order[i];
		if (results_db_has_boot(db, run_id, p->configs[b->config].name, b->boot_index)) {
			t.skipped++;
			continue;
		}
		double t0 = now_s();
		ret = do_boot(db, run_id, p, b, i, total, timed ? spent / timed * (todo - timed) : -1, &t);
		spent += now_s() - t0;
		timed++;
	}
	free(order);
	if (stop_signal && !ret)
		ret = stop_signal == SIGTERM ? 143 : 130;
	const char *status = ret >= 128 ? "interrupted" : ret || t.failed ? "failed" : "done";
	if (results_db_run_end(db, run_id, status) && !ret)
		ret = 1;
	fprintf(stderr, "tessera bench run: run %lld %s: %u boots done, %u failed, %u from before\n",
		(long long)run_id, status, t.done, t.failed, t.skipped);
	return ret ? ret : t.failed ? 1 : 0;
}

int bench_cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct plan *p;
	struct config_diag diag;
	struct results_db db;
	char db_path[4096];
	int64_t run_id = 0;
	int ret = parse(argc, argv, &o);

	if (ret >= 0)
		return ret;
	p = calloc(1, sizeof(*p));
	if (!p)
		return 1;
	if (plan_load(o.plan, p, &diag)) {
		config_diag_print(o.plan, &diag);
		free(p);
		return 2;
	}
	if (o.dry_run) {
		ret = print_order(p);
		plan_free(p);
		free(p);
		return ret;
	}
	if (o.db)
		snprintf(db_path, sizeof(db_path), "%s", o.db);
	else if (lab_path_beside_exe(db_path, sizeof(db_path), DEFAULT_DB))
		snprintf(db_path, sizeof(db_path), "%s", DEFAULT_DB);
	if (results_db_open(&db, db_path)) {
		plan_free(p);
		free(p);
		return 1;
	}
	ret = open_run(&db, p, &o, &run_id);
	if (!ret) {
		struct sigaction sa = {.sa_handler = on_stop}, old_int, old_term;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
		fprintf(stderr, "tessera bench run: %s: run %lld in %s (%s, seed %llu)\n", o.plan,
			(long long)run_id, db_path, plan_mode_name(p->mode), (unsigned long long)p->seed);
		ret = o.lava.on ? lava_plan_run(&db, run_id, p, &o.lava) : run_plan(&db, run_id, p);
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		if (ret < 2 && !o.no_compare)
			compare_all(p, db_path, run_id);
	}
	results_db_close(&db);
	plan_free(p);
	free(p);
	return ret;
}
