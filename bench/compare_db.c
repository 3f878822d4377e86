/* Reading the results database for a comparison (compare_db.h); the schema is in results_db.c. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_db.h"
#include "stats.h"

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

static int64_t boots_of(struct results_db *r, int64_t run, const char *config)
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

/* One configuration's observations into side: per boot (its median) or per iteration. */
static int load_side(struct results_db *r, int64_t run, const char *config, enum sample_side side,
		     bool per_boot, struct sample_set *s)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(
		    r->db,
		    "SELECT b.id, s.workload || '/' || s.metric, s.unit, s.value"
		    " FROM samples s JOIN boots b ON s.boot_id = b.id"
		    " WHERE b.run_id = ? AND b.status = 'done' AND NOT s.warmup AND b.configuration = ?"
		    " ORDER BY s.workload, s.metric, b.run_order, s.iteration",
		    -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "tessera: %s: %s\n", r->path, sqlite3_errmsg(r->db));
		return 1;
	}
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, config, -1, SQLITE_TRANSIENT);
	struct group g = {.boot = -1, .side = side};
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t boot = sqlite3_column_int64(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *unit = (const char *)sqlite3_column_text(st, 2);
		double v = sqlite3_column_double(st, 3);
		if (!per_boot) {
			sample_set_add(s, name, unit, side, v);
			continue;
		}
		if (boot != g.boot || strcmp(name, g.name)) {
			flush(s, &g);
			g.boot = boot;
			snprintf(g.name, sizeof(g.name), "%s", name);
			snprintf(g.unit, sizeof(g.unit), "%s", unit);
		}
		sample_vec_push(&g.v, v);
	}
	flush(s, &g);
	free(g.v.v);
	sqlite3_finalize(st);
	snprintf(side == SIDE_BASELINE ? s->baseline : s->contender, sizeof(s->baseline), "%s", config);
	return 0;
}

static int no_boot(struct results_db *r, int64_t run, const char *config)
{
	fprintf(stderr, "tessera: %s: run %lld has no completed boot of configuration '%s'\n", r->path,
		(long long)run, config);
	return 2;
}

int dbset_load(struct results_db *r, int64_t run, const char *baseline, const char *contender,
	       struct sample_set *s)
{
	int64_t b = boots_of(r, run, baseline), c = boots_of(r, run, contender);
	if (!b || !c)
		return no_boot(r, run, b ? contender : baseline);
	bool per_boot = b >= 2 && c >= 2;
	s->observation = per_boot ? "boot" : "iteration";
	return load_side(r, run, baseline, SIDE_BASELINE, per_boot, s)
		       ?: load_side(r, run, contender, SIDE_CONTENDER, per_boot, s);
}

int dbset_load_one(struct results_db *r, int64_t run, const char *config, enum sample_side side,
		   struct sample_set *s)
{
	int64_t b = boots_of(r, run, config);
	if (!b)
		return no_boot(r, run, config);
	s->observation = b >= 2 ? "boot" : "iteration";
	return load_side(r, run, config, side, b >= 2, s);
}
