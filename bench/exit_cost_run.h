/* `tessera bench exit-cost` (exit_cost_run.c). */
#ifndef TESSERA_BENCH_EXIT_COST_RUN_H
#define TESSERA_BENCH_EXIT_COST_RUN_H

#include <stdbool.h>

struct exit_cost_options {
	const char *out;    /* Google Benchmark JSON, NULL: none */
	const char *config; /* NULL: configs/bench-exit.yaml beside the executable's tree */
	unsigned int calls; /* samples per boot */
	bool all_cases;	    /* also "events off" and "all events on" (tracing through trace record) */
	const char *rows;   /* comma-separated modes to run, NULL: all */
	const char *append; /* more hypervisor command line for every boot (e.g. bench_exit_work=N) */
	bool help;
};

int exit_cost_parse_options(int argc, char **argv, struct exit_cost_options *o);
int exit_cost_run(const struct exit_cost_options *o);
/* "exitbench: mode=M ... net=N ... loop_check=L": 0 with *net and *loop_check, else -1. */
int exit_cost_parse_line(const char *text, const char *mode, unsigned long long *net,
			 unsigned long long *loop_check);

#endif
