/*
 * `tessera bench export DB -o FILE.json`: a run's samples as Google Benchmark JSON, so that Google
 * Benchmark's own tools (compare.py) read our results: every warm-up-free sample is a repetition
 * (run_type "iteration", iterations 1), followed by the mean, median and stddev aggregates.
 * Time units become ns; other units (instructions, counts, rates) are written unconverted, their unit in
 * the extra key "tessera_unit" (compare.py ignores keys it does not know).
 */
#include <gsl/gsl_statistics_double.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "bench_lab.h"
#include "harness_report.h"
#include "results_db.h"
#include "sample_set.h"
#include "stats.h"

static const char usage[] =
	"usage: tessera bench export DB -o FILE.json [--run ID] [--config NAME]\n"
	"\n"
	"Writes a run's samples (warm-up excluded) as Google Benchmark JSON: one repetition per sample,\n"
	"then the mean, median and stddev aggregates. Benchmarks are named CONFIG/WORKLOAD/METRIC, or\n"
	"WORKLOAD/METRIC with --config (export two configurations to two files and compare.py compares\n"
	"them: /usr/bin/python3 /usr/share/benchmark/compare.py benchmarks A.json B.json).\n"
	"\n"
	"Exit status: 0 written, 1 could not write, 2 bad input.\n";

static double time_scale(const char *unit)
{
	static const struct {
		const char *u;
		double ns;
	} t[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(unit, t[i].u))
			return t[i].ns;
	return 0;
}

static void emit(json_t *list, const char *name, const char *unit, int family, const struct sample_vec *v)
{
	double scale = time_scale(unit);
	for (size_t i = 0; i < v->n; i++) {
		double x = v->v[i] * (scale ? scale : 1);
		json_t *run =
			bench_report_iteration(name, family, (unsigned int)v->n, (unsigned int)i, 1, x, x);
		if (!scale)
			json_object_set_new(run, "tessera_unit", json_string(unit));
		json_array_append_new(list, run);
	}
	double mean = gsl_stats_mean(v->v, 1, v->n) * (scale ? scale : 1);
	double med = stats_median(v->v, v->n) * (scale ? scale : 1);
	double sd = v->n > 1 ? gsl_stats_sd(v->v, 1, v->n) * (scale ? scale : 1) : 0;
	json_array_append_new(list,
			      bench_report_aggregate(name, family, (unsigned int)v->n, "mean", mean, mean));
	json_array_append_new(list,
			      bench_report_aggregate(name, family, (unsigned int)v->n, "median", med, med));
	json_array_append_new(list,
			      bench_report_aggregate(name, family, (unsigned int)v->n, "stddev", sd, sd));
}

struct export_walk {
	const char *config;
	struct sample_set *s;
};

/* Named CONFIG/WORKLOAD/METRIC, or WORKLOAD/METRIC when one configuration is exported. */
static int export_row(const struct rdb_sample_row *row, void *ctx)
{
	const struct export_walk *w = ctx;
	char name[800];

	if (w->config)
		snprintf(name, sizeof(name), "%s", row->name);
	else
		snprintf(name, sizeof(name), "%s/%s", row->configuration, row->name);
	sample_set_add(w->s, name, row->unit, SIDE_BASELINE, row->value);
	return 0;
}

static int export_run(struct results_db *db, int64_t run, const char *config, const char *out)
{
	struct sample_set s = {0};
	struct export_walk w = {config, &s};

	if (results_db_each_sample(db, run, config, export_row, &w)) {
		sample_set_free(&s);
		return 1;
	}
	if (!s.nr) {
		fprintf(stderr, "tessera: %s: run %lld has no samples%s%s\n", db->path, (long long)run,
			config ? " of configuration " : "", config ? config : "");
		return 2;
	}
	json_t *root = json_object(), *list = json_array();
	json_object_set_new(root, "context", bench_report_context("tessera bench export"));
	for (size_t i = 0; i < s.nr; i++)
		emit(list, s.metrics[i].name, s.metrics[i].unit, (int)i, &s.metrics[i].side[0]);
	json_object_set_new(root, "benchmarks", list);
	int ret = json_dump_file(root, out, JSON_INDENT(2)) ? 1 : 0;
	if (ret)
		fprintf(stderr, "tessera bench export: cannot write %s\n", out);
	json_decref(root);
	sample_set_free(&s);
	return ret;
}

int bench_cmd_export(int argc, char **argv)
{
	const char *dbpath = NULL, *out = NULL, *config = NULL;
	uint64_t run = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if ((!strcmp(a, "-o") || !strcmp(a, "--config") || !strcmp(a, "--run")) && next) {
			i++;
			if (!strcmp(a, "-o"))
				out = next;
			else if (!strcmp(a, "--config"))
				config = next;
			else if (bench_parse_u64("export", a, next, INT64_MAX, &run))
				return 2;
		} else if (a[0] != '-' && !dbpath) {
			dbpath = a;
		} else {
			fprintf(stderr, "tessera bench export: unexpected '%s'\n%s", a, usage);
			return 2;
		}
	}
	if (!dbpath || !out) {
		fprintf(stderr, "tessera bench export: wants DB and -o FILE.json\n%s", usage);
		return 2;
	}
	struct results_db db;
	if (results_db_open_existing(&db, dbpath))
		return 2;
	int ret = export_run(&db, run ? (int64_t)run : results_db_latest_run(&db), config, out);
	results_db_close(&db);
	return ret;
}
