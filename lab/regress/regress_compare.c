/*
 * The baseline and the comparison (regress_compare.h). A regression is a case that now fails and did not
 * fail in the baseline (or has no baseline), a baseline case or metric that the same step no longer
 * produces, a step that could not judge, or a metric worse than the baseline's beyond the margin. A case
 * that failed in the baseline too is reported as known, not as a regression.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "regress_compare.h"

static struct regress_result *step_of(struct regress_baseline *b, const char *name)
{
	for (size_t i = 0; i < b->nr_steps; i++)
		if (!strcmp(b->step_names[i], name))
			return &b->steps[i];
	b->steps = realloc(b->steps, (b->nr_steps + 1) * sizeof(*b->steps));
	b->step_names = realloc(b->step_names, (b->nr_steps + 1) * sizeof(*b->step_names));
	if (!b->steps || !b->step_names) {
		fputs("tessera lab regress: out of memory\n", stderr);
		exit(1);
	}
	memset(&b->steps[b->nr_steps], 0, sizeof(b->steps[0]));
	b->step_names[b->nr_steps] = strdup(name);
	return &b->steps[b->nr_steps++];
}

static const char *text(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	return t ? t : "";
}

/*
 * Per step, the latest done regress run that ran it: a run of some steps only (--steps) is the baseline
 * of those steps and leaves the others' baseline as it was.
 */
static int load(sqlite3 *db, struct regress_baseline *b)
{
	sqlite3_stmt *st, *cs, *ms;

	if (sqlite3_prepare_v2(
		    db,
		    "SELECT j.name, max(r.id) FROM jobs j JOIN runs r ON r.id = j.run_id WHERE r.plan = ?1"
		    " AND r.status = 'done' AND j.source = 'regress' GROUP BY j.name ORDER BY min(j.id)",
		    -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db,
			       "SELECT c.name, c.result FROM jobs j JOIN cases c ON c.job_id = j.id"
			       " WHERE j.run_id = ?1 AND j.name = ?2 AND j.source = 'regress' ORDER BY c.seq",
			       -1, &cs, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(
		    db,
		    "SELECT s.workload || '/' || s.metric, s.unit, s.value FROM boots b JOIN samples s"
		    " ON s.boot_id = b.id WHERE b.run_id = ?1 AND b.configuration = ?2 ORDER BY s.rowid",
		    -1, &ms, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_bind_text(st, 1, REGRESS_PLAN, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t run = sqlite3_column_int64(st, 1);
		struct regress_result *r = step_of(b, text(st, 0));
		const char *name = b->step_names[b->nr_steps - 1];
		if (run > b->run_id)
			b->run_id = run;
		sqlite3_bind_int64(cs, 1, run);
		sqlite3_bind_text(cs, 2, name, -1, SQLITE_STATIC);
		while (sqlite3_step(cs) == SQLITE_ROW)
			regress_add_case(r, !strcmp(text(cs, 1), "pass"), "", "%s", text(cs, 0));
		sqlite3_reset(cs);
		sqlite3_bind_int64(ms, 1, run);
		sqlite3_bind_text(ms, 2, name, -1, SQLITE_STATIC);
		while (sqlite3_step(ms) == SQLITE_ROW)
			regress_add_metric(r, text(ms, 0), text(ms, 1), sqlite3_column_double(ms, 2));
		sqlite3_reset(ms);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(cs);
	sqlite3_finalize(ms);
	if (!b->run_id)
		return 1;
	if (sqlite3_prepare_v2(db, "SELECT coalesce(git_revision, '?'), started FROM runs WHERE id = ?1", -1,
			       &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, b->run_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(b->revision, sizeof(b->revision), "%s", text(st, 0));
		snprintf(b->started, sizeof(b->started), "%s", text(st, 1));
	}
	sqlite3_finalize(st);
	return 0;
}

int regress_baseline_load(const char *db_path, struct regress_baseline *b)
{
	sqlite3 *db = NULL;

	memset(b, 0, sizeof(*b));
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "tessera: %s: cannot open the baseline database: %s\n", db_path,
			db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return 2;
	}
	sqlite3_busy_timeout(db, 10000);
	int rc = load(db, b);
	if (rc < 0)
		fprintf(stderr, "tessera: %s: not a results database of schema 2 or later: %s\n", db_path,
			sqlite3_errmsg(db));
	else if (rc > 0)
		fprintf(stderr, "tessera: %s: no completed lab regress run to compare with\n", db_path);
	sqlite3_close(db);
	if (rc)
		regress_baseline_free(b);
	return rc ? 2 : 0;
}

void regress_baseline_free(struct regress_baseline *b)
{
	for (size_t i = 0; i < b->nr_steps; i++) {
		regress_result_free(&b->steps[i]);
		free(b->step_names[i]);
	}
	free(b->steps);
	free(b->step_names);
	memset(b, 0, sizeof(*b));
}

static const struct regress_case *find_case(const struct regress_result *r, const char *name)
{
	for (size_t i = 0; r && i < r->nr_cases; i++)
		if (!strcmp(r->cases[i].name, name))
			return &r->cases[i];
	return NULL;
}

static const struct regress_metric *find_metric(const struct regress_result *r, const char *name)
{
	for (size_t i = 0; r && i < r->nr_metrics; i++)
		if (!strcmp(r->metrics[i].name, name))
			return &r->metrics[i];
	return NULL;
}

static bool is_rate(const char *unit)
{
	size_t n = strlen(unit);
	return n >= 2 && !strcmp(unit + n - 2, "/s");
}

static unsigned int compare_step(const char *step, const struct regress_result *base,
				 const struct regress_result *now, double margin, FILE *out)
{
	unsigned int found = 0;

	if (!now->complete) {
		fprintf(out, "REGRESSION %s: the step could not judge: %s\n", step, now->problems);
		found++;
	}
	for (size_t i = 0; i < now->nr_cases; i++) {
		const struct regress_case *c = &now->cases[i], *was = find_case(base, c->name);
		if (c->pass)
			continue;
		if (was && !was->pass) {
			fprintf(out, "known failure %s: fails in the baseline too (%s)\n", c->name,
				c->detail ? c->detail : "");
			continue;
		}
		fprintf(out, "REGRESSION %s: now fails (%s)%s\n", c->name, c->detail ? c->detail : "",
			was    ? "; passed in the baseline"
			: base ? "; a new case"
			       : "");
		found++;
	}
	/* A step that could not judge: what it did not produce is one line, not one per case. */
	size_t gone_cases = 0, gone_metrics = 0;
	for (size_t i = 0; base && !now->complete && i < base->nr_cases; i++)
		gone_cases += !find_case(now, base->cases[i].name);
	for (size_t i = 0; base && !now->complete && i < base->nr_metrics; i++)
		gone_metrics += !find_metric(now, base->metrics[i].name);
	if (gone_cases || gone_metrics)
		fprintf(out, "  (%s: %zu cases and %zu metrics of the baseline not produced)\n", step,
			gone_cases, gone_metrics);
	for (size_t i = 0; base && now->complete && i < base->nr_cases; i++)
		if (!find_case(now, base->cases[i].name)) {
			fprintf(out, "REGRESSION %s: the case is gone (it %s in the baseline)\n",
				base->cases[i].name, base->cases[i].pass ? "passed" : "failed");
			found++;
		}
	for (size_t i = 0; base && i < base->nr_metrics; i++) {
		const struct regress_metric *b = &base->metrics[i], *m = find_metric(now, b->name);
		if (!m && !now->complete)
			continue;
		if (!m) {
			fprintf(out, "REGRESSION %s: the metric is gone (%g %s in the baseline)\n", b->name,
				b->value, b->unit);
			found++;
			continue;
		}
		bool worse = is_rate(b->unit) ? m->value < b->value * (1 - margin)
					      : m->value > b->value * (1 + margin);
		/* a count of experiments (a campaign's outcome class) is "more", not "slower" */
		const char *how = is_rate(b->unit)		    ? "lower"
				  : !strcmp(b->unit, "experiments") ? "more"
								    : "slower";
		if (worse && b->value) {
			fprintf(out, "REGRESSION %s: %s: %g -> %g %s (%+.1f%%, margin %.1f%%)\n", b->name,
				how, b->value, m->value, b->unit, 100.0 * (m->value - b->value) / b->value,
				100.0 * margin);
			found++;
		} else if (worse) {
			fprintf(out, "REGRESSION %s: %s: 0 -> %g %s (0 in the baseline)\n", b->name, how,
				m->value, b->unit);
			found++;
		}
	}
	return found;
}

unsigned int regress_compare(const struct regress_baseline *b, const char *const *names,
			     const struct regress_result *results, size_t n, double margin, FILE *out)
{
	unsigned int found = 0;

	for (size_t i = 0; i < n; i++) {
		const struct regress_result *base = NULL;
		for (size_t j = 0; b && j < b->nr_steps; j++)
			if (!strcmp(b->step_names[j], names[i]))
				base = &b->steps[j];
		if (b && !base)
			fprintf(out, "note: step %s has no baseline: its cases are judged alone\n", names[i]);
		found += compare_step(names[i], base, &results[i], margin, out);
	}
	return found;
}
