/*
 * The campaign report as HTML (campaign_report.h): DIR/index.html with gnuplot figures (SVG) of the
 * extrapolated count of each outcome with its 95 % Wilson interval, and of the outcomes per fault model
 * and per injection time; then the tables of the text form and every isolation break and panic with its
 * replay command. The page's head and gnuplot's invocation are the benchmark report's (bench/report.h),
 * so both reports load and are checked alike ("figures N/M loaded" in the title).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../../bench/report.h"
#include "campaign_report.h"
#include "campaign_report_data.h"

static FILE *open_in(const char *dir, const char *name)
{
	char path[4400];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "tessera fi campaign report: %s: %s\n", path, strerror(errno));
	return f;
}

/* A stacked histogram of groups x outcomes: data file NAME.dat, figure NAME.svg. */
static int stacked(const char *dir, FILE *gp, const char *name, const char *title, const struct group *g,
		   unsigned int nr)
{
	char file[64];

	snprintf(file, sizeof(file), "%s.dat", name);
	FILE *d = open_in(dir, file);
	if (!d)
		return 1;
	fprintf(d, "group");
	for (int o = 0; o < OUTCOME_COUNT; o++)
		fprintf(d, " %s", outcome_name((enum outcome)o));
	fprintf(d, "\n");
	for (unsigned int i = 0; i < nr; i++) {
		fprintf(d, "\"%s\"", g[i].name);
		for (int o = 0; o < OUTCOME_COUNT; o++)
			fprintf(d, " %llu", (unsigned long long)g[i].n[o]);
		fprintf(d, "\n");
	}
	if (!nr) { /* gnuplot refuses a plot without data: one empty group */
		fprintf(d, "\"(none)\"");
		for (int o = 0; o < OUTCOME_COUNT; o++)
			fprintf(d, " 0");
		fprintf(d, "\n");
	}
	if (fclose(d))
		return 1;
	fprintf(gp, "set output '%s.svg'\nset title '", name);
	report_gp_text(gp, title);
	fprintf(gp,
		"'\nset style data histograms\nset style histogram rowstacked\nset style fill solid 0.8\n"
		"set boxwidth 0.7\nset key outside right\nset xtics rotate by -30\nset ylabel 'experiments'\n"
		"plot for [k=2:%d] '%s' using k:xtic(1) title columnheader(k)\nunset xtics\nset xtics\n",
		OUTCOME_COUNT + 1, file);
	return 0;
}

static int outcome_figure(const char *dir, FILE *gp, const struct report *r)
{
	FILE *d = open_in(dir, "outcomes.dat");
	double N = (double)r->space;

	if (!d)
		return 1;
	for (int o = 0; o < OUTCOME_COUNT; o++) {
		struct proportion_ci w, cp;
		report_intervals(r, o, &w, &cp);
		fprintf(d, "%d %s %.3f %.3f %.3f\n", o, outcome_name((enum outcome)o), r->weight[o], w.lo * N,
			w.hi * N);
	}
	if (fclose(d))
		return 1;
	fprintf(gp,
		"set output 'outcomes.svg'\nset title 'extrapolated count per outcome, 95%% Wilson "
		"interval'\n"
		"set style fill solid 0.6\nset boxwidth 0.6\nset ylabel 'fault-space points'\nset key off\n"
		"set xtics rotate by -30\nset yrange [0:*]\n"
		"plot 'outcomes.dat' using 1:3:xtic(2) with boxes, '' using 1:3:4:5 with yerrorbars lc rgb "
		"'black'\n"
		"set yrange [*:*]\n");
	return 0;
}

static void html_tables(FILE *h, const struct report *r, const char *db)
{
	double N = (double)r->space;

	fprintf(h, "<table><tr><th>outcome</th><th>n</th><th>extrapolated</th><th>95%% Wilson</th>"
		   "<th>95%% Clopper-Pearson</th><th>definition</th></tr>\n");
	for (int o = 0; o < OUTCOME_COUNT; o++) {
		struct proportion_ci w, cp;
		report_intervals(r, o, &w, &cp);
		fprintf(h,
			"<tr><td>%s</td><td>%llu</td><td>%.0f</td><td>[%.0f, %.0f]</td><td>[%.0f, "
			"%.0f]</td><td>",
			outcome_name((enum outcome)o), (unsigned long long)r->n[o], r->weight[o], w.lo * N,
			w.hi * N, cp.lo * N, cp.hi * N);
		report_html_text(h, outcome_definition((enum outcome)o));
		fputs("</td></tr>\n", h);
	}
	fputs("</table>\n<h2>Isolation breaks and hypervisor panics</h2>\n", h);
	size_t n = json_array_size(r->notable);
	fprintf(h, "<p>%zu</p>\n<ul>\n", n);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(r->notable, i);
		long long x = (long long)json_integer_value(json_object_get(e, "experiment"));
		fprintf(h, "<li>#%lld %s: ", x, json_string_value(json_object_get(e, "outcome")));
		report_html_text(h, json_string_value(json_object_get(e, "fault")));
		fputs("<br><code>", h);
		report_html_text(h, json_string_value(json_object_get(e, "detail")));
		fputs("</code><br>replay: <code>tessera fi campaign replay ", h);
		report_html_text(h, db);
		fprintf(h, " %lld</code></li>\n", x);
	}
	fputs("</ul>\n", h);
}

int campaign_report_html(struct results_db *db, int64_t run_id, const char *dir, double margin)
{
	struct report r;

	if (report_load(db, run_id, &r))
		return 1;
	if (mkdir(dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "tessera fi campaign report: cannot create %s: %s\n", dir, strerror(errno));
		json_decref(r.notable);
		return 1;
	}
	FILE *gp = open_in(dir, "figures.gp"), *h = open_in(dir, "index.html");
	int ret = gp && h ? 0 : 1;
	if (!ret) {
		fprintf(gp,
			"set terminal svg size 720,400 font 'sans,11' background rgb 'white'\n"
			"set termoption noenhanced\nset grid ytics\n"
			"set linetype 9 lc rgb '#2ca02c'\n"); /* 9 outcomes: the 9th of gnuplot's 8 colours */
		ret = outcome_figure(dir, gp, &r) ||
		      stacked(dir, gp, "models", "outcomes per fault model", r.models, r.nr_models) ||
		      stacked(dir, gp, "times", "outcomes per injection time", r.bins,
			      r.timed ? r.nr_bins : 0);
		fputs(report_html_head, h);
		fputs("<h1>tessera fi campaign report: ", h);
		report_html_text(h, r.name);
		fprintf(h,
			" (run %lld, %s)</h1>\n<p>%llu of %llu planned experiments judged, %llu without a "
			"verdict "
			"yet; fault space %llu points%s. Sample size for a margin of %.1f %% at 95 %% "
			"(Leveugle "
			"et al.): %llu.</p>\n",
			(long long)run_id, r.mode, (unsigned long long)r.done, (unsigned long long)r.planned,
			(unsigned long long)r.unfinished, (unsigned long long)r.space,
			report_exhaustive(&r) ? " (exhaustive: counts are exact)" : "", margin * 100,
			(unsigned long long)stats_leveugle_sample_size(r.space, margin, 0.05, 0.5));
		html_tables(h, &r, db->path);
		fputs("<h2>Figures</h2>\n<img src=\"outcomes.svg\" alt=\"outcomes\">\n"
		      "<img src=\"models.svg\" alt=\"per model\">\n<img src=\"times.svg\" alt=\"per time\">\n"
		      "</body></html>\n",
		      h);
	}
	if (gp && fclose(gp))
		ret = 1;
	if (h && fclose(h))
		ret = 1;
	json_decref(r.notable);
	return ret ? 1 : report_run_gnuplot(dir);
}
