/*
 * bench run's plans (plan.h): every error placed at its line and column before anything boots, the
 * interleaved order, and the pieces of a boot that need no QEMU (iters= rewriting, sample collection).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan.h"
#include "run_boot.h"

static char path[64];

static void write_plan(const char *text)
{
	snprintf(path, sizeof(path), "/tmp/tessera-plan-XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	FILE *f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
}

#define GOOD_HEAD "mode: deterministic\nseed: 7\nboots: 3\niterations: 10\nwarmup: 2\nworkloads: [exitloop]\n"

/* Load text; expect the error at line:col with `needle` in its message. */
static void expect_error(const char *text, unsigned int line, unsigned int col, const char *needle)
{
	struct plan *p = calloc(1, sizeof(*p));
	struct config_diag d;

	write_plan(text);
	cr_assert_eq(plan_load(path, p, &d), 2, "loaded:\n%s", text);
	cr_expect_eq(d.line, line, "line %u, want %u: %s", d.line, line, d.message);
	cr_expect_eq(d.col, col, "col %u, want %u: %s", d.col, col, d.message);
	cr_expect(strstr(d.message, needle), "message '%s' lacks '%s'", d.message, needle);
	unlink(path);
	free(p);
}

Test(plan, a_good_plan_loads_with_its_values_and_defaults)
{
	struct plan *p = calloc(1, sizeof(*p));
	struct config_diag d;

	write_plan(GOOD_HEAD "margin: 5%\nconfigurations:\n"
			     "  - name: A\n"
			     "  - name: slow\n    hypervisor: bench_exit_work=10\n    tracing: all-on\n"
			     "    qemu: [-no-hpet]\n    host_cpus: [0]\n");
	cr_assert_eq(plan_load(path, p, &d), 0, "%u:%u: %s", d.line, d.col, d.message);
	cr_expect_eq(p->mode, PLAN_MODE_DETERMINISTIC);
	cr_expect_eq(p->seed, 7);
	cr_expect_eq(p->boots, 3);
	cr_expect_eq(p->iterations, 10);
	cr_expect_eq(p->warmup, 2);
	cr_expect_float_eq(p->margin, 0.05, 1e-12);
	cr_expect_eq(p->nr_configs, 2);
	cr_expect_str_eq(p->configs[1].hv_cmdline, "bench_exit_work=10");
	cr_expect_eq(p->configs[1].tracing, PLAN_TRACING_ALL_ON);
	cr_expect_eq(p->configs[0].tracing, PLAN_TRACING_OFF);
	cr_expect_eq(p->configs[1].nr_qemu_args, 1);
	cr_expect_eq(p->configs[1].host_cpus, 1);
	cr_expect(strstr(p->configs[0].system[0], "configs/bench/exitloop.yaml"), "%s",
		  p->configs[0].system[0]);
	cr_expect_eq(strlen(p->sha256), 64);
	plan_free(p);
	unlink(path);
	free(p);
}

Test(plan, every_error_is_placed_at_its_line_and_column)
{
	expect_error("mode: sometimes\nseed: 1\nboots: 2\niterations: 5\nworkloads: [exitloop]\n"
		     "configurations:\n  - name: A\n",
		     1, 7, "deterministic, wallclock");
	expect_error(GOOD_HEAD "configurations:\n  - name: A\n    tracing: sometimes\n", 9, 14,
		     "off, events-off, all-on");
	expect_error(GOOD_HEAD "configurations:\n  - name: A\n  - name: A\n", 9, 11, "named twice");
	expect_error(GOOD_HEAD "configurations:\n  - name: A\n    colour: blue\n", 9, 5, "colour");
	expect_error("mode: wallclock\nseed: 1\nboots: 0\niterations: 5\nworkloads: [exitloop]\n"
		     "configurations:\n  - name: A\n",
		     3, 8, "from 1 to");
	expect_error("mode: wallclock\nseed: 1\nboots: 2\niterations: 5\nworkloads: [exitloop, Nope]\n"
		     "configurations:\n  - name: A\n",
		     5, 23, "workload name");
	expect_error(GOOD_HEAD "configurations:\n  - name: A\n    hypervisor: trace_events=1\n", 9, 17,
		     "tracing");
	/* hypervisor options against the hypervisor's own table (core/cmdline_options.c), before any boot */
	expect_error(GOOD_HEAD "configurations:\n  - name: A\n    hypervisor: \"nosuch_option=3 "
			       "bench_exit_work=abc\"\n",
		     9, 17, "'nosuch_option=3': unknown option");
	expect_error(GOOD_HEAD "configurations:\n  - name: A\n    hypervisor: bench_exit_work=abc\n", 9, 17,
		     "'bench_exit_work=abc': a number of rounds");
	/* the system configs are checked too: a workload the config does not run, a missing file, a
	 * neighbour that is not there */
	expect_error("mode: wallclock\nseed: 1\nboots: 2\niterations: 5\nworkloads: [cpuint]\n"
		     "configurations:\n  - name: A\n    system: " TESSERA_SOURCE_ROOT
		     "/configs/bench/membw.yaml\n",
		     8, 13, "no cell running workload 'cpuint'");
	expect_error(GOOD_HEAD "configurations:\n  - name: A\n    system: /nonexistent/{workload}.yaml\n", 9,
		     13, "/nonexistent/exitloop.yaml");
	expect_error(GOOD_HEAD "configurations:\n  - name: A\n    neighbours: on\n", 8, 11,
		     "noisy neighbour");
	expect_error("mode: wallclock\nseed: 1\n", 1, 1, "boots");
	expect_error("mode: wallclock\nseed: 1\nboots: 2\niterations: 5\nworkloads: [exitloop, exitlop]\n"
		     "configurations:\n  - name: A\n",
		     5, 23, "no shipped system config for workload 'exitlop'");
}

Test(plan, the_order_holds_every_boot_once_interleaved_and_repeatable)
{
	struct plan *p = calloc(1, sizeof(*p));
	unsigned int n, n2;

	p->nr_configs = 3;
	p->nr_workloads = 2;
	p->boots = 5;
	p->seed = 42;
	struct plan_boot *a = plan_order(p, &n), *b = plan_order(p, &n2);
	cr_assert_eq(n, 30);
	cr_assert_eq(n2, 30);
	int seen[3][10] = {0};
	unsigned int firsts_of_config0 = 0;
	for (unsigned int i = 0; i < n; i++) {
		cr_expect(a[i].config == b[i].config && a[i].boot_index == b[i].boot_index, "not repeatable");
		cr_expect_eq(a[i].boot_index, a[i].workload * 5 + a[i].index);
		seen[a[i].config][a[i].boot_index]++;
		firsts_of_config0 += i < 10 && a[i].config == 0;
	}
	for (int c = 0; c < 3; c++)
		for (int k = 0; k < 10; k++)
			cr_expect_eq(seen[c][k], 1, "config %d boot %d planned %d times", c, k, seen[c][k]);
	/* interleaved in rounds: each round of 6 holds every (configuration, workload) once, at shuffled places */
	cr_expect_lt(firsts_of_config0, 10);
	bool some_round_unsorted = false;
	for (unsigned int r = 0; r < 5; r++) {
		int in_round[3][2] = {0};
		for (unsigned int i = r * 6; i < r * 6 + 6; i++) {
			in_round[a[i].config][a[i].workload]++;
			cr_expect_eq(a[i].index, r, "boot %u of round %u has index %u", i, r, a[i].index);
			some_round_unsorted |= i > r * 6 && a[i].config < a[i - 1].config;
		}
		for (int c = 0; c < 3; c++)
			for (int w = 0; w < 2; w++)
				cr_expect_eq(in_round[c][w], 1, "round %u: config %d workload %d %d times", r,
					     c, w, in_round[c][w]);
	}
	cr_expect(some_round_unsorted, "no round is shuffled");
	p->seed = 43;
	struct plan_boot *c = plan_order(p, &n);
	bool differs = false;
	for (unsigned int i = 0; i < n; i++)
		differs |= c[i].config != a[i].config || c[i].boot_index != a[i].boot_index;
	cr_expect(differs, "another seed, the same order");
	free(a);
	free(b);
	free(c);
	free(p);
}

/* GSL maps an MT19937 seed of 0 to 4357 and keeps 32 bits: the plan's seeds must not alias. */
Test(plan, seeds_0_and_4357_give_different_orders_and_large_seeds_are_refused)
{
	struct plan *p = calloc(1, sizeof(*p));
	unsigned int n, n2;

	p->nr_configs = 4;
	p->nr_workloads = 2;
	p->boots = 5;
	p->seed = 0;
	struct plan_boot *a = plan_order(p, &n);
	p->seed = 4357;
	struct plan_boot *b = plan_order(p, &n2);
	cr_assert_eq(n, n2);
	bool differs = false;
	for (unsigned int i = 0; i < n; i++)
		differs |= a[i].config != b[i].config || a[i].boot_index != b[i].boot_index;
	cr_expect(differs, "seeds 0 and 4357 gave the same order");
	free(a);
	free(b);
	free(p);
	expect_error("mode: wallclock\nseed: 4294967295\nboots: 2\niterations: 5\nworkloads: [exitloop]\n"
		     "configurations:\n  - name: A\n",
		     2, 7, "0 to 4294967294");
}

Test(plan, iters_is_set_in_every_argument_and_only_there)
{
	char *s = run_boot_set_iters("args: \"iters=20 n=5\"\nx: maxiters=3\nargs: 'iters=7'\n", 12);
	cr_assert_not_null(s);
	cr_expect_str_eq(s, "args: \"iters=12 n=5\"\nx: maxiters=3\nargs: 'iters=12'\n");
	free(s);
	cr_expect_null(run_boot_set_iters("args: \"n=5\"\n", 3));
}

static const char console[] = "[exitloop] BENCH exitloop param iters 3\n"
			      "[exitloop] BENCH exitloop cpuid tsc_ticks 0 230\n"
			      "[exitloop] BENCH exitloop cpuid tsc_ticks 1 231\n"
			      "[exitloop] BENCH exitloop cpuid tsc_ticks 2 232\n"
			      "[exitloop] BENCH exitloop done samples=3\n";

Test(plan, samples_are_collected_with_the_warmup_flagged)
{
	struct plan p = {.warmup = 1, .iterations = 2};
	struct run_boot_result r = {0};
	char err[256];

	cr_assert_eq(workload_parse_text(console, "console", &r.parsed, err, sizeof(err)), 0, "%s", err);
	cr_assert(run_boot_collect(&p, "exitloop", &r), "%s", r.why);
	cr_assert_eq(r.nr_samples, 3);
	cr_expect(r.samples[0].warmup);
	cr_expect(!r.samples[1].warmup && !r.samples[2].warmup);
	cr_expect_str_eq(r.samples[2].workload, "exitloop");
	cr_expect_str_eq(r.samples[2].metric, "cpuid");
	cr_expect_str_eq(r.samples[2].unit, "tsc_ticks");
	cr_expect_float_eq(r.samples[2].value, 232, 1e-9);
	run_boot_release(&r);

	/* fewer iterations than planned: the boot fails, it is not recorded short */
	struct plan more = {.warmup = 1, .iterations = 5};
	cr_assert_eq(workload_parse_text(console, "console", &r.parsed, err, sizeof(err)), 0, "%s", err);
	cr_expect(!run_boot_collect(&more, "exitloop", &r));
	cr_expect(strstr(r.why, "3 iterations, the plan wants 6"), "%s", r.why);
	run_boot_release(&r);

	cr_assert_eq(workload_parse_text(console, "console", &r.parsed, err, sizeof(err)), 0, "%s", err);
	cr_expect(!run_boot_collect(&p, "cpuint", &r));
	cr_expect(strstr(r.why, "no results of workload cpuint"), "%s", r.why);
	run_boot_release(&r);
}

/* The full example of docs/bench.md ("The plan format") is a valid plan (its system path made absolute). */
Test(plan, the_example_in_the_docs_loads)
{
	FILE *f = fopen(TESSERA_SOURCE_ROOT "/docs/bench.md", "r");
	static char doc[1 << 17], yaml[8192];
	cr_assert_not_null(f);
	size_t n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = 0;
	const char *sec = strstr(doc, "### The plan format");
	cr_assert_not_null(sec);
	const char *start = strstr(sec, "```yaml\n");
	cr_assert_not_null(start);
	start += strlen("```yaml\n");
	const char *end = strstr(start, "```");
	cr_assert_not_null(end);
	/* ../{workload}.yaml is relative to the plan's directory: the example is written for configs/bench/plans/ */
	const char *rel = strstr(start, "../{workload}.yaml");
	cr_assert(rel && rel < end, "the example's system: line changed");
	snprintf(yaml, sizeof(yaml), "%.*s%s%.*s", (int)(rel - start), start,
		 TESSERA_SOURCE_ROOT "/configs/bench/{workload}.yaml",
		 (int)(end - rel - strlen("../{workload}.yaml")), rel + strlen("../{workload}.yaml"));
	struct plan *p = calloc(1, sizeof(*p));
	struct config_diag d;
	write_plan(yaml);
	cr_assert_eq(plan_load(path, p, &d), 0, "%u:%u: %s\n%s", d.line, d.col, d.message, yaml);
	cr_expect_eq(p->nr_configs, 2);
	cr_expect_eq(p->nr_workloads, 2);
	cr_expect_eq(p->configs[1].nr_qemu_args, 2);
	plan_free(p);
	unlink(path);
	free(p);
}
