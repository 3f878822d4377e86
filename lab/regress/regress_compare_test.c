/*
 * lab regress's comparison on hand-made results: a case that now fails, a gone case and a slower metric
 * are each named; a known failure and an equal metric are not regressions; the margin and rates work
 * the right way round; a baseline round-trips through a results database.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../bench/results_db.h"
#include "regress_compare.h"

static char report[8192];

static unsigned int compare(const struct regress_baseline *b, struct regress_result *now, double margin)
{
	const char *names[] = {"s"};
	FILE *f = fmemopen(report, sizeof(report), "w");
	cr_assert(f);
	unsigned int n = regress_compare(b, names, now, 1, margin, f);
	fclose(f);
	return n;
}

static struct regress_result *base_step(struct regress_baseline *b)
{
	static char *names[] = {"s"};
	b->steps = calloc(1, sizeof(*b->steps));
	b->step_names = names;
	b->nr_steps = 1;
	b->steps[0].complete = true;
	return &b->steps[0];
}

Test(regress_compare, names_each_regression_and_nothing_else)
{
	struct regress_baseline b = {.run_id = 1};
	struct regress_result *was = base_step(&b), now = {.complete = true};

	regress_add_case(was, true, NULL, "s/a");
	regress_add_case(was, true, NULL, "s/gone");
	regress_add_case(was, false, "old", "s/known");
	regress_add_metric(was, "x/cost", "insns", 150);
	regress_add_metric(was, "x/same", "insns", 200);
	regress_add_metric(was, "x/rate", "msgs/s", 1000);
	regress_add_case(&now, false, "not stopped", "s/a");
	regress_add_case(&now, false, "still", "s/known");
	regress_add_metric(&now, "x/cost", "insns", 151);
	regress_add_metric(&now, "x/same", "insns", 200);
	regress_add_metric(&now, "x/rate", "msgs/s", 1001);

	cr_expect_eq(compare(&b, &now, 0), 3, "%s", report);
	cr_expect(strstr(report, "REGRESSION s/a: now fails (not stopped); passed in the baseline\n"), "%s",
		  report);
	cr_expect(strstr(report, "REGRESSION s/gone: the case is gone"), "%s", report);
	cr_expect(strstr(report, "REGRESSION x/cost: slower: 150 -> 151 insns"), "%s", report);
	cr_expect(strstr(report, "known failure s/known"), "%s", report);
	cr_expect(!strstr(report, "x/same") && !strstr(report, "x/rate"), "%s", report);

	/* One instruction in 150 is inside a 1% margin; a rate 10% lower is outside it. */
	now.metrics[2].value = 900;
	cr_expect_eq(compare(&b, &now, 0.01), 3, "%s", report);
	cr_expect(!strstr(report, "x/cost"), "%s", report);
	cr_expect(strstr(report, "REGRESSION x/rate: lower: 1000 -> 900 msgs/s"), "%s", report);
	regress_result_free(&now);
	regress_result_free(was);
	free(b.steps);
}

/* A campaign's outcome table: with the total fixed, any change makes a class grow, a new one from zero. */
Test(regress_compare, an_outcome_class_that_grows_is_named_with_more)
{
	struct regress_baseline b = {.run_id = 1};
	struct regress_result *was = base_step(&b), now = {.complete = true};

	regress_add_metric(was, "campaign/outcomes/detected", "experiments", 4);
	regress_add_metric(was, "campaign/outcomes/benign", "experiments", 1);
	regress_add_metric(was, "campaign/outcomes/sdc", "experiments", 0);
	regress_add_metric(&now, "campaign/outcomes/detected", "experiments", 3);
	regress_add_metric(&now, "campaign/outcomes/benign", "experiments", 1);
	regress_add_metric(&now, "campaign/outcomes/sdc", "experiments", 1);

	cr_expect_eq(compare(&b, &now, 0), 1, "%s", report);
	cr_expect(strstr(report, "REGRESSION campaign/outcomes/sdc: more: 0 -> 1 experiments (0 in the "
				 "baseline)\n"),
		  "%s", report);
	cr_expect(!strstr(report, "detected") && !strstr(report, "benign"), "%s", report);
	/* the same table again: nothing */
	regress_result_free(&now);
	now = (struct regress_result){.complete = true};
	regress_add_metric(&now, "campaign/outcomes/detected", "experiments", 4);
	regress_add_metric(&now, "campaign/outcomes/benign", "experiments", 1);
	regress_add_metric(&now, "campaign/outcomes/sdc", "experiments", 0);
	cr_expect_eq(compare(&b, &now, 0), 0, "%s", report);
	regress_result_free(&now);
}

Test(regress_compare, without_a_baseline_every_failure_and_incomplete_step_counts)
{
	struct regress_result now = {.complete = true};

	regress_add_case(&now, true, NULL, "s/ok");
	cr_expect_eq(compare(NULL, &now, 0), 0, "%s", report);
	regress_add_case(&now, false, "bad", "s/bad");
	regress_incomplete(&now, "the boot timed out");
	cr_expect_eq(compare(NULL, &now, 0), 2, "%s", report);
	cr_expect(strstr(report, "REGRESSION s: the step could not judge: the boot timed out"), "%s", report);
	cr_expect(strstr(report, "REGRESSION s/bad: now fails (bad)\n"), "%s", report);
	regress_result_free(&now);
}

Test(regress_compare, a_steps_baseline_is_the_latest_done_regress_run_that_ran_it)
{
	char dir[] = "/tmp/tessera-regress-ut.XXXXXX", path[64], cmd[96];
	struct results_db db;
	struct regress_baseline b;
	int64_t run;

	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.db", dir);
	cr_assert_eq(results_db_open(&db, path), 0);
	for (int i = 0; i < 4; i++) {
		/* Runs 1-3 ran step s, run 4 only step t (--steps t). */
		const char *step = i == 3 ? "t" : "s";
		struct rdb_case c = {"s/a", i == 1 ? "fail" : "pass", NULL};
		struct rdb_sample m = {"x", "cost", "insns", 0, 100.0 + i, false};
		struct rdb_job j = {.run_id = 0, .source = "regress", .name = step};
		cr_assert_eq(results_db_run_begin(&db, &(struct rdb_run){.plan = REGRESS_PLAN}, &run), 0);
		j.run_id = run;
		cr_assert_eq(results_db_add_job(&db, &j, &c, 1, NULL), 0);
		struct rdb_boot boot = {.configuration = step};
		cr_assert_eq(results_db_add_boot(&db, run, &boot, &m, 1, NULL), 0);
		/* The third run never finished: step s's baseline is the second run. */
		if (i != 2)
			cr_assert_eq(results_db_run_end(&db, run, "done"), 0);
	}
	results_db_close(&db);
	cr_assert_eq(regress_baseline_load(path, &b), 0);
	cr_expect_eq(b.run_id, 4);
	cr_assert_eq(b.nr_steps, 2);
	cr_expect_str_eq(b.step_names[1], "t");
	cr_expect_eq(b.steps[1].metrics[0].value, 103.0);
	cr_expect_str_eq(b.step_names[0], "s");
	cr_assert_eq(b.steps[0].nr_cases, 1);
	cr_expect_not(b.steps[0].cases[0].pass);
	cr_assert_eq(b.steps[0].nr_metrics, 1);
	cr_expect_str_eq(b.steps[0].metrics[0].name, "x/cost");
	cr_expect_eq(b.steps[0].metrics[0].value, 101.0);
	regress_baseline_free(&b);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}
