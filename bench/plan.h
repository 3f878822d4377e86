/*
 * A benchmark plan (docs/bench.md, "Plans"): which configurations to boot, with which workloads, how
 * often, in which mode. plan_load() reads the YAML (libcyaml, plan_schema.c), checks every value and
 * every system config it names before anything boots, and reports the first error at its place in the
 * plan: `tessera: PLAN:LINE:COL: what is wrong` (exit status 2).
 */
#ifndef TESSERA_BENCH_PLAN_H
#define TESSERA_BENCH_PLAN_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "../cli/config/compile.h"

#define PLAN_MAX_CONFIGS   16
#define PLAN_MAX_WORKLOADS 8
#define PLAN_MAX_QEMU_ARGS 16
#define PLAN_MAX_SEED	   0xfffffffeULL /* the order is drawn from MT19937 seeded with seed + 1 */
#define PLAN_MAX_BOOTS	   1000		 /* per configuration and workload */
#define PLAN_WORKLOAD_VAR  "{workload}"

enum plan_mode { PLAN_MODE_DETERMINISTIC, PLAN_MODE_WALLCLOCK };
enum plan_tracing { PLAN_TRACING_OFF, PLAN_TRACING_EVENTS_OFF, PLAN_TRACING_ALL_ON };

struct plan_config {
	char name[32];
	/* the system config of each of the plan's workloads, resolved (by plan workload index) */
	char system[PLAN_MAX_WORKLOADS][PATH_MAX];
	char hv_cmdline[512];
	char *qemu_args[PLAN_MAX_QEMU_ARGS];
	int nr_qemu_args;
	enum plan_tracing tracing;
	bool neighbours;
	uint64_t host_cpus; /* bit n: QEMU may run on host CPU n; 0: wherever the host schedules it */
};

struct plan {
	char path[PATH_MAX];
	char sha256[65]; /* of the plan file's bytes */
	char name[64];
	enum plan_mode mode;
	uint64_t seed;		 /* 0 to PLAN_MAX_SEED */
	unsigned int boots;	 /* per configuration and workload */
	unsigned int iterations; /* measured iterations per boot, after */
	unsigned int warmup;	 /* the warm-up iterations (kept in the database, flagged) */
	double margin;		 /* the equivalence margin the plan's comparisons use */
	char workloads[PLAN_MAX_WORKLOADS][32];
	unsigned int nr_workloads;
	struct plan_config configs[PLAN_MAX_CONFIGS];
	unsigned int nr_configs;
};

/*
 * Load and check the plan at path. 0, or 2 with *diag set (line 0: the file as a whole). Checks the
 * system configs too: each compiles, has a cell running the workload, an `iters=` argument to set the
 * iterations with, and a neighbour (a noisy.elf cell) exactly when `neighbours: on`.
 */
int plan_load(const char *path, struct plan *p, struct config_diag *diag);
void plan_free(struct plan *p);

const char *plan_mode_name(enum plan_mode m);
const char *plan_tracing_name(enum plan_tracing t);

/* One boot of the plan: a configuration, a workload and its index among that pair's boots. */
struct plan_boot {
	unsigned int config, workload, index;
	unsigned int boot_index; /* in the database: workload * boots + index, 0.. within the configuration */
};

/*
 * Every boot of the plan, interleaved in a random order drawn from the plan's seed (GSL's MT19937 and
 * gsl_ran_shuffle) in rounds: round i is boot i of every (configuration, workload) in shuffled order, so
 * that drift of the host over the run spreads evenly over the configurations instead of landing on the
 * one booted last. The same plan always gives the same order. *nr receives the count; the array is
 * malloc'd (NULL when out of memory).
 */
struct plan_boot *plan_order(const struct plan *p, unsigned int *nr);

#endif
