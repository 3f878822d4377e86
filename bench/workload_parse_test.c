/* The workloads' BENCH lines: accepted logs, and every malformed line refused at its field's column. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload_parse.h"

static int parse(const char *text, struct workload_results *r, char *err)
{
	memset(r, 0, sizeof(*r));
	return workload_parse_text(text, "log", r, err, 256);
}

Test(workload_parse, reads_samples_params_and_done_per_cell)
{
	static const char log[] = "[cpu0] Tessera hypervisor\n"
				  "[a] BENCH cpuint param iters 2\n"
				  "[a] BENCH cpuint sieve tsc_ticks 0 1200\n"
				  "[b] BENCH cpuint sieve tsc_ticks 0 7\n"
				  "[a] BENCH cpuint sieve tsc_ticks 1 1300\r\n"
				  "[a] BENCH cpuint hash instructions 0 18446744073709551615\n"
				  "[a] BENCH cpuint done samples=3\n"
				  "[b] BENCH cpuint done samples=1\n"
				  "[cpu0] shutdown: 2 cells finished, 0 failed\n";
	struct workload_results r;
	char err[256] = "";
	uint64_t v[4], iters = 0;

	cr_assert_eq(parse(log, &r, err), 0, "%s", err);
	cr_expect_eq(r.nr_samples, 4);
	cr_expect_eq(r.nr_runs, 2);
	cr_expect(workload_get_param(&r, "a", "cpuint", "iters", &iters));
	cr_expect_eq(iters, 2);
	cr_expect_not(workload_get_param(&r, "b", "cpuint", "iters", &iters));
	cr_assert_eq(workload_get_samples(&r, "a", "cpuint", "sieve", v, 4), 2);
	cr_expect(v[0] == 1200 && v[1] == 1300);
	cr_assert_eq(workload_get_samples(&r, "a", "cpuint", "hash", v, 4), 1);
	cr_expect_eq(v[0], UINT64_MAX);
	cr_expect_eq(r.samples[3].unit, WORKLOAD_UNIT_INSTRUCTIONS);
	cr_assert_eq(workload_get_samples(&r, "b", "cpuint", "sieve", v, 4), 1);
	cr_expect_eq(v[0], 7);
	cr_expect(workload_find_run(&r, "b", "cpuint")->done);
	cr_expect_null(workload_find_run(&r, "c", "cpuint"));
	workload_results_free(&r);
}

Test(workload_parse, other_lines_are_not_bench_lines)
{
	static const char *const others[] = {
		"",
		"BENCHMARK x y tsc_ticks 0 1",
		"[a] BENCHES",
		"[a] hello BENCH x",
		"[a]BENCH x done samples=0",
		"[] BENCH x done samples=0 extra",
		"bench x done samples=0",
		" BENCH x done samples=0",
	};
	struct workload_line l;
	unsigned int col;
	char err[256];

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		cr_expect_eq(workload_parse_line(others[i], strlen(others[i]), &l, &col, err, sizeof(err)), 0,
			     "'%s' taken for a BENCH line", others[i]);
	cr_expect_eq(workload_parse_line("BENCH x done samples=0", 22, &l, &col, err, sizeof(err)), 1);
	cr_expect_str_eq(l.cell, "");
	cr_expect_eq(l.kind, WORKLOAD_LINE_DONE);
}

/* Each malformed line, the column its error names and the field. */
Test(workload_parse, malformed_lines_name_their_field_and_column)
{
	static const struct {
		const char *line;
		unsigned int col;
		const char *field;
	} bad[] = {
		{"[a] BENCH", 10, "workload: missing"},
		{"[a] BENCH Cpu sieve tsc_ticks 0 1", 11, "workload:"},
		{"[a] BENCH cpu", 14, "metric: missing"},
		{"[a] BENCH cpu sie-ve tsc_ticks 0 1", 15, "metric:"},
		{"[a] BENCH cpu sieve", 20, "unit: missing"},
		{"[a] BENCH cpu sieve cycles 0 1", 21, "unit: 'cycles' is not one of tsc_ticks|instructions"},
		{"[a] BENCH cpu sieve tsc_ticks", 30, "iteration: missing"},
		{"[a] BENCH cpu sieve tsc_ticks x 1", 31, "iteration:"},
		{"[a] BENCH cpu sieve tsc_ticks 0", 32, "value: missing"},
		{"[a] BENCH cpu sieve tsc_ticks 0 -1", 33, "value:"},
		{"[a] BENCH cpu sieve tsc_ticks 0 +1", 33, "value:"},
		{"[a] BENCH cpu sieve tsc_ticks 0 01", 33, "value:"},
		{"[a] BENCH cpu sieve tsc_ticks 0 1.5", 33, "value:"},
		{"[a] BENCH cpu sieve tsc_ticks 0 18446744073709551616", 33, "value:"},
		{"[a] BENCH cpu sieve tsc_ticks 0 1 2", 35, "line: too many fields"},
		{"[a] BENCH cpu sieve tsc_ticks 0 1 ", 35, "line: an empty field"},
		{"[a] BENCH cpu  sieve tsc_ticks 0 1", 15, "line: an empty field"},
		{"[a] BENCH cpu param", 20, "param:"},
		{"[a] BENCH cpu param Size 4", 21, "key:"},
		{"[a] BENCH cpu param size 4k", 26, "value:"},
		{"[a] BENCH cpu done", 19, "done:"},
		{"[a] BENCH cpu done 3", 20, "samples: want"},
		{"[a] BENCH cpu done samples=", 20, "samples: want"},
		{"[a] BENCH cpu done samples=x", 28, "samples:"},
		{"[a] BENCH abcdefghijklmnopqrstuvwxyz0123456 done samples=0", 11, "workload:"},
	};
	struct workload_line l;
	unsigned int col;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		col = 0;
		err[0] = '\0';
		cr_expect_eq(
			workload_parse_line(bad[i].line, strlen(bad[i].line), &l, &col, err, sizeof(err)), -1,
			"'%s' accepted", bad[i].line);
		cr_expect_eq(col, bad[i].col, "'%s': column %u, want %u (%s)", bad[i].line, col, bad[i].col,
			     err);
		cr_expect(strncmp(err, bad[i].field, strlen(bad[i].field)) == 0, "'%s': '%s', want '%s...'",
			  bad[i].line, err, bad[i].field);
	}
}

/* The checks across lines, each with the line and column of the line that breaks the sequence. */
Test(workload_parse, sequence_errors_are_refused)
{
	static const struct {
		const char *log, *error;
	} bad[] = {
		{"BENCH w m tsc_ticks 0 5\nBENCH w m tsc_ticks 2 5\nBENCH w done samples=2\n",
		 "log:2:21: iteration: 2, want 1"},
		{"BENCH w m tsc_ticks 1 5\n", "log:1:21: iteration: 1, want 0"},
		{"BENCH w m tsc_ticks 0 5\nBENCH w m tsc_ticks 0 5\n", "log:2:21: iteration: 0, want 1"},
		{"BENCH w m tsc_ticks 0 5\nBENCH w m bytes 1 5\n", "log:2:11: unit: 'bytes', but metric 'm'"},
		{"BENCH w m tsc_ticks 0 5\nBENCH w done samples=2\n", "log:2:22: samples: 2, but 1 sample"},
		{"BENCH w done samples=0\nBENCH w m tsc_ticks 0 5\n",
		 "log:2:7: workload: 'w' already printed"},
		{"BENCH w done samples=0\nBENCH w done samples=0\n",
		 "log:2:7: workload: 'w' already printed"},
		{"BENCH w param k 1\nBENCH w param k 2\n", "log:2:15: key: 'k' given twice"},
		{"x\n[c] BENCH w m tsc_ticks 0 5\n[c] BENCH w m tsc_ticks 1 5\n",
		 "log:2:1: done: workload 'w' in cell 'c' has no done line"},
		{"x\n[c] BENCH w m tsc_ticks 0 5\n[c] BENCH w m bogus 1 5\n", "log:3:15: unit: 'bogus'"},
	};
	struct workload_results r;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cr_expect_eq(parse(bad[i].log, &r, err), -1, "accepted:\n%s", bad[i].log);
		cr_expect(strncmp(err, bad[i].error, strlen(bad[i].error)) == 0, "'%s', want '%s...'", err,
			  bad[i].error);
		workload_results_free(&r);
	}
}

Test(workload_parse, many_samples_grow_the_arrays)
{
	char *log = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&log, &size);
	struct workload_results r;
	char err[256];
	uint64_t v[1000];

	for (int i = 0; i < 1000; i++)
		fprintf(f, "[x] BENCH w m tsc_ticks %d %d\n", i, 1000 - i);
	fprintf(f, "[x] BENCH w done samples=1000\n");
	fclose(f);
	cr_assert_eq(parse(log, &r, err), 0, "%s", err);
	cr_assert_eq(workload_get_samples(&r, "x", "w", "m", v, 1000), 1000);
	for (int i = 0; i < 1000; i++)
		cr_expect_eq(v[i], (uint64_t)(1000 - i));
	workload_results_free(&r);
	free(log);
}

/* docs/workloads.md's unit table is the WORKLOAD_UNITS table, row for row. */
Test(workload_parse, docs_unit_table_matches_workload_units)
{
	static const char *const rows[] = {
#define WORKLOAD_UNIT_ROW(NAME, word, meaning) "  | `" word "` | " meaning " |",
		WORKLOAD_UNITS(WORKLOAD_UNIT_ROW)
#undef WORKLOAD_UNIT_ROW
	};
	FILE *f = fopen(TESSERA_SOURCE_ROOT "/docs/workloads.md", "r");
	char line[512];
	size_t n = 0;
	bool in = false;

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strstr(line, "<!-- BEGIN WORKLOAD_UNITS")) {
			in = true;
			continue;
		}
		if (strstr(line, "<!-- END WORKLOAD_UNITS"))
			break;
		if (!in || !strstr(line, "| `"))
			continue;
		cr_assert_lt(n, WORKLOAD_NR_UNITS, "an extra row: %s", line);
		cr_expect_str_eq(line, rows[n],
				 "row %zu of docs/workloads.md differs from bench/workload_format.h", n);
		n++;
	}
	fclose(f);
	cr_expect_eq(n, WORKLOAD_NR_UNITS, "%zu rows in docs/workloads.md, %d units", n, WORKLOAD_NR_UNITS);
}

/* The console and the results page interleave cells differently; the same results compare equal, and the
 * first difference (a value, a missing sample, a param) is named. */
Test(workload_parse, compare_ignores_cell_order_and_names_the_first_difference)
{
	const char *console = "[a] BENCH w param n 3\n[b] BENCH w m count 0 5\n[a] BENCH w m count 0 1\n"
			      "[b] BENCH w m count 1 6\n[a] BENCH w m count 1 2\n[a] BENCH w done samples=2\n"
			      "[b] BENCH w done samples=2\n";
	const char *page = "[a] BENCH w param n 3\n[a] BENCH w m count 0 1\n[a] BENCH w m count 1 2\n"
			   "[a] BENCH w done samples=2\n[b] BENCH w m count 0 5\n[b] BENCH w m count 1 6\n"
			   "[b] BENCH w done samples=2\n";
	struct workload_results c = {0}, p = {0};
	char err[256];

	cr_assert_eq(workload_parse_text(console, "console", &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(workload_parse_text(page, "page", &p, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(workload_results_compare(&c, &p, err, sizeof(err)), 0, "%s", err);
	p.samples[3].value = 7; /* b's iteration 1 */
	cr_expect_eq(workload_results_compare(&c, &p, err, sizeof(err)), -1);
	cr_expect(strstr(err, "sample b/w/m iteration 1: 6 count against b/w/m 1: 7 count"), "%s", err);
	p.samples[3].value = 6;
	p.params[0].value = 4;
	cr_expect_eq(workload_results_compare(&c, &p, err, sizeof(err)), -1);
	cr_expect(strstr(err, "param a/w/n: 3 against a/w/n: 4"), "%s", err);
	p.params[0].value = 3;
	p.nr_samples--;
	cr_expect_eq(workload_results_compare(&c, &p, err, sizeof(err)), -1);
	cr_expect(strstr(err, "2 runs, 4 samples, 1 params against 2, 3, 1"), "%s", err);
	p.nr_samples++;
	workload_results_free(&c);
	workload_results_free(&p);
}
