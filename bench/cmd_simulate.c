/*
 * `tessera bench simulate`: a run of simulated samples written through the results database's API, so
 * that compare, export, report and history can be tried (and tested) before `bench run` boots real
 * workloads. The run is marked as such: its plan is "simulated". Three metrics per boot, with noise of
 * known shape: cpu/time (ns, lognormal, sigma 3%), ipc/throughput (msgs/s, normal, CV 3%) and
 * hypercall/instructions (a deterministic count: the same in every iteration). Boots of the
 * configurations are interleaved in a random order drawn from the seed, as bench run does.
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_lab.h"
#include "results_db.h"

static const char usage[] =
	"usage: tessera bench simulate -o DB [options] CONFIG[=RATIO]...\n"
	"\n"
	"Adds one run of simulated samples to DB (created if absent): each CONFIG's boots, interleaved in a\n"
	"random order, with its metrics scaled by RATIO (default 1: same as the first). Metrics: cpu/time\n"
	"(ns, lognormal noise), ipc/throughput (msgs/s, normal noise), hypercall/instructions (exact).\n"
	"\n"
	"  --boots N         boots per configuration (default 10)\n"
	"  --iterations N    measured iterations per boot (default 20), after 2 warm-up iterations\n"
	"  --noise F         relative noise (default 0.03)\n"
	"  --seed N          (default 1)\n"
	"  --revision REV    the git revision recorded for the run (default: simulated)\n"
	"\n"
	"Exit status: 0 written, 1 database error, 2 bad input.\n";

#define MAX_CONFIGS 16

struct sim {
	const char *db, *revision;
	uint64_t boots, iterations, seed;
	double noise;
	char names[MAX_CONFIGS][128];
	double ratio[MAX_CONFIGS];
	int nr;
};

static int parse(int argc, char **argv, struct sim *s)
{
	*s = (struct sim){.revision = "simulated", .boots = 10, .iterations = 20, .seed = 1, .noise = 0.03};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (a[0] == '-' && next) {
			i++;
			if (!strcmp(a, "-o")) {
				s->db = next;
			} else if (!strcmp(a, "--revision")) {
				s->revision = next;
			} else if (!strcmp(a, "--boots")) {
				if (bench_parse_u64("simulate", a, next, 1000, &s->boots) || !s->boots)
					return 2;
			} else if (!strcmp(a, "--iterations")) {
				if (bench_parse_u64("simulate", a, next, 100000, &s->iterations) ||
				    !s->iterations)
					return 2;
			} else if (!strcmp(a, "--seed")) {
				if (bench_parse_u64("simulate", a, next, UINT32_MAX, &s->seed))
					return 2;
			} else if (!strcmp(a, "--noise")) {
				if (bench_parse_fraction("simulate", a, next, true, &s->noise))
					return 2;
			} else {
				fprintf(stderr, "tessera bench simulate: unknown option '%s'\n%s", a, usage);
				return 2;
			}
		} else if (a[0] != '-' && s->nr < MAX_CONFIGS) {
			const char *eq = strchr(a, '=');
			size_t len = eq ? (size_t)(eq - a) : strlen(a);
			char *end = NULL;
			double r = eq ? strtod(eq + 1, &end) : 1;
			if (!len || len >= sizeof(s->names[0]) || (eq && (*end || !(r > 0)))) {
				fprintf(stderr,
					"tessera bench simulate: '%s' is not CONFIG or CONFIG=RATIO\n", a);
				return 2;
			}
			snprintf(s->names[s->nr], sizeof(s->names[0]), "%.*s", (int)len, a);
			s->ratio[s->nr++] = r;
		} else {
			fprintf(stderr, "tessera bench simulate: unexpected '%s'\n%s", a, usage);
			return 2;
		}
	}
	if (!s->db || !s->nr) {
		fprintf(stderr, "tessera bench simulate: wants -o DB and at least one CONFIG\n%s", usage);
		return 2;
	}
	return -1;
}

static int simulate(struct sim *s, struct results_db *db)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, (unsigned long)s->seed);
	size_t total = (size_t)s->boots * (size_t)s->nr, per = 3 * (size_t)(s->iterations + 2);
	size_t *order = malloc(total * sizeof(*order));
	struct rdb_sample *smp = malloc(per * sizeof(*smp));
	if (!order || !smp)
		abort();
	for (size_t i = 0; i < total; i++)
		order[i] = i;
	gsl_ran_shuffle(rng, order, total, sizeof(*order));
	int64_t run;
	int ret = results_db_run_begin(db,
				       &(struct rdb_run){.kind = "bench",
							 .plan = "simulated",
							 .git_revision = s->revision,
							 .seed = s->seed,
							 .mode = "wallclock",
							 .qemu_cmdline = "(simulated: no QEMU)"},
				       &run);
	for (size_t pos = 0; !ret && pos < total; pos++) {
		int k = (int)(order[pos] % (size_t)s->nr);
		unsigned int boot = (unsigned int)(order[pos] / (size_t)s->nr);
		double r = s->ratio[k], boot_effect = exp(gsl_ran_gaussian(rng, s->noise / 3));
		size_t n = 0;
		for (unsigned int it = 0; it < s->iterations + 2; it++) {
			bool warm = it < 2; /* warm-up: slower, discarded by every reader */
			double w = warm ? 1.5 : 1;
			smp[n++] = (struct rdb_sample){
				"cpu",
				"time",
				"ns",
				it,
				w * r * boot_effect * 1000 * exp(gsl_ran_gaussian(rng, s->noise)),
				warm};
			smp[n++] = (struct rdb_sample){"ipc",
						       "throughput",
						       "msgs/s",
						       it,
						       5e4 / (w * r) * (1 + gsl_ran_gaussian(rng, s->noise)),
						       warm};
			smp[n++] = (struct rdb_sample){"hypercall", "instructions", "insns",
						       it,	    round(700 * r), warm};
		}
		char now[40];
		results_db_now(now, sizeof(now));
		struct rdb_boot b = {.configuration = s->names[k],
				     .boot_index = boot,
				     .run_order = (unsigned int)pos,
				     .status = "done",
				     .started = now,
				     .ended = now,
				     .load_start = -1,
				     .load_end = -1};
		ret = results_db_add_boot(db, run, &b, smp, n, NULL);
	}
	if (!ret)
		ret = results_db_run_end(db, run, "done");
	if (!ret)
		printf("tessera bench simulate: run %lld: %zu boots of %d configurations into %s\n",
		       (long long)run, total, s->nr, s->db);
	free(order);
	free(smp);
	gsl_rng_free(rng);
	return ret ? 1 : 0;
}

int bench_cmd_simulate(int argc, char **argv)
{
	static struct sim s;
	int ret = parse(argc, argv, &s);
	if (ret >= 0)
		return ret;
	struct results_db db;
	if (results_db_open(&db, s.db))
		return 1;
	ret = simulate(&s, &db);
	results_db_close(&db);
	return ret;
}
