/* `tessera bench compare`: a results database's two configurations, or two Google Benchmark JSON files. */
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_lab.h"
#include "compare.h"
#include "compare_db.h"
#include "compare_gbjson.h"
#include "plan.h"

static const char usage[] =
	"usage: tessera bench compare DB [--baseline A --contender B] [--run ID] [options]\n"
	"       tessera bench compare OLD.json NEW.json [options]\n"
	"\n"
	"Per metric: the medians, the ratio contender/baseline with its 95% CI (percentile bootstrap, 10000\n"
	"resamples, seeded; with fewer than 10 observations a side, the exact rank CI), the Mann-Whitney U\n"
	"p-value, Holm-adjusted over the metrics, the Hodges-Lehmann shift with its CI, the smallest effect\n"
	"the data could detect, and a verdict: faster, slower, equivalent (within the margin, two one-sided\n"
	"tests) or inconclusive. Metrics with 2+ equal observations a side are compared exactly.\n"
	"From a database: the newest finished bench run (or --run ID), its two configurations (or those\n"
	"named). From JSON (Google Benchmark's, from any producer): repetitions grouped by run_name,\n"
	"aggregates skipped.\n"
	"\n"
	"  --baseline A, --contender B   configurations of the run\n"
	"  --run ID                      the run (default: the newest finished bench run)\n"
	"  --margin M                    equivalence margin, e.g. 2% (default) or 0.05\n"
	"  --alpha A                     call faster/slower only below this Holm-adjusted p (default 0.05)\n"
	"  --format text|json            (default text)\n"
	"  --seed N                      the bootstrap's seed (default 1)\n"
	"  --resamples N                 bootstrap resamples (default 10000)\n"
	"  --fail-on-slower              exit 1 when any metric is slower (for scripts and bisect)\n"
	"\n"
	"Exit status: 0 compared, 1 a metric is slower with --fail-on-slower (or a database error), 2 bad "
	"input.\n";

struct opts {
	const char *pos[3];
	int npos;
	const char *baseline, *contender, *format;
	uint64_t run, seed, resamples;
	bool fail_on_slower;
	struct compare_options c;
};

static int parse(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){.format = "text", .seed = 1, .c = {.margin = 0.02}};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(a, "--fail-on-slower")) {
			o->fail_on_slower = true;
		} else if (a[0] == '-' && a[1]) {
			if (!next) {
				fprintf(stderr, "tessera bench compare: %s wants a value\n%s", a, usage);
				return 2;
			}
			i++;
			if (!strcmp(a, "--baseline")) {
				o->baseline = next;
			} else if (!strcmp(a, "--contender")) {
				o->contender = next;
			} else if (!strcmp(a, "--format")) {
				if (strcmp(next, "text") && strcmp(next, "json")) {
					fprintf(stderr,
						"tessera bench compare: --format is text or json, not '%s'\n",
						next);
					return 2;
				}
				o->format = next;
			} else if (!strcmp(a, "--margin")) {
				if (bench_parse_margin("compare", next, &o->c.margin))
					return 2;
			} else if (!strcmp(a, "--alpha")) {
				char *end;
				o->c.alpha = strtod(next, &end);
				if (end == next || *end || !(o->c.alpha > 0 && o->c.alpha < 1)) {
					fprintf(stderr,
						"tessera bench compare: --alpha wants a level between 0 and "
						"1, "
						"e.g. 0.01, not '%s'\n",
						next);
					return 2;
				}
			} else if (!strcmp(a, "--run")) {
				if (bench_parse_u64("compare", a, next, INT64_MAX, &o->run))
					return 2;
			} else if (!strcmp(a, "--seed")) {
				if (bench_parse_u64("compare", a, next, UINT32_MAX, &o->seed))
					return 2;
			} else if (!strcmp(a, "--resamples")) {
				if (bench_parse_u64("compare", a, next, 1000000, &o->resamples) ||
				    o->resamples < 100) {
					fprintf(stderr,
						"tessera bench compare: --resamples wants 100..1000000\n");
					return 2;
				}
			} else {
				fprintf(stderr, "tessera bench compare: unknown option '%s'\n%s", a, usage);
				return 2;
			}
		} else if (o->npos < 3) {
			o->pos[o->npos++] = a;
		}
	}
	if (o->npos < 1 || o->npos > 2) {
		fprintf(stderr, "tessera bench compare: wants DB, or OLD.json NEW.json\n%s", usage);
		return 2;
	}
	if (o->npos == 2 && (o->baseline || o->contender || o->run)) {
		fprintf(stderr,
			"tessera bench compare: --baseline, --contender and --run are for a database\n");
		return 2;
	}
	o->c.seed = o->seed;
	o->c.resamples = (unsigned int)o->resamples;
	return -1;
}

/* The two configurations to compare: as named, or the run's only two (the plan's first is the baseline). */
static int pick_configs(struct results_db *db, int64_t run, struct opts *o, char names[][256])
{
	size_t n = dbset_configurations(db, run, names, DBSET_MAX_CONFIGS);
	if (o->baseline && o->contender) {
		if (!strcmp(o->baseline, o->contender)) {
			fprintf(stderr, "tessera bench compare: baseline and contender are both '%s'\n",
				o->baseline);
			return 2;
		}
		return 0;
	}
	if (o->baseline || o->contender || n != 2) {
		fprintf(stderr, "tessera bench compare: %s: run %lld has %zu configurations:", db->path,
			(long long)run, n);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, " %s", names[i]);
		fprintf(stderr, "; name both --baseline and --contender\n");
		return 2;
	}
	size_t first = dbset_plan_first(db, run, names, n);
	o->baseline = names[first];
	o->contender = names[1 - first];
	return 0;
}

static int load_db(struct opts *o, struct sample_set *s)
{
	struct results_db db;
	static char names[DBSET_MAX_CONFIGS][256];
	if (results_db_open_existing(&db, o->pos[0]))
		return 2;
	int64_t run = o->run ? (int64_t)o->run : results_db_latest_run(&db);
	int ret = pick_configs(&db, run, o, names);
	if (!ret)
		ret = dbset_load(&db, run, o->baseline, o->contender, s);
	results_db_close(&db);
	return ret;
}

int bench_cmd_compare(int argc, char **argv)
{
	struct opts o;
	struct sample_set s = {0};
	int ret = parse(argc, argv, &o);
	if (ret >= 0)
		return ret;
	if (o.npos == 2)
		ret = gbjson_load(o.pos[0], SIDE_BASELINE, &s) ?: gbjson_load(o.pos[1], SIDE_CONTENDER, &s);
	else
		ret = load_db(&o, &s);
	if (!ret && !s.nr) {
		fprintf(stderr, "tessera bench compare: no samples to compare\n");
		ret = 2;
	}
	if (ret) {
		sample_set_free(&s);
		return ret;
	}
	struct compare_result r;
	compare_compute(&s, &o.c, &r);
	if (!r.n) {
		/* Every metric is on one side only: nothing to compare is bad input, not a result. */
		fprintf(stderr,
			"tessera bench compare: no metric in common between the baseline and the contender "
			"(%zu metrics, each on one side only)\n",
			s.nr);
		compare_result_free(&r);
		sample_set_free(&s);
		return 2;
	}
	if (!strcmp(o.format, "json"))
		compare_print_json(stdout, &s, &o.c, &r);
	else
		compare_print_text(stdout, &s, &o.c, &r);
	for (size_t i = 0; i < r.n && o.fail_on_slower; i++)
		if (r.c[i].verdict == VERDICT_SLOWER)
			ret = 1;
	compare_result_free(&r);
	sample_set_free(&s);
	return ret;
}
