/* The doorbell rows of `tessera bench exit-cost` (exit_cost_doorbell.c). */
#ifndef TESSERA_BENCH_EXIT_COST_DOORBELL_H
#define TESSERA_BENCH_EXIT_COST_DOORBELL_H

#include <stdbool.h>

struct exit_cost_doorbell {
	unsigned long long send, recv; /* each side's hypervisor instructions (medians) */
	unsigned long long nop;	       /* the sender's null hypercalls, by the same count (a cross-check) */
	unsigned long long send_min, send_max, recv_min, recv_max;
	unsigned int samples;
};

/*
 * One boot of the doorbell system (config: NULL for configs/bench-doorbell.yaml beside the tree), with
 * QEMU's per-instruction log: `calls` doorbells, tracing as `record` (through trace record) with the
 * hypervisor command line `append` (may be NULL). 0, 1 with the reason on stderr, or 130/143 when
 * SIGINT/SIGTERM stopped the boot.
 */
int exit_cost_doorbell_run(const char *exe_dir, const char *config, unsigned int calls, bool record,
			   const char *append, struct exit_cost_doorbell *out);

#endif
