/* The libcyaml schema of a fault plan (plan_schema.h). */
#include <cyaml/cyaml.h>
#include <stdio.h>
#include <string.h>

#include "../../cli/config/yaml_load.h"
#include "../models.h"
#include "plan_schema.h"

#define STR(key, flags, type, member) CYAML_FIELD_STRING_PTR(key, flags, type, member, 1, 255)
#define REQ			      CYAML_FLAG_POINTER
#define OPT			      (CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL)

static const cyaml_schema_field_t trigger_fields[] = {
	STR("exit", OPT, struct yaml_trigger, exit),
	STR("reason", OPT, struct yaml_trigger, reason),
	STR("icount", OPT, struct yaml_trigger, icount),
	STR("tsc", OPT, struct yaml_trigger, tsc),
	STR("nth", OPT, struct yaml_trigger, nth),
	STR("every", OPT, struct yaml_trigger, every),
	STR("probability", OPT, struct yaml_trigger, probability),
	STR("times", OPT, struct yaml_trigger, times),
	CYAML_FIELD_END};

static const char *keys[PLAN_MAX_KEYS];
static unsigned int nr_keys;

/* model, cell, vcpu, trigger, the parameter keys, the end. */
static cyaml_schema_field_t fault_fields[4 + PLAN_MAX_KEYS + 1] = {
	STR("model", REQ, struct yaml_fault, model),
	STR("cell", OPT, struct yaml_fault, cell),
	STR("vcpu", OPT, struct yaml_fault, vcpu),
	CYAML_FIELD_MAPPING_PTR("trigger", OPT, struct yaml_fault, trigger, trigger_fields),
};

static const cyaml_schema_value_t fault_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct yaml_fault, fault_fields),
};

static const cyaml_schema_field_t plan_fields[] = {
	STR("seed", REQ, struct yaml_plan, seed),
	CYAML_FIELD_SEQUENCE("faults", REQ, struct yaml_plan, faults, &fault_entry, 1, TESSERA_FAULT_MAX),
	CYAML_FIELD_END};

static const cyaml_schema_value_t plan_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct yaml_plan, plan_fields),
};

/* The union of the models' parameter names, as optional string keys of a fault. */
static void schema_init(void)
{
	static const cyaml_schema_field_t tmpl = STR("-", OPT, struct yaml_fault, params[0]);

	if (nr_keys)
		return;
	for (unsigned int i = 0; fault_model_at(i); i++) {
		const struct fault_model_desc *m = fault_model_at(i);
		for (unsigned int k = 0; k < m->nr_params; k++) {
			unsigned int j = 0;
			while (j < nr_keys && strcmp(keys[j], m->params[k].name))
				j++;
			if (j < nr_keys || nr_keys == PLAN_MAX_KEYS)
				continue;
			keys[nr_keys] = m->params[k].name;
			fault_fields[4 + nr_keys] = tmpl;
			fault_fields[4 + nr_keys].key = keys[nr_keys];
			fault_fields[4 + nr_keys].data_offset += nr_keys * sizeof(char *);
			nr_keys++;
		}
	}
	fault_fields[4 + nr_keys] = (cyaml_schema_field_t)CYAML_FIELD_END;
}

const char *plan_param_key(unsigned int i)
{
	schema_init();
	return i < nr_keys ? keys[i] : NULL;
}

struct yaml_plan *yaml_plan_load(const char *data, size_t size, const struct yaml_marks *marks,
				 struct yaml_pos *where, char *why, size_t why_size)
{
	struct yaml_plan *plan = NULL;

	schema_init();
	if (yaml_load_schema(data, size, marks, &plan_schema, (void **)&plan, NULL, where, why, why_size))
		return NULL;
	if (!plan) {
		*where = (struct yaml_pos){1, 1};
		snprintf(why, why_size, "empty fault plan");
	}
	return plan;
}

void yaml_plan_free(struct yaml_plan *plan)
{
	yaml_free_schema(&plan_schema, plan);
}
