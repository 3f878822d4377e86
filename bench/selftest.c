/*
 * `tessera bench selftest`: bench compare's statistics on data whose truth is known. Baseline and
 * contender draw from the same distribution (A/A: any faster/slower verdict is a false positive) or the
 * contender's draws are scaled by a known ratio (A/B: a slower verdict is a detection). The noise is
 * normal (CV 3%, the wall-clock noise measured between boots on the 2-core lab machine) or lognormal
 * (sigma 0.03, skewed like timing data); each side has 2..20 observations.
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

#include "bench_lab.h"
#include "selftest.h"
#include "stats.h"

static const unsigned int sizes[SELFTEST_SIZES] = {2, 3, 5, 10, 20};
static const char *const families[SELFTEST_FAMILIES] = {"normal", "lognormal"};

#define NOISE  0.03
#define SHIFT  1.05
#define CENTRE 1000.0

static void draw(gsl_rng *rng, int family, double scale, double *v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		v[i] = scale * (family == 0 ? CENTRE + gsl_ran_gaussian(rng, NOISE * CENTRE)
					    : CENTRE * exp(gsl_ran_gaussian(rng, NOISE)));
}

static void add(struct selftest_cell *t, const struct selftest_cell *c)
{
	t->aa += c->aa;
	t->aa_false_positive += c->aa_false_positive;
	t->aa_covered += c->aa_covered;
	t->aa_equivalent += c->aa_equivalent;
	t->ab += c->ab;
	t->ab_detected += c->ab_detected;
	t->ab_covered += c->ab_covered;
}

/* One comparison with the compare defaults (margin 2%, 10000 resamples); the bootstrap seed varies. */
static void one(gsl_rng *rng, int family, unsigned int n, double ratio, uint64_t seed,
		struct selftest_cell *c)
{
	double x[20], y[20];
	draw(rng, family, 1, x, n);
	draw(rng, family, ratio, y, n);
	struct stats_comparison s = {.lower_is_better = true, .margin = 0.02, .seed = seed};
	stats_compare(x, n, y, n, &s);
	stats_compare_family(&s, 1);
	bool covered = s.ratio_lo <= ratio && ratio <= s.ratio_hi;
	if (ratio == 1) {
		c->aa++;
		c->aa_false_positive += s.verdict == VERDICT_FASTER || s.verdict == VERDICT_SLOWER;
		c->aa_covered += covered;
		c->aa_equivalent += s.verdict == VERDICT_EQUIVALENT;
	} else {
		c->ab++;
		c->ab_detected += s.verdict == VERDICT_SLOWER;
		c->ab_covered += covered;
	}
}

void selftest_run(unsigned int reps, uint64_t seed, struct selftest_result *r)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, (unsigned long)seed);
	memset(r, 0, sizeof(*r));
	memcpy(r->sizes, sizes, sizeof(sizes));
	memcpy(r->families, families, sizeof(families));
	r->noise = NOISE;
	r->shift = SHIFT;
	for (int f = 0; f < SELFTEST_FAMILIES; f++)
		for (int k = 0; k < SELFTEST_SIZES; k++) {
			struct selftest_cell *c = &r->cell[f][k];
			for (unsigned int i = 0; i < reps; i++) {
				one(rng, f, sizes[k], 1, seed + i, c);
				one(rng, f, sizes[k], SHIFT, seed + i, c);
			}
			add(&r->total, c);
		}
	gsl_rng_free(rng);
}

static double pct(unsigned int a, unsigned int b)
{
	return b ? 100.0 * a / b : 0;
}

void selftest_print(FILE *f, const struct selftest_result *r)
{
	fprintf(f,
		"bench compare on simulated data: noise %.0f%% (normal: CV; lognormal: sigma), contender "
		"x%.2f "
		"in the A/B cases, margin 2%%\n",
		r->noise * 100, r->shift);
	fprintf(f, "%-10s %3s %6s %10s %13s %12s %6s %10s %13s\n", "noise", "n", "A/A", "false pos",
		"CI covers 1", "equivalent", "A/B", "power", "CI covers r");
	for (int fam = 0; fam < SELFTEST_FAMILIES; fam++)
		for (int k = 0; k < SELFTEST_SIZES; k++) {
			const struct selftest_cell *c = &r->cell[fam][k];
			fprintf(f, "%-10s %3u %6u %9.1f%% %12.1f%% %11.1f%% %6u %9.1f%% %12.1f%%\n",
				r->families[fam], r->sizes[k], c->aa, pct(c->aa_false_positive, c->aa),
				pct(c->aa_covered, c->aa), pct(c->aa_equivalent, c->aa), c->ab,
				pct(c->ab_detected, c->ab), pct(c->ab_covered, c->ab));
		}
	const struct selftest_cell *t = &r->total;
	fprintf(f, "%-10s %3s %6u %9.1f%% %12.1f%% %11.1f%% %6u %9.1f%% %12.1f%%\n", "all", "", t->aa,
		pct(t->aa_false_positive, t->aa), pct(t->aa_covered, t->aa), pct(t->aa_equivalent, t->aa),
		t->ab, pct(t->ab_detected, t->ab), pct(t->ab_covered, t->ab));
	double se = sqrt(0.05 * 0.95 / t->aa);
	fprintf(f,
		"false-positive rate %.2f%% (nominal 5%%, simulation error +-%.2f%%); 95%% CI coverage "
		"%.1f%%\n",
		pct(t->aa_false_positive, t->aa), 100 * se,
		pct(t->aa_covered + t->ab_covered, t->aa + t->ab));
}

static const char usage[] =
	"usage: tessera bench selftest [--reps N] [--seed N]\n"
	"\n"
	"Runs bench compare's statistics on simulated samples (normal and lognormal noise, 2..20\n"
	"observations a side): N A/A and N A/B comparisons per noise and size (default 100). Prints the\n"
	"false-positive rate, how often the 95% CI covers the true ratio, and the power for a 5% shift.\n"
	"Exit status: 0 when the false-positive rate is within 5% + 2 standard errors and the coverage is "
	"at\n"
	"least 93%, 1 otherwise, 2 bad options.\n";

int bench_cmd_selftest(int argc, char **argv)
{
	uint64_t reps = 100, seed = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(a, "--reps") && next) {
			if (bench_parse_u64("selftest", a, argv[++i], 100000, &reps) || !reps)
				return 2;
		} else if (!strcmp(a, "--seed") && next) {
			if (bench_parse_u64("selftest", a, argv[++i], UINT32_MAX, &seed))
				return 2;
		} else {
			fprintf(stderr, "tessera bench selftest: unexpected '%s'\n%s", a, usage);
			return 2;
		}
	}
	struct selftest_result r;
	selftest_run((unsigned int)reps, seed, &r);
	selftest_print(stdout, &r);
	const struct selftest_cell *t = &r.total;
	double fp = (double)t->aa_false_positive / t->aa, se = sqrt(0.05 * 0.95 / t->aa);
	double cover = (double)(t->aa_covered + t->ab_covered) / (t->aa + t->ab);
	return fp <= 0.05 + 2 * se && cover >= 0.93 ? 0 : 1;
}
