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

int dbset_load(struct results_db *r, int64_t run, const char *baseline, const char *contender,
	       struct sample_set *s)
{
	const char *names[2] = {baseline, contender};
	int64_t boots[2];
	for (int i = 0; i < 2; i++) {
		boots[i] = boots_of(r, run, names[i]);
		if (!boots[i]) {
			fprintf(stderr, "tessera: %s: run %lld has no completed boot of configuration '%s'\n",
				r->path, (long long)run, names[i]);
			return 2;
		}
	}
	snprintf(s->baseline, sizeof(s->baseline), "%s", baseline);
	snprintf(s->contender, sizeof(s->contender), "%s", contender);
	bool per_boot = boots[0] >= 2 && boots[1] >= 2;
	s->observation = per_boot ? "boot" : "iteration";

	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db,
			       "SELECT b.id, b.configuration, s.workload || '/' || s.metric, s.unit, s.value"
			       " FROM samples s JOIN boots b ON s.boot_id = b.id"
			       " WHERE b.run_id = ? AND b.status = 'done' AND NOT s.warmup"
			       " AND b.configuration IN (?, ?)"
			       " ORDER BY s.workload, s.metric, b.run_order, s.iteration",
			       -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "tessera: %s: %s\n", r->path, sqlite3_errmsg(r->db));
		return 1;
	}
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, baseline, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, contender, -1, SQLITE_TRANSIENT);
	struct group g = {.boot = -1};
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t boot = sqlite3_column_int64(st, 0);
		const char *config = (const char *)sqlite3_column_text(st, 1);
		const char *name = (const char *)sqlite3_column_text(st, 2);
		const char *unit = (const char *)sqlite3_column_text(st, 3);
		enum sample_side side = !strcmp(config, baseline) ? SIDE_BASELINE : SIDE_CONTENDER;
		double v = sqlite3_column_double(st, 4);
		if (!per_boot) {
			sample_set_add(s, name, unit, side, v);
			continue;
		}
		if (boot != g.boot || strcmp(name, g.name)) {
			flush(s, &g);
			g.boot = boot;
			g.side = side;
			snprintf(g.name, sizeof(g.name), "%s", name);
			snprintf(g.unit, sizeof(g.unit), "%s", unit);
		}
		sample_vec_push(&g.v, v);
	}
	flush(s, &g);
	free(g.v.v);
	sqlite3_finalize(st);
	return 0;
}
