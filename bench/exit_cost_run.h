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
	const char *records; /* each boot's run record in this directory; NULL: beside out (see --help) */
	bool help;
};

int exit_cost_parse_options(int argc, char **argv, struct exit_cost_options *o);
/* src with every cell's "calls=200" set to calls (and, with modes, the first cell's mode) in a scratch
 * file at path; 0 or -1. */
int exit_cost_write_config(const char *src, unsigned int calls, const char *modes, char *path, size_t size);
/* One deterministic boot (-icount shift=0,sleep=off) of config through the lab's runner (record: with
 * the trace channel, as `tessera trace record` records) with the hypervisor command line append and the
 * QEMU arguments qemu (NULL-terminated); its console, and how the boot ended when it failed, into *out
 * (heap); the exit status (130/143 when SIGINT/SIGTERM stopped it). */
int exit_cost_boot(const char *config, bool record, const char *append, const char *const *qemu, char **out);
/* Where exit_cost_boot() writes the run record of the next boots (docs/lab-runner.md); NULL: nowhere. */
void exit_cost_set_record_path(const char *path);
/* Whether a boot's status says that SIGINT or SIGTERM stopped it (then nothing more is started). */
static inline bool exit_cost_interrupted(int status)
{
	return status == 130 || status == 143;
}
int exit_cost_run(const struct exit_cost_options *o);
/* "exitbench: mode=M ... net=N ... loop_check=L": 0 with *net and *loop_check, else -1. */
int exit_cost_parse_line(const char *text, const char *mode, unsigned long long *net,
			 unsigned long long *loop_check);

#endif
