/* The YAML form of a campaign file as libcyaml loads it (campaign_schema.c); strings only. */
#ifndef TESSERA_FAULTINJ_CAMPAIGN_SCHEMA_H
#define TESSERA_FAULTINJ_CAMPAIGN_SCHEMA_H

#include <stddef.h>
#include <stdio.h>

#include "../../cli/config/marks.h"

/* A parameter dimension (key) or the trigger (kind, reason): values, or range "LO..HI" with a step. */
struct yaml_campaign_dim {
	char *key, *kind, *reason;
	char **values;
	unsigned int values_count;
	char *range, *step;
};

struct yaml_campaign_fault {
	char *model, *cell;
	struct yaml_campaign_dim *params;
	unsigned int params_count;
	struct yaml_campaign_dim *trigger;
};

struct yaml_campaign_judge {
	char *output, *output_regex, *detected, *canary_alarm;
	char **canaries;
	unsigned int canaries_count;
	char **peers;
	unsigned int peers_count;
};

struct yaml_campaign {
	char *name, *config, *target, *mode, *seed, *sampling, *experiments, *timeout_factor, *timeout_min_s,
		*boots;
	struct yaml_campaign_judge *judge;
	struct yaml_campaign_fault *faults;
	unsigned int faults_count;
};

struct yaml_campaign *yaml_campaign_load(const char *data, size_t size, const struct yaml_marks *marks,
					 struct yaml_pos *where, char *why, size_t why_size);
void yaml_campaign_free(struct yaml_campaign *c);

#endif
