/*
 * The libcyaml schema of a campaign file and its loading (campaign_file.h). Every scalar is kept as a
 * string and parsed strictly by campaign_file.c, as the plan parser does.
 */
#include <cyaml/cyaml.h>

#include "../../cli/config/yaml_load.h"
#include "campaign_schema.h"

#define STR(key, flags, type, member) CYAML_FIELD_STRING_PTR(key, flags, type, member, 1, 4095)
#define REQ			      CYAML_FLAG_POINTER
#define OPT			      (CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL)

static const cyaml_schema_value_t word_entry = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, 255),
};

static const cyaml_schema_field_t dim_fields[] = {
	STR("key", OPT, struct yaml_campaign_dim, key),
	STR("kind", OPT, struct yaml_campaign_dim, kind),
	STR("reason", OPT, struct yaml_campaign_dim, reason),
	CYAML_FIELD_SEQUENCE("values", OPT, struct yaml_campaign_dim, values, &word_entry, 1, 256),
	STR("range", OPT, struct yaml_campaign_dim, range),
	STR("step", OPT, struct yaml_campaign_dim, step),
	CYAML_FIELD_END};

static const cyaml_schema_value_t dim_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct yaml_campaign_dim, dim_fields),
};

static const cyaml_schema_field_t fault_fields[] = {
	STR("model", REQ, struct yaml_campaign_fault, model),
	STR("cell", OPT, struct yaml_campaign_fault, cell),
	CYAML_FIELD_SEQUENCE("params", OPT, struct yaml_campaign_fault, params, &dim_entry, 0, 7),
	CYAML_FIELD_MAPPING_PTR("trigger", REQ, struct yaml_campaign_fault, trigger, dim_fields),
	CYAML_FIELD_END};

static const cyaml_schema_value_t fault_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct yaml_campaign_fault, fault_fields),
};

static const cyaml_schema_field_t judge_fields[] = {
	STR("output", OPT, struct yaml_campaign_judge, output),
	STR("output_regex", OPT, struct yaml_campaign_judge, output_regex),
	STR("detected", OPT, struct yaml_campaign_judge, detected),
	STR("canary_alarm", OPT, struct yaml_campaign_judge, canary_alarm),
	CYAML_FIELD_SEQUENCE("canaries", OPT, struct yaml_campaign_judge, canaries, &word_entry, 0, 8),
	CYAML_FIELD_SEQUENCE("peers", OPT, struct yaml_campaign_judge, peers, &word_entry, 0, 8),
	CYAML_FIELD_END};

static const cyaml_schema_field_t campaign_fields[] = {
	STR("name", REQ, struct yaml_campaign, name),
	STR("config", REQ, struct yaml_campaign, config),
	STR("target", REQ, struct yaml_campaign, target),
	STR("mode", OPT, struct yaml_campaign, mode),
	STR("seed", OPT, struct yaml_campaign, seed),
	STR("sampling", OPT, struct yaml_campaign, sampling),
	STR("experiments", OPT, struct yaml_campaign, experiments),
	STR("timeout_factor", OPT, struct yaml_campaign, timeout_factor),
	STR("timeout_min_s", OPT, struct yaml_campaign, timeout_min_s),
	STR("boots", OPT, struct yaml_campaign, boots),
	CYAML_FIELD_MAPPING_PTR("judge", OPT, struct yaml_campaign, judge, judge_fields),
	CYAML_FIELD_SEQUENCE("faults", REQ, struct yaml_campaign, faults, &fault_entry, 1, 16),
	CYAML_FIELD_END};

static const cyaml_schema_value_t campaign_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct yaml_campaign, campaign_fields),
};

struct yaml_campaign *yaml_campaign_load(const char *data, size_t size, const struct yaml_marks *marks,
					 struct yaml_pos *where, char *why, size_t why_size)
{
	struct yaml_campaign *c = NULL;

	if (yaml_load_schema(data, size, marks, &campaign_schema, (void **)&c, NULL, where, why, why_size))
		return NULL;
	if (!c) {
		*where = (struct yaml_pos){1, 1};
		snprintf(why, why_size, "empty campaign file");
	}
	return c;
}

void yaml_campaign_free(struct yaml_campaign *c)
{
	yaml_free_schema(&campaign_schema, c);
}
