/* The libcyaml schema of a benchmark plan (plan_schema.h). */
#include <cyaml/cyaml.h>
#include <stdio.h>

#include "../cli/config/yaml_load.h"
#include "plan.h"
#include "plan_schema.h"

#define STR(key, flags, type, member) CYAML_FIELD_STRING_PTR(key, flags, type, member, 0, 4095)
#define REQ			      CYAML_FLAG_POINTER
#define OPT			      (CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL)

static const cyaml_schema_value_t string_entry = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, 4095),
};

static const cyaml_schema_field_t config_fields[] = {
	STR("name", REQ, struct yaml_bench_config, name),
	STR("system", OPT, struct yaml_bench_config, system),
	STR("hypervisor", OPT, struct yaml_bench_config, hypervisor),
	STR("tracing", OPT, struct yaml_bench_config, tracing),
	STR("neighbours", OPT, struct yaml_bench_config, neighbours),
	CYAML_FIELD_SEQUENCE("qemu", OPT, struct yaml_bench_config, qemu, &string_entry, 0,
			     PLAN_MAX_QEMU_ARGS),
	CYAML_FIELD_SEQUENCE("host_cpus", OPT, struct yaml_bench_config, host_cpus, &string_entry, 1, 64),
	CYAML_FIELD_END};

static const cyaml_schema_value_t config_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct yaml_bench_config, config_fields),
};

static const cyaml_schema_field_t plan_fields[] = {
	STR("name", OPT, struct yaml_bench_plan, name),
	STR("mode", REQ, struct yaml_bench_plan, mode),
	STR("seed", REQ, struct yaml_bench_plan, seed),
	STR("boots", REQ, struct yaml_bench_plan, boots),
	STR("iterations", REQ, struct yaml_bench_plan, iterations),
	STR("warmup", OPT, struct yaml_bench_plan, warmup),
	STR("margin", OPT, struct yaml_bench_plan, margin),
	CYAML_FIELD_SEQUENCE("workloads", REQ, struct yaml_bench_plan, workloads, &string_entry, 1,
			     PLAN_MAX_WORKLOADS),
	CYAML_FIELD_SEQUENCE("configurations", REQ, struct yaml_bench_plan, configurations, &config_entry, 1,
			     PLAN_MAX_CONFIGS),
	CYAML_FIELD_END};

static const cyaml_schema_value_t plan_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct yaml_bench_plan, plan_fields),
};

struct yaml_bench_plan *yaml_bench_plan_load(const char *data, size_t size, const struct yaml_marks *marks,
					     struct yaml_pos *where, char *why, size_t why_size)
{
	struct yaml_bench_plan *plan = NULL;

	if (yaml_load_schema(data, size, marks, &plan_schema, (void **)&plan, NULL, where, why, why_size))
		return NULL;
	if (!plan) {
		*where = (struct yaml_pos){1, 1};
		snprintf(why, why_size, "empty benchmark plan");
	}
	return plan;
}

void yaml_bench_plan_free(struct yaml_bench_plan *plan)
{
	yaml_free_schema(&plan_schema, plan);
}
