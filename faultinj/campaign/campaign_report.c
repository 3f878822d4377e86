/*
 * The campaign report (campaign_report.h). Counts come from the database only, so a report of a resumed
 * or finished run is the same whenever it is made. Extrapolated counts are N * k / n for sampled
 * campaigns (each experiment weighs N / n) with the interval scaled alike; an exhaustive campaign's
 * counts are exact.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_report.h"
#include "campaign_report_data.h"
#include "campaign_stats.h"
#include "outcome.h"

static struct group *group_of(struct group *g, unsigned int *nr, const char *name)
{
	for (unsigned int i = 0; i < *nr; i++)
		if (!strcmp(g[i].name, name))
			return &g[i];
	if (*nr == MAX_GROUPS)
		return &g[MAX_GROUPS - 1]; /* the rest lumped into the last */
	snprintf(g[*nr].name, sizeof(g[0].name), "%s", name);
	return &g[(*nr)++];
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? s : "";
}

int report_load(struct results_db *db, int64_t run_id, struct report *r)
{
	sqlite3_stmt *st;

	memset(r, 0, sizeof(*r));
	if (sqlite3_prepare_v2(
		    db->db,
		    "SELECT c.name, r.mode, c.space_size, c.planned FROM campaigns c JOIN runs r ON"
		    " r.id = c.run_id WHERE c.run_id = ?",
		    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		fprintf(stderr, "tessera fi campaign report: %s: no campaign run %lld\n", db->path,
			(long long)run_id);
		return -1;
	}
	snprintf(r->name, sizeof(r->name), "%s", col(st, 0));
	snprintf(r->mode, sizeof(r->mode), "%s", col(st, 1));
	r->space = (uint64_t)sqlite3_column_int64(st, 2);
	r->planned = (uint64_t)sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);
	/* The timeline: the instruction count (or TSC) of the injection; else the first experiment's trigger. */
	if (sqlite3_prepare_v2(db->db,
			       "SELECT CASE WHEN sum(fault LIKE '% trigger.icount=%') THEN 'icount'"
			       " WHEN sum(fault LIKE '% trigger.tsc=%') THEN 'tsc' ELSE"
			       " (SELECT substr(fault, instr(fault, ' trigger.') + 9) FROM experiments"
			       " WHERE run_id = ?1 ORDER BY experiment_index LIMIT 1) END"
			       " FROM experiments WHERE run_id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(r->time_kind, sizeof(r->time_kind), "%.*s", (int)strcspn(col(st, 0), "="),
			 col(st, 0));
	sqlite3_finalize(st);
	snprintf(r->time_key, sizeof(r->time_key), " trigger.%s=", r->time_kind);
	if (sqlite3_prepare_v2(db->db,
			       "SELECT min(inject_at), max(inject_at) FROM experiments WHERE run_id = ?"
			       " AND instr(fault, ?) > 0",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_text(st, 2, r->time_key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		r->t_lo = (uint64_t)sqlite3_column_int64(st, 0);
		r->t_hi = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	/* At most HIST_BINS bins, none narrower than one value. */
	r->nr_bins = r->t_hi - r->t_lo + 1 < HIST_BINS ? (unsigned int)(r->t_hi - r->t_lo + 1) : HIST_BINS;
	if (sqlite3_prepare_v2(
		    db->db,
		    "SELECT experiment_index, status, outcome, weight, model, site, inject_at, fault,"
		    " detail FROM experiments WHERE run_id = ? ORDER BY experiment_index",
		    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	r->notable = json_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		int o = outcome_by_name(col(st, 2));
		if (strcmp(col(st, 1), "done") || o < 0) {
			r->unfinished++;
			continue;
		}
		r->done++;
		r->n[o]++;
		r->weight[o] += sqlite3_column_double(st, 3);
		struct group *g = group_of(r->models, &r->nr_models, col(st, 4));
		g->n[o]++, g->total++;
		g = group_of(r->sites, &r->nr_sites, col(st, 5));
		g->n[o]++, g->total++;
		uint64_t t = (uint64_t)sqlite3_column_int64(st, 6), span = r->t_hi - r->t_lo + 1;
		unsigned int b = (unsigned int)((double)(t - r->t_lo) / (double)span * r->nr_bins);
		if (strstr(col(st, 7), r->time_key) && t >= r->t_lo && t <= r->t_hi) {
			r->bins[b < r->nr_bins ? b : r->nr_bins - 1].n[o]++;
			r->bins[b < r->nr_bins ? b : r->nr_bins - 1].total++;
			r->timed++;
		}
		if (o == OUTCOME_ISOLATION_BREAK || o == OUTCOME_HV_PANIC)
			json_array_append_new(r->notable,
					      json_pack("{s:i, s:s, s:s, s:s}", "experiment",
							sqlite3_column_int(st, 0), "outcome", col(st, 2),
							"fault", col(st, 7), "detail", col(st, 8)));
	}
	sqlite3_finalize(st);
	for (unsigned int b = 0; b < r->nr_bins; b++) {
		uint64_t span = r->t_hi - r->t_lo + 1, lo = r->t_lo + span * b / r->nr_bins,
			 hi = r->t_lo + span * (b + 1) / r->nr_bins - 1;
		if (lo == hi)
			snprintf(r->bins[b].name, sizeof(r->bins[b].name), "%llu", (unsigned long long)lo);
		else
			snprintf(r->bins[b].name, sizeof(r->bins[b].name), "%llu..%llu",
				 (unsigned long long)lo, (unsigned long long)hi);
	}
	return 0;
}

bool report_exhaustive(const struct report *r)
{
	return r->planned == r->space;
}

/* The 95 % intervals of outcome o's proportion; an exhaustive campaign that is complete knows it exactly. */
void report_intervals(const struct report *r, int o, struct proportion_ci *w, struct proportion_ci *cp)
{
	if (report_exhaustive(r) && r->done == r->space) {
		double p = r->done ? (double)r->n[o] / (double)r->done : 0;
		*w = *cp = (struct proportion_ci){p, p, p};
		return;
	}
	*w = stats_wilson(r->n[o], r->done, ALPHA);
	*cp = stats_clopper_pearson(r->n[o], r->done, ALPHA);
}

static void group_table(FILE *f, const char *title, const struct group *g, unsigned int nr)
{
	fprintf(f, "\n%s\n  %-24s %6s", title, "", "n");
	for (int o = 0; o < OUTCOME_COUNT; o++)
		fprintf(f, " %*s",
			(int)(strlen(outcome_name((enum outcome)o)) > 6
				      ? strlen(outcome_name((enum outcome)o))
				      : 6),
			outcome_name((enum outcome)o));
	fprintf(f, "\n");
	for (unsigned int i = 0; i < nr; i++) {
		fprintf(f, "  %-24s %6llu", g[i].name, (unsigned long long)g[i].total);
		for (int o = 0; o < OUTCOME_COUNT; o++)
			fprintf(f, " %*llu",
				(int)(strlen(outcome_name((enum outcome)o)) > 6
					      ? strlen(outcome_name((enum outcome)o))
					      : 6),
				(unsigned long long)g[i].n[o]);
		fprintf(f, "\n");
	}
}

int campaign_report_text(struct results_db *db, int64_t run_id, FILE *f, double margin)
{
	struct report r;

	if (report_load(db, run_id, &r))
		return 1;
	fprintf(f,
		"campaign %s (run %lld, %s): %llu of %llu planned experiments judged, %llu without a verdict "
		"yet; fault space %llu points%s\n",
		r.name, (long long)run_id, r.mode, (unsigned long long)r.done, (unsigned long long)r.planned,
		(unsigned long long)r.unfinished, (unsigned long long)r.space,
		report_exhaustive(&r) ? " (exhaustive: counts are exact)" : "");
	fprintf(f, "\n  %-16s %6s %12s %25s %25s\n", "outcome", "n", "extrapolated", "95% Wilson",
		"95% Clopper-Pearson");
	for (int o = 0; o < OUTCOME_COUNT; o++) {
		struct proportion_ci w, cp;
		double N = (double)r.space;
		report_intervals(&r, o, &w, &cp);
		fprintf(f, "  %-16s %6llu %12.0f   [%10.0f, %10.0f]   [%10.0f, %10.0f]\n",
			outcome_name((enum outcome)o), (unsigned long long)r.n[o], r.weight[o], w.lo * N,
			w.hi * N, cp.lo * N, cp.hi * N);
	}
	fprintf(f,
		"\nsample size for a margin of %.1f %% at 95 %% (Leveugle et al., p = 0.5): %llu "
		"experiments\n",
		margin * 100, (unsigned long long)stats_leveugle_sample_size(r.space, margin, ALPHA, 0.5));
	group_table(f, "per fault model:", r.models, r.nr_models);
	group_table(f, "per site:", r.sites, r.nr_sites);
	char title[96];
	snprintf(title, sizeof(title), "per injection time (%s; %llu experiments):", r.time_kind,
		 (unsigned long long)r.timed);
	group_table(f, title, r.bins, r.timed ? r.nr_bins : 0);
	size_t n = json_array_size(r.notable);
	fprintf(f, "\nisolation breaks and hypervisor panics: %zu\n", n);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(r.notable, i);
		fprintf(f, "  #%lld %s: %s\n    %s\n    replay: tessera fi campaign replay %s %lld\n",
			(long long)json_integer_value(json_object_get(e, "experiment")),
			json_string_value(json_object_get(e, "outcome")),
			json_string_value(json_object_get(e, "fault")),
			json_string_value(json_object_get(e, "detail")), db->path,
			(long long)json_integer_value(json_object_get(e, "experiment")));
	}
	json_decref(r.notable);
	return 0;
}

static json_t *groups_json(const struct group *g, unsigned int nr)
{
	json_t *a = json_array();

	for (unsigned int i = 0; i < nr; i++) {
		json_t *o = json_pack("{s:s, s:I}", "name", g[i].name, "n", (json_int_t)g[i].total);
		for (int k = 0; k < OUTCOME_COUNT; k++)
			json_object_set_new(o, outcome_name((enum outcome)k),
					    json_integer((json_int_t)g[i].n[k]));
		json_array_append_new(a, o);
	}
	return a;
}

int campaign_report_json(struct results_db *db, int64_t run_id, FILE *f, double margin)
{
	struct report r;

	if (report_load(db, run_id, &r))
		return 1;
	json_t *outcomes = json_object();
	for (int o = 0; o < OUTCOME_COUNT; o++) {
		struct proportion_ci w, cp;
		double N = (double)r.space;
		report_intervals(&r, o, &w, &cp);
		json_object_set_new(outcomes, outcome_name((enum outcome)o),
				    json_pack("{s:I, s:f, s:[f,f], s:[f,f], s:s}", "n", (json_int_t)r.n[o],
					      "extrapolated", r.weight[o], "wilson95", w.lo * N, w.hi * N,
					      "clopper_pearson95", cp.lo * N, cp.hi * N, "definition",
					      outcome_definition((enum outcome)o)));
	}
	json_t *o =
		json_pack("{s:s, s:I, s:s, s:I, s:I, s:I, s:I, s:b, s:o, s:{s:f, s:I}, s:o, s:o, s:o, s:o}",
			  "campaign", r.name, "run", (json_int_t)run_id, "mode", r.mode, "space_size",
			  (json_int_t)r.space, "planned", (json_int_t)r.planned, "judged", (json_int_t)r.done,
			  "without_verdict", (json_int_t)r.unfinished, "exhaustive", report_exhaustive(&r),
			  "outcomes", outcomes, "sample_size", "margin", margin, "experiments",
			  (json_int_t)stats_leveugle_sample_size(r.space, margin, ALPHA, 0.5), "per_model",
			  groups_json(r.models, r.nr_models), "per_site", groups_json(r.sites, r.nr_sites),
			  "per_time", groups_json(r.bins, r.timed ? r.nr_bins : 0), "notable", r.notable);
	json_object_set_new(o, "time_kind", json_string(r.time_kind));
	json_dumpf(o, f, JSON_INDENT(2));
	fputc('\n', f);
	json_decref(o);
	return 0;
}
