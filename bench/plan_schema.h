/*
 * The YAML form of a benchmark plan as libcyaml loads it (docs/bench.md, "Plans"). Every scalar is kept
 * as a string and checked by plan_load.c, which places each error at its node.
 */
#ifndef TESSERA_BENCH_PLAN_SCHEMA_H
#define TESSERA_BENCH_PLAN_SCHEMA_H

#include <stddef.h>

#include "../cli/config/marks.h"

struct yaml_bench_config {
	char *name, *system, *hypervisor, *tracing, *neighbours;
	char **qemu;
	unsigned int qemu_count;
	char **host_cpus;
	unsigned int host_cpus_count;
};

struct yaml_bench_plan {
	char *name, *mode, *seed, *boots, *iterations, *warmup, *margin;
	char **workloads;
	unsigned int workloads_count;
	struct yaml_bench_config *configurations;
	unsigned int configurations_count;
};

/* Load through the schema; NULL with the message and position set on error. */
struct yaml_bench_plan *yaml_bench_plan_load(const char *data, size_t size, const struct yaml_marks *marks,
					     struct yaml_pos *where, char *why, size_t why_size);
void yaml_bench_plan_free(struct yaml_bench_plan *plan);

#endif
