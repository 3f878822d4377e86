/*
 * The regression suite's benchmark step (regress.h): the shipped tracing plan's CI form
 * (configs/bench/plans/ci/tracing.yaml, deterministic) through `tessera bench run`, as a user runs it.
 * A case per planned boot (done, with every planned sample), and per configuration, workload and metric
 * the median of its measured samples as a metric. Under -icount every sample is an exact instruction
 * figure, so the median is exact and the comparison with the baseline is exact too (margin 0), which is
 * what bench compare's "(exact)" verdicts say of two deterministic runs. --append reaches the boots by
 * a copy of the plan whose configurations carry it as their hypervisor options.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regress.h"

#define PLAN_REL  "configs/bench/plans/ci/tracing.yaml"
#define TIMEOUT_S 1800 /* 9 deterministic boots; about 20 s each on a loaded 2-core machine */

/* The plan, with `hypervisor: APPEND` under each configuration's name when there is an append. */
static int write_plan(const struct regress_ctx *ctx, char *out, size_t size)
{
	char src[4096], line[1024];

	snprintf(src, sizeof(src), "%s/%s", ctx->root, PLAN_REL);
	if (!ctx->append) {
		snprintf(out, size, "%s", src);
		return 0;
	}
	snprintf(out, size, "%s/tracing-ci.yaml", ctx->tmp);
	FILE *in = fopen(src, "r"), *o = in ? fopen(out, "w") : NULL;
	if (!o) {
		if (in)
			fclose(in);
		return -1;
	}
	while (fgets(line, sizeof(line), in)) {
		fputs(line, o);
		/* the shipped plan's configurations have no hypervisor options of their own */
		if (!strncmp(line, "  - name: ", 10)) {
			fputs("    hypervisor: '", o);
			for (const char *c = ctx->append; *c; c++)
				fputs(*c == '\'' ? "''" : (char[]){*c, 0}, o);
			fputs("'\n", o);
		}
	}
	fclose(in);
	return fclose(o) ? -1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Per (configuration, workload, metric) the median of the measured samples of the done boots. */
static void add_medians(struct regress_result *r, sqlite3 *db)
{
	sqlite3_stmt *st;
	char key[256] = "", unit[64] = "";
	double v[4096];
	size_t n = 0;

	if (sqlite3_prepare_v2(
		    db,
		    "SELECT b.configuration || '/' || s.workload || '/' || s.metric, s.unit, s.value"
		    " FROM samples s JOIN boots b ON b.id = s.boot_id WHERE NOT s.warmup AND"
		    " b.status = 'done' ORDER BY 1",
		    -1, &st, NULL) != SQLITE_OK) {
		regress_incomplete(r, "the bench database: %s", sqlite3_errmsg(db));
		return;
	}
	for (int more = 1; more;) {
		more = sqlite3_step(st) == SQLITE_ROW;
		const char *k = more ? (const char *)sqlite3_column_text(st, 0) : "";
		if (n && (!more || strcmp(k, key))) {
			char name[300];
			qsort(v, n, sizeof(v[0]), cmp_double);
			snprintf(name, sizeof(name), "bench/%s", key);
			regress_add_metric(r, name, unit, n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
			n = 0;
		}
		if (!more)
			break;
		snprintf(key, sizeof(key), "%s", k);
		snprintf(unit, sizeof(unit), "%s", (const char *)sqlite3_column_text(st, 1));
		if (n < sizeof(v) / sizeof(v[0]))
			v[n++] = sqlite3_column_double(st, 2);
	}
	sqlite3_finalize(st);
}

/* A case per boot: bench/CONFIGURATION/WORKLOAD/BOOT_INDEX, passed when done. */
static unsigned int add_boots(struct regress_result *r, sqlite3 *db)
{
	sqlite3_stmt *st;
	unsigned int n = 0;

	if (sqlite3_prepare_v2(db,
			       "SELECT configuration, workload, boot_index, status, json_extract(record, "
			       "'$.failure') FROM boots ORDER BY configuration, boot_index",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *status = (const char *)sqlite3_column_text(st, 3),
			   *why = (const char *)sqlite3_column_text(st, 4);
		regress_add_case(r, !strcmp(status, "done"), why ? why : status, "bench/%s/%s/%d",
				 (const char *)sqlite3_column_text(st, 0),
				 (const char *)sqlite3_column_text(st, 1), sqlite3_column_int(st, 2));
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

int regress_step_bench(const struct regress_ctx *ctx, struct regress_result *r)
{
	char plan[4096], db_path[4096], head[4300];
	struct regress_proc p;
	sqlite3 *db;

	if (write_plan(ctx, plan, sizeof(plan))) {
		regress_incomplete(r, "cannot write the plan's copy into %s", ctx->tmp);
		return 0;
	}
	snprintf(db_path, sizeof(db_path), "%s/bench.db", ctx->tmp);
	remove(db_path);
	const char *argv[20] = {ctx->tessera, "bench", "run", plan, "-o", db_path, "--no-compare"};
	int k = 7;
	argv[k] = NULL;
	regress_lava_args(ctx, argv, &k); /* --on lava:: the boots as LAVA jobs */
	regress_proc_run(&p, TIMEOUT_S, argv);
	snprintf(head, sizeof(head), "tessera bench run %s", plan);
	regress_log_proc(r, head, &p);
	/* 1: a boot failed, which its case carries; anything else: no judgement */
	if (p.status != 0 && p.status != 1)
		regress_incomplete(r, "bench run failed (exit status %d%s)", p.status,
				   p.timed_out ? ", timed out" : "");
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		if (!add_boots(r, db))
			regress_incomplete(r, "bench run recorded no boots");
		add_medians(r, db);
	} else {
		regress_incomplete(r, "bench run left no database");
	}
	sqlite3_close(db);
	regress_proc_free(&p);
	return 0;
}
