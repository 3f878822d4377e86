/*
 * The YAML form of a fault plan as libcyaml loads it (docs/faultinj.md). Every value is kept as a string
 * and parsed by plan_compile.c, strictly. A fault's model parameters are keys of the fault itself; the
 * schema accepts the union of every model's parameter names (built from faultinj/models.h when first
 * used) and the compiler refuses a key its model does not have.
 */
#ifndef TESSERA_FAULTINJ_PLAN_SCHEMA_H
#define TESSERA_FAULTINJ_PLAN_SCHEMA_H

#include <stddef.h>

#include "../../cli/config/marks.h"

#define PLAN_MAX_KEYS 32 /* distinct parameter names over all models */

struct yaml_trigger {
	char *exit, *reason, *icount, *tsc, *nth, *every, *probability, *times;
};

struct yaml_fault {
	char *model, *cell, *vcpu;
	struct yaml_trigger *trigger; /* NULL when absent: now */
	char *params[PLAN_MAX_KEYS];  /* by plan_param_key() index, NULL when absent */
};

struct yaml_plan {
	char *seed;
	struct yaml_fault *faults;
	unsigned int faults_count;
};

/* The i-th distinct parameter name (NULL past the last). */
const char *plan_param_key(unsigned int i);

/* Load through the schema; NULL with the message and position set on error. */
struct yaml_plan *yaml_plan_load(const char *data, size_t size, const struct yaml_marks *marks,
				 struct yaml_pos *where, char *why, size_t why_size);
void yaml_plan_free(struct yaml_plan *plan);

#endif
