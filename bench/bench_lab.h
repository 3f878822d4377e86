/*
 * The results side of `tessera bench`: compare, export, report, history, selftest (and bisect). Each
 * takes argv with argv[0] = its name and returns the exit status (0 ok, 1 failed, 2 bad input).
 */
#ifndef TESSERA_BENCH_BENCH_LAB_H
#define TESSERA_BENCH_BENCH_LAB_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#define BENCH_LAB_COMMANDS(X)                                                                         \
	X(run, "run PLAN.yaml [-o DB] [--resume]: boot a plan's configurations, record every sample") \
	X(compare, "compare DB or OLD.json NEW.json: ratio, CI, U test, Holm, verdict")               \
	X(export, "export DB -o FILE.json: Google Benchmark JSON (compare.py reads it)")              \
	X(report, "report DB -o DIR: an HTML page with gnuplot figures")                              \
	X(bisect, "bisect GOOD BAD -- CMD...: git bisect run, slower than GOOD = bad")                \
	X(history, "history DB METRIC: the series by git revision, with change points")               \
	X(selftest, "selftest: false-positive rate, CI coverage and power on simulated data")         \
	X(simulate, "simulate -o DB CONFIG[=RATIO]...: a run of simulated samples, to try the above")

#define X(name, summary) int bench_cmd_##name(int argc, char **argv);
BENCH_LAB_COMMANDS(X)
#undef X

/* Dispatch argv[0] to its command; returns -1 when argv[0] is none of them. */
int bench_lab_dispatch(int argc, char **argv);
/* The one-line summaries, for `tessera bench --help`. */
void bench_lab_usage(FILE *f);

/* Option values shared by the commands: "2%" or "0.02"; a decimal count. Print an error, return -1. */
int bench_parse_margin(const char *cmd, const char *s, double *out);
/* A relative change, "10%" or "0.1", 0 or more. */
int bench_parse_change(const char *cmd, const char *s, double *out);
int bench_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t max, uint64_t *out);
/* A fraction below 1 and above 0 (or 0 too, with zero_ok); -1 with a message naming cmd and opt. */
int bench_parse_fraction(const char *cmd, const char *opt, const char *s, bool zero_ok, double *out);

#endif
