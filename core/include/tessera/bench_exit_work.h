/*
 * The bench-only hypervisor option `bench_exit_work=N` (core/bench_exit_work.c): a known amount of work
 * added to every exit, so that a benchmark can plant an effect of exactly known size (docs/performance.md
 * gives the per-exit cost: BENCH_EXIT_WORK_FIXED + 2 * N instructions under icount).
 */
#ifndef TESSERA_BENCH_EXIT_WORK_H
#define TESSERA_BENCH_EXIT_WORK_H

#include <tessera/compiler.h>

/* The largest N accepted: 2 * N instructions must stay far below a timer period of the guests. */
#define BENCH_EXIT_WORK_MAX 10000000ULL

/*
 * Instructions every exit pays for the option's hook client beyond the 2 * N of its loop, measured on
 * the null hypercall (tessera bench exit-cost --append bench_exit_work=0, against no option): the exit
 * point's armed path (vcpu_exit_hooked instead of the inline path, the client walk, the indirect call)
 * and the callback's own instructions. tests/integration/exit_cost_test.c checks it exactly.
 */
#define BENCH_EXIT_WORK_FIXED 109

/*
 * Before any cell starts: with `bench_exit_work=N` on the command line, register the client that runs
 * the loop on every exit; without it, register nothing (the exit path costs what it did). A malformed N
 * stops the machine with TESSERA_EXIT_BAD_CONFIG.
 */
void bench_exit_work_init(const char *cmdline);

#endif
