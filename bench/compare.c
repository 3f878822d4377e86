/*
 * The comparison of two sides of a sample set, as a table or as JSON. Metrics missing on one side are
 * named, not compared.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"

void compare_compute(const struct sample_set *s, const struct compare_options *o, struct compare_result *r)
{
	r->c = calloc(s->nr + 1, sizeof(*r->c));
	r->metric = calloc(s->nr + 1, sizeof(*r->metric));
	r->n = 0;
	if (!r->c || !r->metric)
		abort();
	for (size_t i = 0; i < s->nr; i++) {
		const struct metric_samples *m = &s->metrics[i];
		if (!m->side[0].n || !m->side[1].n)
			continue;
		struct stats_comparison *c = &r->c[r->n];
		*c = (struct stats_comparison){.lower_is_better = m->lower_is_better,
					       .margin = o->margin,
					       .alpha = o->alpha,
					       .seed = o->seed,
					       .resamples = o->resamples};
		stats_compare(m->side[0].v, m->side[0].n, m->side[1].v, m->side[1].n, c);
		r->metric[r->n++] = i;
	}
	stats_compare_family(r->c, r->n);
}

void compare_result_free(struct compare_result *r)
{
	free(r->c);
	free(r->metric);
}

const char *compare_verdict_text(const struct stats_comparison *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", stats_verdict_name(c->verdict), c->exact ? " (exact)" : "");
	return buf;
}

/* A bound as text: "inf" for an unbounded interval. */
static const char *num(double v, char *buf, size_t len)
{
	if (isinf(v))
		snprintf(buf, len, "%sinf", v < 0 ? "-" : "");
	else
		snprintf(buf, len, "%.4g", v);
	return buf;
}

void compare_print_text(FILE *f, const struct sample_set *s, const struct compare_options *o,
			const struct compare_result *r)
{
	char a[32], b[32], c3[32], d[32], v[48];
	size_t family = 0;
	for (size_t i = 0; i < r->n; i++)
		family += stats_in_family(&r->c[i]);
	fprintf(f, "baseline: %s\ncontender: %s\n", s->baseline, s->contender);
	fprintf(f,
		"one observation = one %s; ratio = contender/baseline median; 95%% CI of the ratio; p = "
		"Mann-Whitney U (two-sided), Holm-adjusted over %zu metrics, called below %.3g; margin "
		"%.3g%%\n\n",
		s->observation ? s->observation : "sample", family, o->alpha > 0 ? o->alpha : 0.05,
		o->margin * 100);
	fprintf(f, "%-32s %-6s %5s %12s %12s %8s %-23s %-20s %9s %9s %-27s %8s %s\n", "metric", "unit", "n",
		"baseline", "contender", "ratio", "95% CI", "CI method", "p", "p(Holm)", "HL shift [95% CI]",
		"MDE", "verdict");
	for (size_t i = 0; i < r->n; i++) {
		const struct stats_comparison *c = &r->c[i];
		const struct metric_samples *m = &s->metrics[r->metric[i]];
		char ci[96], hl[128], n[48], mde[24], ratio[24];
		if (!strcmp(c->ci_method, "none"))
			snprintf(ci, sizeof(ci), "none");
		else
			snprintf(ci, sizeof(ci), "[%s, %s]", num(c->ratio_lo, a, sizeof(a)),
				 num(c->ratio_hi, b, sizeof(b)));
		if (isnan(c->ratio))
			snprintf(ratio, sizeof(ratio), "none");
		else
			snprintf(ratio, sizeof(ratio), "%.4f", c->ratio);
		snprintf(hl, sizeof(hl), "%+.4g [%s, %s]", c->hl_shift, num(c->hl_lo, c3, sizeof(c3)),
			 num(c->hl_hi, d, sizeof(d)));
		snprintf(n, sizeof(n), "%zu/%zu", c->m, c->n);
		if (isinf(c->mde))
			snprintf(mde, sizeof(mde), "none");
		else
			snprintf(mde, sizeof(mde), "%.2f%%", c->mde * 100);
		fprintf(f, "%-32s %-6s %5s %12.6g %12.6g %8s %-23s %-20s %9.3g %9.3g %-27s %8s %s%s%s\n",
			m->name, m->unit, n, c->median_x, c->median_y, ratio, ci, c->ci_method, c->mwu.p,
			c->p_holm, hl, mde, compare_verdict_text(c, v, sizeof(v)), c->note ? ": " : "",
			c->note ? c->note : "");
	}
	for (size_t i = 0; i < s->nr; i++)
		if (!s->metrics[i].side[0].n || !s->metrics[i].side[1].n)
			fprintf(f, "%-32s only in the %s\n", s->metrics[i].name,
				s->metrics[i].side[0].n ? "baseline" : "contender");
	fprintf(f,
		"\nMDE: the smallest relative change these samples detect with 80%% power at %.3g; "
		"\"none\": too few observations for any.\n",
		o->alpha > 0 ? o->alpha : 0.05);
	fprintf(f,
		"CI method: exact-rank when a side has fewer than %d observations, else bootstrap-percentile "
		"from %u resamples (seed %llu); exact: 2+ equal observations a side, outside Holm's "
		"family.\n",
		STATS_BOOTSTRAP_MIN_N, o->resamples ? o->resamples : STATS_BOOTSTRAP_RESAMPLES,
		(unsigned long long)o->seed);
}

/* JSON has no infinity: an unbounded end is null. */
static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

void compare_print_json(FILE *f, const struct sample_set *s, const struct compare_options *o,
			const struct compare_result *r)
{
	json_t *root = json_object(), *list = json_array();
	json_object_set_new(root, "baseline", json_string(s->baseline));
	json_object_set_new(root, "contender", json_string(s->contender));
	json_object_set_new(root, "observation", json_string(s->observation ? s->observation : "sample"));
	json_object_set_new(root, "margin", json_real(o->margin));
	json_object_set_new(root, "alpha", json_real(o->alpha > 0 ? o->alpha : 0.05));
	json_object_set_new(root, "bootstrap_resamples",
			    json_integer(o->resamples ? o->resamples : STATS_BOOTSTRAP_RESAMPLES));
	json_object_set_new(root, "seed", json_integer((json_int_t)o->seed));
	for (size_t i = 0; i < r->n; i++) {
		const struct stats_comparison *c = &r->c[i];
		const struct metric_samples *m = &s->metrics[r->metric[i]];
		json_t *j = json_object();
		json_object_set_new(j, "metric", json_string(m->name));
		json_object_set_new(j, "unit", json_string(m->unit));
		json_object_set_new(j, "lower_is_better", json_boolean(m->lower_is_better));
		json_object_set_new(j, "observation",
				    json_string(m->observation	 ? m->observation
						: s->observation ? s->observation
								 : "sample"));
		json_object_set_new(j, "n_baseline", json_integer((json_int_t)c->m));
		json_object_set_new(j, "n_contender", json_integer((json_int_t)c->n));
		json_object_set_new(j, "median_baseline", json_real(c->median_x));
		json_object_set_new(j, "median_contender", json_real(c->median_y));
		json_object_set_new(j, "ratio", jnum(c->ratio));
		json_object_set_new(j, "ratio_ci95",
				    json_pack("[o, o]", jnum(c->ratio_lo), jnum(c->ratio_hi)));
		json_object_set_new(j, "ratio_ci90",
				    json_pack("[o, o]", jnum(c->ratio_lo90), jnum(c->ratio_hi90)));
		json_object_set_new(j, "ci_method", json_string(c->ci_method));
		json_object_set_new(j, "u", json_real(c->mwu.u));
		json_object_set_new(j, "p", json_real(c->mwu.p));
		json_object_set_new(j, "p_exact", json_boolean(c->mwu.exact));
		json_object_set_new(j, "p_holm", json_real(c->p_holm));
		json_object_set_new(j, "hl_shift", json_real(c->hl_shift));
		json_object_set_new(j, "hl_ci95", json_pack("[o, o]", jnum(c->hl_lo), jnum(c->hl_hi)));
		json_object_set_new(j, "mde", jnum(c->mde));
		json_object_set_new(j, "exact", json_boolean(c->exact));
		if (c->note)
			json_object_set_new(j, "note", json_string(c->note));
		json_object_set_new(j, "verdict", json_string(stats_verdict_name(c->verdict)));
		json_array_append_new(list, j);
	}
	json_object_set_new(root, "metrics", list);
	json_dumpf(root, f, JSON_INDENT(2));
	fputc('\n', f);
	json_decref(root);
}
