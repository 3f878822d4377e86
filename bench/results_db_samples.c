/*
 * The one walk over a run's samples (results_db.h, results_db_each_sample): comparisons (compare_db.c,
 * counting and loading) and the Google Benchmark export each read the same rows in the same order, so
 * the query, its order and its filter on completed, warm-up-free samples are written once here.
 */
#include <sqlite3.h>
#include <stdio.h>

#include "results_db.h"

int results_db_each_sample(struct results_db *r, int64_t run, const char *config, results_db_sample_fn fn,
			   void *ctx)
{
	sqlite3_stmt *st;
	int ret = 0;

	/* b.id after run_order keeps a boot's rows together even if two boots shared a run order. */
	if (sqlite3_prepare_v2(
		    r->db,
		    "SELECT b.id, b.configuration, s.workload || '/' || s.metric, s.unit, s.value"
		    " FROM samples s JOIN boots b ON s.boot_id = b.id"
		    " WHERE b.run_id = ?1 AND b.status = 'done' AND NOT s.warmup"
		    " AND (?2 IS NULL OR b.configuration = ?2)"
		    " ORDER BY b.configuration, s.workload, s.metric, b.run_order, b.id, s.iteration",
		    -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "tessera: %s: %s\n", r->path, sqlite3_errmsg(r->db));
		return 1;
	}
	sqlite3_bind_int64(st, 1, run);
	if (config)
		sqlite3_bind_text(st, 2, config, -1, SQLITE_TRANSIENT);
	while (!ret && sqlite3_step(st) == SQLITE_ROW) {
		struct rdb_sample_row row = {
			.boot_id = sqlite3_column_int64(st, 0),
			.configuration = (const char *)sqlite3_column_text(st, 1),
			.name = (const char *)sqlite3_column_text(st, 2),
			.unit = (const char *)sqlite3_column_text(st, 3),
			.value = sqlite3_column_double(st, 4),
		};
		ret = fn(&row, ctx);
	}
	sqlite3_finalize(st);
	return ret;
}
