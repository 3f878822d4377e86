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
	const char *doorbell_config; /* NULL: configs/bench-doorbell.yaml beside the executable's tree */
	bool help;
};

int exit_cost_parse_options(int argc, char **argv, struct exit_cost_options *o);
/* src with every cell's "calls=200" set to calls (and, with modes, the first cell's mode) in a scratch
 * file at path; 0 or -1. */
int exit_cost_write_config(const char *src, unsigned int calls, const char *modes, char *path, size_t size);
/* `tessera run` (record: `tessera trace record`) of config with the hypervisor command line append and
 * the QEMU arguments qemu (NULL-terminated); its output into *out (heap); the exit status. */
int exit_cost_boot(const char *dir, const char *config, bool record, const char *append,
		   const char *const *qemu, char **out);
int exit_cost_run(const struct exit_cost_options *o);
/* "exitbench: mode=M ... net=N ... loop_check=L": 0 with *net and *loop_check, else -1. */
int exit_cost_parse_line(const char *text, const char *mode, unsigned long long *net,
			 unsigned long long *loop_check);

#endif
