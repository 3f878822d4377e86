/* Reading the results database for a comparison (compare_db.h); the schema is in results_db.c. */
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare_db.h"
#include "plan.h"
#include "stats.h"

/*
 * Which of names[] the plan names first: the run's plan file when it is still the file that was run (its
 * sha256), else the first booted (names[] is in boot order; bench simulate's runs have no plan file).
 */
size_t dbset_plan_first(struct results_db *db, int64_t run, char names[][256], size_t n)
{
	sqlite3_stmt *st;
	char path[PATH_MAX] = "", sha[80] = "";
	size_t first = 0;
	if (sqlite3_prepare_v2(db->db, "SELECT plan, plan_sha256 FROM runs WHERE id = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) && sqlite3_column_text(st, 1)) {
		snprintf(path, sizeof(path), "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(sha, sizeof(sha), "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	struct plan p;
	struct config_diag diag;
	if (!path[0] || access(path, R_OK) || plan_load(path, &p, &diag))
		return 0;
	if (!strcmp(p.sha256, sha)) {
		bool found = false;
		for (unsigned int c = 0; c < p.nr_configs && !found; c++)
			for (size_t k = 0; k < n && !found; k++)
				if (!strcmp(p.configs[c].name, names[k])) {
					first = k;
					found = true;
				}
	}
	plan_free(&p);
	return first;
}

size_t dbset_configurations(struct results_db *r, int64_t run, char names[][256], size_t max)
{
	sqlite3_stmt *st;
	size_t n = 0;
	if (sqlite3_prepare_v2(r->db,
			       "SELECT configuration FROM boots WHERE run_id = ? AND status = 'done'"
			       " GROUP BY configuration ORDER BY min(run_order)",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, run);
	while (n < max && sqlite3_step(st) == SQLITE_ROW)
		snprintf(names[n++], 256, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return n;
}

/* Completed boots of a configuration that gave samples of each metric ("workload/metric"). */
struct boot_counts {
	struct {
		char name[600];
		int64_t boots;
	} * m;
	size_t n;
	int64_t last_boot; /* the boot of the row before, while counting */
};

/* A metric's rows come together, one boot's within them (results_db_each_sample's order). */
static int count_row(const struct rdb_sample_row *row, void *ctx)
{
	struct boot_counts *bc = ctx;

	if (bc->n && !strcmp(bc->m[bc->n - 1].name, row->name)) {
		bc->m[bc->n - 1].boots += row->boot_id != bc->last_boot;
	} else {
		void *m = realloc(bc->m, (bc->n + 1) * sizeof(*bc->m));
		if (!m)
			abort();
		bc->m = m;
		snprintf(bc->m[bc->n].name, sizeof(bc->m[bc->n].name), "%s", row->name);
		bc->m[bc->n++].boots = 1;
	}
	bc->last_boot = row->boot_id;
	return 0;
}

static int count_boots(struct results_db *r, int64_t run, const char *config, struct boot_counts *bc)
{
	*bc = (struct boot_counts){0};
	return results_db_each_sample(r, run, config, count_row, bc);
}

static int64_t boots_of(const struct boot_counts *bc, const char *metric)
{
	for (size_t i = 0; i < bc->n; i++)
		if (!strcmp(bc->m[i].name, metric))
			return bc->m[i].boots;
	return 0;
}

static int64_t boots_done(struct results_db *r, int64_t run, const char *config)
{
	sqlite3_stmt *st;
	int64_t n = 0;
	if (sqlite3_prepare_v2(
		    r->db,
		    "SELECT count(*) FROM boots WHERE run_id = ? AND configuration = ? AND status = 'done'",
		    -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, config, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* One boot's values of one metric, gathered until the (boot, metric) changes. */
struct group {
	int64_t boot;
	char name[600], unit[64];
	enum sample_side side;
	struct sample_vec v;
};

static void flush(struct sample_set *s, struct group *g)
{
	if (g->v.n)
		sample_set_add(s, g->name, g->unit, g->side, stats_median(g->v.v, g->v.n));
	g->v.n = 0;
}

/*
 * Per metric, not per configuration: a workload booted once (boots: 1, or the others' boots failed)
 * falls back to iterations even when the configuration has other workloads' boots.
 */
static bool per_boot(const char *metric, const struct boot_counts *self, const struct boot_counts *other)
{
	return boots_of(self, metric) >= 2 && (!other || boots_of(other, metric) >= 2);
}

/* What one observation is, over all metrics (each metric's own is in metric_samples). */
static const char *observation_of(struct sample_set *s)
{
	bool boot = false, iteration = false;
	for (size_t i = 0; i < s->nr; i++) {
		boot |= !strcmp(s->metrics[i].observation, "boot");
		iteration |= !strcmp(s->metrics[i].observation, "iteration");
	}
	return boot && iteration ? "boot (iteration for metrics with fewer than two boots a side)"
	       : boot		 ? "boot"
				 : "iteration";
}

struct side_load {
	struct sample_set *s;
	enum sample_side side;
	const struct boot_counts *self, *other;
	struct group g;
};

static int load_row(const struct rdb_sample_row *row, void *ctx)
{
	struct side_load *l = ctx;
	struct group *g = &l->g;

	if (!per_boot(row->name, l->self, l->other)) {
		sample_set_add(l->s, row->name, row->unit, l->side, row->value);
		return 0;
	}
	if (row->boot_id != g->boot || strcmp(row->name, g->name)) {
		flush(l->s, g);
		g->boot = row->boot_id;
		snprintf(g->name, sizeof(g->name), "%s", row->name);
		snprintf(g->unit, sizeof(g->unit), "%s", row->unit);
	}
	sample_vec_push(&g->v, row->value);
	return 0;
}

/* One configuration's observations into side: per boot (its median) or per iteration. */
static int load_side(struct results_db *r, int64_t run, const char *config, enum sample_side side,
		     const struct boot_counts *self, const struct boot_counts *other, struct sample_set *s)
{
	struct side_load l = {
		.s = s, .side = side, .self = self, .other = other, .g = {.boot = -1, .side = side}};
	int ret = results_db_each_sample(r, run, config, load_row, &l);

	if (!ret)
		flush(s, &l.g);
	free(l.g.v.v);
	if (ret)
		return ret;
	snprintf(side == SIDE_BASELINE ? s->baseline : s->contender, sizeof(s->baseline), "%s", config);
	return 0;
}

static int no_boot(struct results_db *r, int64_t run, const char *config)
{
	fprintf(stderr, "tessera: %s: run %lld has no completed boot of configuration '%s'\n", r->path,
		(long long)run, config);
	return 2;
}

/* Each metric's own observation, once both sides are in. */
static void mark_observations(struct sample_set *s, const struct boot_counts *a, const struct boot_counts *b)
{
	for (size_t i = 0; i < s->nr; i++)
		s->metrics[i].observation = per_boot(s->metrics[i].name, a, b) ? "boot" : "iteration";
	s->observation = observation_of(s);
}

int dbset_load(struct results_db *r, int64_t run, const char *baseline, const char *contender,
	       struct sample_set *s)
{
	if (!boots_done(r, run, baseline) || !boots_done(r, run, contender))
		return no_boot(r, run, boots_done(r, run, baseline) ? contender : baseline);
	struct boot_counts a, b;
	int ret = count_boots(r, run, baseline, &a);
	if (ret)
		return ret;
	ret = count_boots(r, run, contender, &b);
	if (!ret)
		ret = load_side(r, run, baseline, SIDE_BASELINE, &a, &b, s)
			      ?: load_side(r, run, contender, SIDE_CONTENDER, &b, &a, s);
	if (!ret)
		mark_observations(s, &a, &b);
	free(a.m);
	free(b.m);
	return ret;
}

int dbset_load_one(struct results_db *r, int64_t run, const char *config, enum sample_side side,
		   struct sample_set *s)
{
	if (!boots_done(r, run, config))
		return no_boot(r, run, config);
	struct boot_counts a;
	int ret = count_boots(r, run, config, &a);
	if (!ret)
		ret = load_side(r, run, config, side, &a, NULL, s);
	if (!ret)
		mark_observations(s, &a, NULL);
	free(a.m);
	return ret;
}
