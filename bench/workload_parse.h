/*
 * Reading the workloads' result lines (bench/workload_format.h, docs/workloads.md) out of a console log.
 * Pure C on the host; the benchmark runner and the integration tests use it.
 *
 * workload_parse_text() reads a whole log: lines that are not BENCH lines are skipped, BENCH lines are
 * checked one by one (workload_parse_line) and as a sequence: a metric's iterations run 0, 1, 2... with
 * one unit, nothing follows a workload's done line, the done line's count equals the samples read, and
 * every workload that started has ended. Each (cell, workload) is a separate run: two cells may run the
 * same workload. The first error stops the parse: "SOURCE:LINE:COL: FIELD: what is wrong".
 */
#ifndef TESSERA_BENCH_WORKLOAD_PARSE_H
#define TESSERA_BENCH_WORKLOAD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workload_format.h"

#define WORKLOAD_STR (WORKLOAD_NAME_MAX + 1)

enum workload_line_kind { WORKLOAD_LINE_SAMPLE, WORKLOAD_LINE_PARAM, WORKLOAD_LINE_DONE };

/* One BENCH line. `name` is the metric (sample), the key (param), empty (done); `value` the sample, the
 * param's value, or the done line's sample count. */
struct workload_line {
	enum workload_line_kind kind;
	char cell[WORKLOAD_STR]; /* from the console's "[cell] " prefix; "" without one */
	char workload[WORKLOAD_STR];
	char name[WORKLOAD_STR];
	enum workload_unit unit;
	uint64_t iteration, value;
	/* 0-based offsets of the fields in the line: BENCH, workload, metric/param/done, then unit or key,
	 * iteration or value (or samples=N), value; for the sequence checks' messages. */
	size_t at[6];
};

struct workload_sample {
	char cell[WORKLOAD_STR], workload[WORKLOAD_STR], metric[WORKLOAD_STR];
	enum workload_unit unit;
	uint64_t iteration, value;
};

struct workload_param {
	char cell[WORKLOAD_STR], workload[WORKLOAD_STR], key[WORKLOAD_STR];
	uint64_t value;
};

/* One workload's run in one cell. */
struct workload_run {
	char cell[WORKLOAD_STR], workload[WORKLOAD_STR];
	uint64_t samples;  /* sample lines read */
	bool done;	   /* its done line was read */
	unsigned int line; /* where it started (for errors) */
};

struct workload_results {
	struct workload_sample *samples;
	size_t nr_samples, cap_samples;
	struct workload_param *params;
	size_t nr_params, cap_params;
	struct workload_run *runs;
	size_t nr_runs, cap_runs;
};

/*
 * One line, without its newline (a trailing '\r' is allowed). 1: a BENCH line, in *out; 0: not a BENCH
 * line (no "BENCH" word after the optional "[cell] " prefix); -1: a malformed BENCH line, with the
 * 1-based column of the bad field in *col and "FIELD: what" in err.
 */
int workload_parse_line(const char *line, size_t len, struct workload_line *out, unsigned int *col, char *err,
			size_t errsize);
/* A whole log (NUL-terminated) into *r (start it zeroed). 0, or -1 with the message in err; `source`
 * names the log in messages. */
int workload_parse_text(const char *text, const char *source, struct workload_results *r, char *err,
			size_t errsize);
void workload_results_free(struct workload_results *r);
/*
 * The same results from two channels (the console and the results page, bench/results_page.h)? 0 when
 * both hold the same runs (count and end), the same samples (cell, workload, metric, iteration, unit,
 * value) and the same params, whatever the order of cells; else -1 with the first difference in err.
 */
int workload_results_compare(const struct workload_results *a, const struct workload_results *b, char *err,
			     size_t errsize);

/* Lookups: cell "" matches a log without prefixes. */
const struct workload_run *workload_find_run(const struct workload_results *r, const char *cell,
					     const char *workload);
bool workload_get_param(const struct workload_results *r, const char *cell, const char *workload,
			const char *key, uint64_t *value);
/* The samples of one metric in iteration order: up to max values into v; returns how many there are. */
size_t workload_get_samples(const struct workload_results *r, const char *cell, const char *workload,
			    const char *metric, uint64_t *v, size_t max);

/*
 * The fault-injection inmates' lines (docs/workloads.md): fiself's "FI ..." and canary's "CANARY ...".
 * A run that ends without its closing line (the cell crashed, hung or was stopped) is an outcome for the
 * campaign to classify, not malformed input: its `done` stays false. Malformed lines, round or pass
 * numbers out of sequence, and closing lines that contradict the lines before them are errors
 * ("SOURCE:LINE:COL: FIELD: what").
 */
#define WORKLOAD_CANARY_KEPT 64 /* change reports kept per canary (all are counted) */

struct workload_fi {
	char cell[WORKLOAD_STR];
	uint64_t rounds_seen, rounds_mismatched; /* FI round= lines; those with a mismatch */
	bool done;				 /* the FI result= line was read: */
	uint32_t result;
	bool check_ok;
	uint64_t rounds;
};

struct workload_canary_change {
	uint64_t addr, pass, was, now;
	bool page; /* a checksummed page (was/now unknown), else a pattern word */
};

struct workload_canary {
	char cell[WORKLOAD_STR];
	uint64_t passes_ok, changes_seen; /* CANARY ok lines; CANARY changed lines */
	struct workload_canary_change changes[WORKLOAD_CANARY_KEPT];
	uint64_t last_pass; /* of the lines read so far */
	bool done;	    /* the CANARY done line was read: */
	uint64_t passes, changed, bytes;
};

struct workload_fi_results {
	struct workload_fi *fi;
	size_t nr_fi, cap_fi;
	struct workload_canary *canaries;
	size_t nr_canaries, cap_canaries;
};

int workload_parse_fi_text(const char *text, const char *source, struct workload_fi_results *r, char *err,
			   size_t errsize);
void workload_fi_results_free(struct workload_fi_results *r);
const struct workload_fi *workload_find_fi(const struct workload_fi_results *r, const char *cell);
const struct workload_canary *workload_find_canary(const struct workload_fi_results *r, const char *cell);

#endif
