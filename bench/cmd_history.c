/*
 * `tessera bench history DB METRIC`: one value per run (the median of the metric's warm-up-free samples
 * of one configuration), in the order the runs were recorded, labelled with their git revision; change
 * points by E-divisive means with a permutation test (edivisive.c).
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_lab.h"
#include "edivisive.h"
#include "results_db.h"
#include "sample_set.h"
#include "stats.h"

static const char usage[] =
	"usage: tessera bench history DB WORKLOAD/METRIC [--config NAME] [--format text|json]\n"
	"                             [--permutations N] [--alpha P] [--min-size N] [--seed N]\n"
	"\n"
	"The metric's median in each run (one configuration: --config, needed when the database has\n"
	"several), in recording order, with each run's git revision. Change points: E-divisive means\n"
	"(Matteson & James, JASA 2014) with a permutation test (default 199 permutations, alpha 0.05,\n"
	"segments of at least 3 runs).\n"
	"\n"
	"Exit status: 0 shown, 1 database error, 2 bad input (no such metric or configuration).\n";

#define MAX_RUNS 10000

struct point {
	int64_t run;
	char revision[64];
	size_t n;
	double median;
};

/* The configuration to follow: as named, or the only one that has the metric. */
static int pick_config(struct results_db *db, const char *metric, const char **config, char *buf, size_t len)
{
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db->db,
			   "SELECT DISTINCT b.configuration FROM boots b JOIN samples s ON s.boot_id = b.id"
			   " WHERE s.workload || '/' || s.metric = ? ORDER BY 1",
			   -1, &st, NULL);
	sqlite3_bind_text(st, 1, metric, -1, SQLITE_TRANSIENT);
	int n = 0, found = 0;
	char list[1024] = "";
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		if (!n++)
			snprintf(buf, len, "%s", c);
		if (*config && !strcmp(*config, c))
			found = 1;
		size_t l = strlen(list);
		snprintf(list + l, sizeof(list) - l, " %s", c);
	}
	sqlite3_finalize(st);
	if (!n) {
		fprintf(stderr, "tessera bench history: %s: no samples of metric '%s' (WORKLOAD/METRIC)\n",
			db->path, metric);
		return 2;
	}
	if (*config && !found) {
		fprintf(stderr, "tessera bench history: %s: no configuration '%s' has '%s'; these do:%s\n",
			db->path, *config, metric, list);
		return 2;
	}
	if (!*config && n > 1) {
		fprintf(stderr,
			"tessera bench history: %s: several configurations have '%s':%s; name one with "
			"--config\n",
			db->path, metric, list);
		return 2;
	}
	if (!*config)
		*config = buf;
	return 0;
}

static size_t load_series(struct results_db *db, const char *metric, const char *config, struct point *pts)
{
	sqlite3_stmt *st;
	sqlite3_prepare_v2(
		db->db,
		"SELECT r.id, coalesce(r.git_revision, '?'), s.value FROM samples s"
		" JOIN boots b ON s.boot_id = b.id JOIN runs r ON b.run_id = r.id"
		" WHERE s.workload || '/' || s.metric = ? AND b.configuration = ? AND b.status = 'done'"
		" AND NOT s.warmup ORDER BY r.id",
		-1, &st, NULL);
	sqlite3_bind_text(st, 1, metric, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, config, -1, SQLITE_TRANSIENT);
	size_t n = 0;
	struct sample_vec v = {0};
	int64_t cur = -1;
	for (;;) {
		int rc = sqlite3_step(st);
		int64_t run = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -2;
		if (run != cur && v.n) {
			pts[n - 1].n = v.n;
			pts[n - 1].median = stats_median(v.v, v.n);
			v.n = 0;
		}
		if (rc != SQLITE_ROW)
			break;
		if (run != cur) {
			if (n == MAX_RUNS)
				break;
			cur = run;
			pts[n] = (struct point){.run = run};
			snprintf(pts[n].revision, sizeof(pts[n].revision), "%s",
				 (const char *)sqlite3_column_text(st, 1));
			n++;
		}
		sample_vec_push(&v, sqlite3_column_double(st, 2));
	}
	free(v.v);
	sqlite3_finalize(st);
	return n;
}

struct hopts {
	const char *db, *metric, *config, *format;
	uint64_t permutations, min_size, seed;
	double alpha;
};

static int parse(int argc, char **argv, struct hopts *o)
{
	*o = (struct hopts){.format = "text", .permutations = 199, .min_size = 3, .seed = 1, .alpha = 0.05};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (a[0] == '-' && next) {
			i++;
			if (!strcmp(a, "--config")) {
				o->config = next;
			} else if (!strcmp(a, "--format") &&
				   (!strcmp(next, "text") || !strcmp(next, "json"))) {
				o->format = next;
			} else if (!strcmp(a, "--permutations")) {
				if (bench_parse_u64("history", a, next, 100000, &o->permutations))
					return 2;
				if (o->permutations < 19) {
					/* Fewer than 19 cannot reach p < 0.05: (0 + 1) / (N + 1) >= 0.05. */
					fprintf(stderr,
						"tessera bench history: --permutations wants 19 to 100000, "
						"not %s\n",
						next);
					return 2;
				}
			} else if (!strcmp(a, "--min-size")) {
				if (bench_parse_u64("history", a, next, 1000, &o->min_size))
					return 2;
				if (o->min_size < 2) {
					fprintf(stderr,
						"tessera bench history: --min-size wants 2 to 1000 runs a "
						"segment, "
						"not %s\n",
						next);
					return 2;
				}
			} else if (!strcmp(a, "--seed")) {
				if (bench_parse_u64("history", a, next, UINT32_MAX, &o->seed))
					return 2;
			} else if (!strcmp(a, "--alpha")) {
				if (bench_parse_fraction("history", a, next, false, &o->alpha))
					return 2;
			} else {
				fprintf(stderr, "tessera bench history: bad option '%s %s'\n%s", a, next,
					usage);
				return 2;
			}
		} else if (a[0] != '-' && !o->db) {
			o->db = a;
		} else if (a[0] != '-' && !o->metric) {
			o->metric = a;
		} else {
			fprintf(stderr, "tessera bench history: unexpected '%s'\n%s", a, usage);
			return 2;
		}
	}
	if (!o->db || !o->metric) {
		fprintf(stderr, "tessera bench history: wants DB and WORKLOAD/METRIC\n%s", usage);
		return 2;
	}
	return -1;
}

static void print(const struct hopts *o, const struct point *pts, size_t n, const struct edivisive_point *cp,
		  size_t k)
{
	bool json = !strcmp(o->format, "json");
	json_t *root = json_object(), *series = json_array();
	if (!json)
		printf("%s, configuration %s: the median of each run; change points by E-divisive means "
		       "(%llu permutations, alpha %g)\n%4s %6s %-14s %7s %14s  %s\n",
		       o->metric, o->config, (unsigned long long)o->permutations, o->alpha, "#", "run",
		       "revision", "n", "median", "change");
	for (size_t i = 0, c = 0; i < n; i++) {
		bool change = c < k && cp[c].index == i;
		json_t *j = json_pack("{s:I, s:s, s:I, s:f, s:b}", "run", (json_int_t)pts[i].run, "revision",
				      pts[i].revision, "n", (json_int_t)pts[i].n, "median", pts[i].median,
				      "change_point", change);
		if (change) {
			/* The levels either side: the medians of the neighbouring segments' run medians. */
			size_t from = c ? cp[c - 1].index : 0, to = c + 1 < k ? cp[c + 1].index : n;
			double before[MAX_RUNS], after[MAX_RUNS];
			for (size_t t = from; t < i; t++)
				before[t - from] = pts[t].median;
			for (size_t t = i; t < to; t++)
				after[t - i] = pts[t].median;
			double b = stats_median(before, i - from), a = stats_median(after, to - i);
			json_object_set_new(j, "p", json_real(cp[c].p));
			json_object_set_new(j, "level_before", json_real(b));
			json_object_set_new(j, "level_after", json_real(a));
			if (!json)
				printf("%4zu %6lld %-14.14s %7zu %14.6g  <- change point (p = %.3f): %.6g -> "
				       "%.6g "
				       "(%+.2f%%)\n",
				       i + 1, (long long)pts[i].run, pts[i].revision, pts[i].n, pts[i].median,
				       cp[c].p, b, a, (a / b - 1) * 100);
			c++;
		} else if (!json) {
			printf("%4zu %6lld %-14.14s %7zu %14.6g\n", i + 1, (long long)pts[i].run,
			       pts[i].revision, pts[i].n, pts[i].median);
		}
		json_array_append_new(series, j);
	}
	if (json) {
		json_object_set_new(root, "metric", json_string(o->metric));
		json_object_set_new(root, "configuration", json_string(o->config));
		json_object_set_new(root, "method", json_string("e-divisive means, permutation test"));
		json_object_set_new(root, "series", series);
		json_dumpf(root, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		json_decref(series);
		printf("%zu change point%s\n", k, k == 1 ? "" : "s");
	}
	json_decref(root);
}

int bench_cmd_history(int argc, char **argv)
{
	static struct hopts o;
	static struct point pts[MAX_RUNS];
	static double values[MAX_RUNS];
	char buf[256];
	int ret = parse(argc, argv, &o);
	if (ret >= 0)
		return ret;
	struct results_db db;
	if (results_db_open_existing(&db, o.db))
		return 2;
	ret = pick_config(&db, o.metric, &o.config, buf, sizeof(buf));
	if (!ret) {
		size_t n = load_series(&db, o.metric, o.config, pts);
		struct edivisive_point cp[EDIVISIVE_MAX_POINTS];
		for (size_t i = 0; i < n; i++)
			values[i] = pts[i].median;
		size_t k = edivisive(values, n, o.min_size, (unsigned int)o.permutations, o.alpha, o.seed, cp,
				     EDIVISIVE_MAX_POINTS);
		print(&o, pts, n, cp, k);
	}
	results_db_close(&db);
	return ret;
}
