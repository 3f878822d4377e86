/*
 * The HTML report of a run. For each metric, three gnuplot figures: the distribution of each
 * configuration's samples (box plots), the ratio of each configuration to the baseline with its 95% CI,
 * and the samples in run order (drift shows as a slope). Then the comparison table of each configuration
 * against the baseline (compare.c's numbers), and the run record with its boots. gnuplot writes SVG; an
 * inline script counts the figures that loaded into document.title, which the test reads.
 */
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lab/host_files.h"
#include "compare_db.h"
#include "report.h"

void report_html_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

void report_gp_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
}

struct report_ctx {
	struct results_db *db;
	int64_t run;
	const char *dir;
	char configs[DBSET_MAX_CONFIGS][256];
	size_t nr_configs, baseline;
	const struct compare_options *o;
	/* comparisons of every configuration but the baseline against it */
	struct sample_set sets[DBSET_MAX_CONFIGS];
	struct compare_result results[DBSET_MAX_CONFIGS];
	FILE *gp, *html;
	unsigned int figures;
};

static FILE *open_in(const char *dir, const char *name)
{
	char path[4400];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "tessera bench report: cannot write %s: %s\n", path, strerror(errno));
	return f;
}

/* The samples of one metric, one gnuplot data block per configuration: "run_position value". */
static int write_samples(struct report_ctx *c, size_t mi, const char *metric)
{
	char name[64];
	snprintf(name, sizeof(name), "samples_%zu.dat", mi);
	FILE *f = open_in(c->dir, name);
	if (!f)
		return 1;
	sqlite3_stmt *st;
	sqlite3_prepare_v2(
		c->db->db,
		"SELECT b.run_order + (s.iteration + 0.5) / (1 + (SELECT max(iteration) FROM samples"
		" WHERE boot_id = b.id)), s.value FROM samples s JOIN boots b ON s.boot_id = b.id"
		" WHERE b.run_id = ? AND b.configuration = ? AND b.status = 'done' AND NOT s.warmup"
		" AND s.workload || '/' || s.metric = ? ORDER BY b.run_order, s.iteration",
		-1, &st, NULL);
	for (size_t k = 0; k < c->nr_configs; k++) {
		fprintf(f, "# %s\n", c->configs[k]);
		sqlite3_bind_int64(st, 1, c->run);
		sqlite3_bind_text(st, 2, c->configs[k], -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, metric, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(st) == SQLITE_ROW)
			fprintf(f, "%.9g %.17g\n", sqlite3_column_double(st, 0),
				sqlite3_column_double(st, 1));
		fprintf(f, "\n\n");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return fclose(f) ? 1 : 0;
}

/* The comparison of configuration k for metric name, or NULL. */
static const struct stats_comparison *find_cmp(struct report_ctx *c, size_t k, const char *metric)
{
	const struct compare_result *r = &c->results[k];
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(c->sets[k].metrics[r->metric[i]].name, metric))
			return &r->c[i];
	return NULL;
}

static void gp_figure(struct report_ctx *c, const char *file, const char *title, const char *unit)
{
	fprintf(c->gp, "set output '%s'\nset title '", file);
	report_gp_text(c->gp, title);
	fprintf(c->gp, "'\nset ylabel '");
	report_gp_text(c->gp, unit);
	fprintf(c->gp, "'\n");
	c->figures++;
}

static void gp_xtics(struct report_ctx *c, bool skip_baseline)
{
	fprintf(c->gp, "set xtics (");
	for (size_t k = 0, n = 0; k < c->nr_configs; k++) {
		if (skip_baseline && k == c->baseline)
			continue;
		fprintf(c->gp, "%s'", n++ ? ", " : "");
		report_gp_text(c->gp, c->configs[k]);
		fprintf(c->gp, "' %zu", k);
	}
	fprintf(c->gp, ")\n");
}

/* Ratios to the baseline with their CI; an unbounded CI is drawn as the point alone. */
static int ratio_figure(struct report_ctx *c, size_t mi, const char *metric)
{
	char file[64], title[600], ratio_file[64];
	snprintf(ratio_file, sizeof(ratio_file), "ratio_%zu.dat", mi);
	FILE *f = open_in(c->dir, ratio_file);
	if (!f)
		return 1;
	for (size_t k = 0; k < c->nr_configs; k++) {
		const struct stats_comparison *s = k == c->baseline ? NULL : find_cmp(c, k, metric);
		if (s)
			fprintf(f, "%zu %.17g %.17g %.17g\n", k, s->ratio,
				isfinite(s->ratio_lo) ? s->ratio_lo : s->ratio,
				isfinite(s->ratio_hi) ? s->ratio_hi : s->ratio);
	}
	fclose(f);
	snprintf(file, sizeof(file), "ratio_%zu.svg", mi);
	snprintf(title, sizeof(title), "%s: ratio to %s, 95%% CI", metric, c->configs[c->baseline]);
	gp_figure(c, file, title, "ratio");
	gp_xtics(c, true);
	fprintf(c->gp, "set xrange [-0.5:%zu.5]\nunset key\n", c->nr_configs - 1);
	fprintf(c->gp,
		"plot 1 with lines lc rgb 'gray' dt 2, '%s' using 1:2:3:4 with yerrorbars pt 7 lc rgb "
		"'#1f5fa0'\n",
		ratio_file);
	return 0;
}

/* The figures of one metric; *html gets their img elements. */
static int metric_figures(struct report_ctx *c, size_t mi, const char *metric, const char *unit)
{
	char file[64], title[600];
	if (write_samples(c, mi, metric))
		return 1;
	/* Distributions. */
	snprintf(file, sizeof(file), "dist_%zu.svg", mi);
	snprintf(title, sizeof(title), "%s: samples per configuration", metric);
	gp_figure(c, file, title, unit);
	gp_xtics(c, false);
	fprintf(c->gp, "set xrange [-0.5:%zu.5]\nset style fill solid 0.3\nunset key\n", c->nr_configs - 1);
	fprintf(c->gp, "plot for [k=0:%zu] 'samples_%zu.dat' index k using (k):2 with boxplot lc k+1\n",
		c->nr_configs - 1, mi);
	fprintf(c->html, "<img src=\"dist_%zu.svg\" alt=\"distributions\">", mi);
	/* With one configuration there is nothing to take a ratio to. */
	if (c->nr_configs > 1) {
		if (ratio_figure(c, mi, metric))
			return 1;
		fprintf(c->html, "<img src=\"ratio_%zu.svg\" alt=\"ratios\">", mi);
	}
	/* Run order. */
	snprintf(file, sizeof(file), "order_%zu.svg", mi);
	snprintf(title, sizeof(title), "%s: samples in run order (boot position)", metric);
	gp_figure(c, file, title, unit);
	fprintf(c->gp, "unset xtics\nset xtics autofreq\nset autoscale x\nset key outside right\n");
	for (size_t k = 0; k < c->nr_configs; k++) {
		fprintf(c->gp,
			"%s'samples_%zu.dat' index %zu using 1:2 with points pt 7 ps 0.5 lc %zu title '",
			k ? ", " : "plot ", mi, k, k + 1);
		report_gp_text(c->gp, c->configs[k]);
		fputc('\'', c->gp);
	}
	fputc('\n', c->gp);
	fprintf(c->html, "<img src=\"order_%zu.svg\" alt=\"run order\">\n", mi);
	return 0;
}

static void html_num(FILE *f, double v)
{
	if (isinf(v))
		fputs(v < 0 ? "&minus;&infin;" : "&infin;", f);
	else
		fprintf(f, "%.4g", v);
}

static void html_table(struct report_ctx *c, size_t k)
{
	const struct sample_set *s = &c->sets[k];
	const struct compare_result *r = &c->results[k];
	FILE *h = c->html;
	fputs("<h3>", h);
	report_html_text(h, s->contender);
	fputs(" against ", h);
	report_html_text(h, s->baseline);
	fprintf(h,
		"</h3>\n<p>One observation is one %s. Ratio: contender / baseline median, 95%% CI; p: "
		"Mann-Whitney U, Holm-adjusted over %zu metrics; margin %.3g%%.</p>\n",
		s->observation, r->n, c->o->margin * 100);
	fputs("<table><tr><th>metric</th><th>unit</th><th>n</th><th>baseline</th><th>contender</th>"
	      "<th>ratio</th><th>95% CI</th><th>CI method</th><th>p</th><th>p (Holm)</th><th>HL shift</th>"
	      "<th>HL 95% CI</th><th>MDE</th><th>verdict</th></tr>\n",
	      h);
	for (size_t i = 0; i < r->n; i++) {
		const struct stats_comparison *x = &r->c[i];
		char v[48];
		fputs("<tr><td>", h);
		report_html_text(h, s->metrics[r->metric[i]].name);
		fputs("</td><td>", h);
		report_html_text(h, s->metrics[r->metric[i]].unit);
		fprintf(h, "</td><td>%zu/%zu</td><td>%.6g</td><td>%.6g</td><td>%.4f</td><td>[", x->m, x->n,
			x->median_x, x->median_y, x->ratio);
		html_num(h, x->ratio_lo);
		fputs(", ", h);
		html_num(h, x->ratio_hi);
		fprintf(h, "]</td><td>%s</td><td>%.3g</td><td>%.3g</td><td>%+.4g</td><td>[", x->ci_method,
			x->mwu.p, x->p_holm, x->hl_shift);
		html_num(h, x->hl_lo);
		fputs(", ", h);
		html_num(h, x->hl_hi);
		fputs("]</td><td>", h);
		if (isinf(x->mde))
			fputs("none", h);
		else
			fprintf(h, "%.2f%%", x->mde * 100);
		fprintf(h, "</td><td class=\"%s\">%s</td></tr>\n", stats_verdict_name(x->verdict),
			compare_verdict_text(x, v, sizeof(v)));
	}
	fputs("</table>\n", h);
}

/* Every column of a query as an HTML table. */
static void html_query(struct report_ctx *c, const char *sql)
{
	sqlite3_stmt *st;
	FILE *h = c->html;
	if (sqlite3_prepare_v2(c->db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, c->run);
	fputs("<table><tr>", h);
	for (int i = 0; i < sqlite3_column_count(st); i++) {
		fputs("<th>", h);
		report_html_text(h, sqlite3_column_name(st, i));
		fputs("</th>", h);
	}
	fputs("</tr>\n", h);
	while (sqlite3_step(st) == SQLITE_ROW) {
		fputs("<tr>", h);
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			fputs("<td>", h);
			report_html_text(h, (const char *)sqlite3_column_text(st, i));
			fputs("</td>", h);
		}
		fputs("</tr>\n", h);
	}
	fputs("</table>\n", h);
	sqlite3_finalize(st);
}

/*
 * Each boot's run record (boots.record, docs/bench.md): a row a boot with what identifies it (seed, the
 * config's and the image's hashes, why it failed), the command lines and host in a <details> in its last
 * cell, so that a run of many boots stays a compact table. SQLite's JSON functions read the record; a
 * database from before records (version 1) or a record that is not JSON shows empty cells.
 */
static void html_boot_records(struct report_ctx *c)
{
	static const char sql[] =
		"WITH b AS (SELECT *, CASE WHEN json_valid(record) THEN record END AS r FROM boots"
		" WHERE run_id = ?)"
		" SELECT run_order, configuration, workload, boot_index, status,"
		" json_extract(r, '$.record.seed'), substr(json_extract(r, '$.record.config_sha256'), 1, 12),"
		" substr(json_extract(r, '$.record.image_sha256'), 1, 12), json_extract(r, '$.failure'),"
		" json_extract(r, '$.summary'), json_extract(r, '$.record.qemu_cmdline'),"
		" json_extract(r, '$.record.hv_cmdline'),"
		" json_extract(r, '$.record.host.cpu') || ', ' || json_extract(r, '$.record.host.kernel'),"
		" json_extract(r, '$.record.git_revision'), json_extract(r, '$.record.repeat'),"
		" json_extract(r, '$.record.config_sha256'), json_extract(r, '$.record.image_sha256')"
		" FROM b ORDER BY run_order";
	static const char *const heads[] = {"order", "configuration", "workload",     "boot",	"status",
					    "seed",  "config sha256", "image sha256", "failure"};
	static const char *const details[] = {"summary",       "QEMU command line", "hypervisor command line",
					      "host",	       "git revision",	    "repeat with",
					      "config sha256", "image sha256"};
	sqlite3_stmt *st;
	FILE *h = c->html;
	if (sqlite3_prepare_v2(c->db->db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "tessera bench report: boot records: %s\n", sqlite3_errmsg(c->db->db));
		return;
	}
	sqlite3_bind_int64(st, 1, c->run);
	fputs("<table><tr>", h);
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		fprintf(h, "<th>%s</th>", heads[i]);
	fputs("<th>record</th></tr>\n", h);
	while (sqlite3_step(st) == SQLITE_ROW) {
		fputs("<tr>", h);
		int col = 0;
		for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++, col++) {
			fputs("<td>", h);
			report_html_text(h, (const char *)sqlite3_column_text(st, col));
			fputs("</td>", h);
		}
		fputs("<td><details><summary>details</summary><dl>", h);
		for (size_t i = 0; i < sizeof(details) / sizeof(details[0]); i++, col++) {
			fprintf(h, "<dt>%s</dt><dd><code>", details[i]);
			report_html_text(h, (const char *)sqlite3_column_text(st, col));
			fputs("</code></dd>", h);
		}
		fputs("</dl></details></td></tr>\n", h);
	}
	fputs("</table>\n", h);
	sqlite3_finalize(st);
}

const char report_html_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>tessera bench "
	"report</title>\n"
	"<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
	"td,th{border:1px solid #bbb;padding:2px 6px;font-size:90%}img{width:640px;margin:4px}"
	".slower{color:#a00}.faster{color:#070}</style>\n"
	/* The figures that loaded, in the title, for headless checks: "figures N/M loaded". */
	"<script>window.addEventListener('load', function () {\n"
	"  var imgs = document.images, ok = 0;\n"
	"  for (var i = 0; i < imgs.length; i++) if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++;\n"
	"  document.title = 'figures ' + ok + '/' + imgs.length + ' loaded';\n"
	"});</script></head><body>\n";

int report_run_gnuplot(const char *dir)
{
	char cd[4200], log[4200];
	char *out = NULL;

	/* gnuplot writes the figures where figures.gp names them: relative to dir, so it starts there. */
	if (strchr(dir, '\'') || strchr(dir, '"')) {
		fprintf(stderr, "tessera bench report: %s: gnuplot cannot be told a directory with quotes\n",
			dir);
		return 1;
	}
	snprintf(cd, sizeof(cd), "cd '%s'", dir);
	snprintf(log, sizeof(log), "%s/gnuplot.log", dir);
	char *argv[] = {"gnuplot", "-e", cd, "figures.gp", NULL}; /* after the cd: in dir */
	int status = lab_spawn_capture(argv, true, &out);
	/* Its warnings (a constant series' "empty y range") go to a log, shown only on failure. */
	FILE *f = fopen(log, "w");
	if (f) {
		if (out)
			fputs(out, f);
		fclose(f);
	}
	free(out);
	if (status == 127) {
		fprintf(stderr, "tessera bench report: cannot run gnuplot (Debian: gnuplot-nox)\n");
		return 1;
	}
	if (status) {
		fprintf(stderr,
			"tessera bench report: gnuplot failed on %s/figures.gp (see %s/gnuplot.log)\n", dir,
			dir);
		return 1;
	}
	return 0;
}

static int write_all(struct report_ctx *c)
{
	FILE *h = c->html;
	fprintf(c->gp,
		"set terminal svg size 640,360 font 'sans,11' background rgb 'white'\n"
		"set termoption noenhanced\nset grid ytics\nset offsets 0, 0, graph 0.05, graph 0.05\n");
	fputs(report_html_head, h);
	fprintf(h, "<h1>tessera bench report: run %lld</h1>\n<p>Baseline: ", (long long)c->run);
	report_html_text(h, c->configs[c->baseline]);
	fputs("</p>\n<h2>Comparisons</h2>\n", h);
	for (size_t k = 0; k < c->nr_configs; k++)
		if (k != c->baseline)
			html_table(c, k);
	fputs("<h2>Figures</h2>\n", h);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(c->db->db,
			   "SELECT s.workload || '/' || s.metric, min(s.unit) FROM samples s JOIN boots b"
			   " ON s.boot_id = b.id WHERE b.run_id = ? GROUP BY 1 ORDER BY 1",
			   -1, &st, NULL);
	sqlite3_bind_int64(st, 1, c->run);
	int ret = 0;
	for (size_t mi = 0; !ret && sqlite3_step(st) == SQLITE_ROW; mi++) {
		const char *metric = (const char *)sqlite3_column_text(st, 0);
		fputs("<h3>", h);
		report_html_text(h, metric);
		fputs("</h3>\n", h);
		ret = metric_figures(c, mi, metric, (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	fputs("<h2>Run record</h2>\n", h);
	html_query(c, "SELECT * FROM runs WHERE id = ?");
	fputs("<h2>Boots</h2>\n", h);
	html_query(
		c,
		"SELECT configuration, boot_index, run_order, status, started, ended, load_start, load_end,"
		" (SELECT count(*) FROM samples WHERE boot_id = boots.id) AS samples"
		" FROM boots WHERE run_id = ? ORDER BY run_order");
	fputs("<h2>Boot records</h2>\n", h);
	html_boot_records(c);
	fputs("</body></html>\n", h);
	return ret;
}

int report_write(struct results_db *db, int64_t run, const char *baseline, const char *dir,
		 const struct compare_options *o)
{
	static struct report_ctx c;
	memset(&c, 0, sizeof(c));
	c.db = db;
	c.run = run;
	c.dir = dir;
	c.o = o;
	c.nr_configs = dbset_configurations(db, run, c.configs, DBSET_MAX_CONFIGS);
	if (!c.nr_configs) {
		fprintf(stderr, "tessera bench report: %s: run %lld has no completed boot\n", db->path,
			(long long)run);
		return 2;
	}
	/* As bench compare: without --baseline, the configuration the plan names first. */
	c.baseline = dbset_plan_first(db, run, c.configs, c.nr_configs);
	for (size_t k = 0; baseline && k <= c.nr_configs; k++) {
		c.baseline = k;
		if (k < c.nr_configs && !strcmp(c.configs[k], baseline))
			break;
	}
	if (c.baseline == c.nr_configs) {
		fprintf(stderr, "tessera bench report: run %lld has no configuration '%s'\n", (long long)run,
			baseline);
		return 2;
	}
	int ret = 0;
	for (size_t k = 0; !ret && k < c.nr_configs; k++) {
		if (k == c.baseline)
			continue;
		ret = dbset_load(db, run, c.configs[c.baseline], c.configs[k], &c.sets[k]);
		if (!ret)
			compare_compute(&c.sets[k], o, &c.results[k]);
	}
	if (!ret && mkdir(dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "tessera bench report: cannot create %s: %s\n", dir, strerror(errno));
		ret = 1;
	}
	if (!ret) {
		c.gp = open_in(dir, "figures.gp");
		c.html = open_in(dir, "index.html");
		ret = c.gp && c.html ? write_all(&c) : 1;
		if (c.gp && fclose(c.gp))
			ret = 1;
		if (c.html && fclose(c.html))
			ret = 1;
	}
	if (!ret)
		ret = report_run_gnuplot(dir);
	for (size_t k = 0; k < c.nr_configs; k++) {
		if (k != c.baseline && c.results[k].c)
			compare_result_free(&c.results[k]);
		sample_set_free(&c.sets[k]);
	}
	return ret;
}
