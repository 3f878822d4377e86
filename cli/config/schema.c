/*
 * The libcyaml schema of a system config, and loading through it with positions: libcyaml logs one debug
 * line per YAML event it consumes, so counting those lines tells which event it was looking at when it
 * logged an error, and the marks pass (marks.h) knows where that event is in the file.
 */
#include <cyaml/cyaml.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/abi/config.h>

#include "schema.h"
#include "yaml_load.h"

static const cyaml_strval_t bool_strings[] = {
	{"false", 0},
	{"true", 1},
};

static const cyaml_strval_t policy_strings[] = {
	{"stop", TESSERA_POLICY_STOP},
	{"inject", TESSERA_POLICY_INJECT},
};

static const cyaml_strval_t mce_policy_strings[] = {
	{"stop", TESSERA_MCE_STOP},
	{"forward", TESSERA_MCE_FORWARD},
	{"restart", TESSERA_MCE_RESTART},
	{"log", TESSERA_MCE_LOG},
};

static const cyaml_strval_t console_strings[] = {
	{"serial", TESSERA_CONSOLE_SERIAL},
	{"none", TESSERA_CONSOLE_NONE},
};

static const cyaml_strval_t mem_flag_strings[] = {
	{"read", TESSERA_MEM_READ},
	{"write", TESSERA_MEM_WRITE},
	{"exec", TESSERA_MEM_EXEC},
	{"device", TESSERA_MEM_DEVICE},
};

static const cyaml_strval_t share_strings[] = {
	{"rw", TESSERA_SHARE_RW},
	{"out", TESSERA_SHARE_OUT},
	{"in", TESSERA_SHARE_IN},
};

static const cyaml_strval_t wd_action_strings[] = {
	{"stop", TESSERA_WATCHDOG_STOP},
	{"restart", TESSERA_WATCHDOG_RESTART},
};

static const cyaml_strval_t msr_access_strings[] = {
	{"read", TESSERA_MSR_READ},
	{"write", TESSERA_MSR_WRITE},
};

/*
 * The words each enum or flags key accepts, by key name, for the error message: libcyaml says only
 * "Invalid ENUM value" and does not say of which field.
 */
static const struct {
	const char *key;
	const cyaml_strval_t *words;
	unsigned int count;
} key_words[] = {
#define KEY_WORDS(k, w)                  \
	{                                \
		k, w, CYAML_ARRAY_LEN(w) \
	}
	KEY_WORDS("manager", bool_strings),	 KEY_WORDS("on_violation", policy_strings),
	KEY_WORDS("console", console_strings),	 KEY_WORDS("flags", mem_flag_strings),
	KEY_WORDS("share", share_strings),	 KEY_WORDS("action", wd_action_strings),
	KEY_WORDS("access", msr_access_strings), KEY_WORDS("on_machine_check", mce_policy_strings),
#undef KEY_WORDS
};

/* Append " (one of: a, b, c)" for the enum or flags key at `where`, if it is one. */
static void append_allowed(const struct yaml_marks *marks, struct yaml_pos where, char *why, size_t size)
{
	const char *key = NULL;
	size_t n;

	/* The value's node is the one at that position; its key is the last component of its path. A
	 * flags list's entry is "...flags[2]": the key is the one before the index. */
	for (size_t i = 0; i < marks->nr_paths && !key; i++) {
		const struct yaml_mark_path *p = &marks->paths[i];
		if (p->pos.line == where.line && p->pos.col == where.col)
			key = p->path;
	}
	if (!key)
		return;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", key);
	char *br = strrchr(buf, '[');
	if (br && br[1] >= '0' && br[1] <= '9' && strchr(br, ']') && !strchr(br, '.'))
		*br = 0;
	const char *last = strrchr(buf, '.');
	last = last ? last + 1 : buf;
	for (size_t k = 0; k < CYAML_ARRAY_LEN(key_words); k++) {
		if (strcmp(key_words[k].key, last) != 0)
			continue;
		n = strlen(why);
		n += snprintf(why + n, n < size ? size - n : 0, " (one of:");
		for (unsigned int w = 0; w < key_words[k].count && n < size; w++)
			n += snprintf(why + n, size - n, "%s %s", w ? "," : "", key_words[k].words[w].str);
		if (n < size)
			snprintf(why + n, size - n, ")");
		return;
	}
}

#define NUMBER(key, flags, type, member) CYAML_FIELD_STRING_PTR(key, flags, type, member, 1, 32)
#define REQ				 CYAML_FLAG_POINTER
#define OPT				 (CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL)
#define STRICT				 CYAML_FLAG_STRICT

static const cyaml_schema_field_t memory_fields[] = {
	NUMBER("phys", REQ, struct yaml_memory, phys),
	NUMBER("guest", REQ, struct yaml_memory, guest),
	NUMBER("size", REQ, struct yaml_memory, size),
	CYAML_FIELD_FLAGS("flags", STRICT, struct yaml_memory, flags, mem_flag_strings,
			  CYAML_ARRAY_LEN(mem_flag_strings)),
	CYAML_FIELD_STRING_PTR("shared_with", OPT, struct yaml_memory, shared_with, 1, TESSERA_NAME_LEN - 1),
	CYAML_FIELD_ENUM("share", CYAML_FLAG_OPTIONAL | STRICT, struct yaml_memory, share, share_strings,
			 CYAML_ARRAY_LEN(share_strings)),
	CYAML_FIELD_END};

static const cyaml_schema_field_t doorbell_fields[] = {
	CYAML_FIELD_STRING_PTR("peer", REQ, struct yaml_doorbell, peer, 1, TESSERA_NAME_LEN - 1),
	NUMBER("vector", REQ, struct yaml_doorbell, vector), CYAML_FIELD_END};

static const cyaml_schema_field_t watchdog_fields[] = {
	NUMBER("period", REQ, struct yaml_watchdog, period),
	NUMBER("missed", REQ, struct yaml_watchdog, missed),
	CYAML_FIELD_ENUM("action", CYAML_FLAG_OPTIONAL | STRICT, struct yaml_watchdog, action,
			 wd_action_strings, CYAML_ARRAY_LEN(wd_action_strings)),
	CYAML_FIELD_END};

static const cyaml_schema_field_t pio_fields[] = {NUMBER("base", REQ, struct yaml_pio, base),
						  NUMBER("size", REQ, struct yaml_pio, size),
						  CYAML_FIELD_END};

static const cyaml_schema_field_t msr_fields[] = {
	NUMBER("first", REQ, struct yaml_msr, first), NUMBER("last", OPT, struct yaml_msr, last),
	CYAML_FIELD_FLAGS("access", STRICT, struct yaml_msr, access, msr_access_strings,
			  CYAML_ARRAY_LEN(msr_access_strings)),
	CYAML_FIELD_END};

static const cyaml_schema_value_t memory_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct yaml_memory, memory_fields),
};
static const cyaml_schema_value_t pio_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct yaml_pio, pio_fields),
};
static const cyaml_schema_value_t msr_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct yaml_msr, msr_fields),
};
static const cyaml_schema_value_t doorbell_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct yaml_doorbell, doorbell_fields),
};
static const cyaml_schema_value_t cpu_entry = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, 32),
};

static const cyaml_schema_field_t cell_fields[] = {
	CYAML_FIELD_STRING_PTR("name", REQ, struct yaml_cell, name, 1, TESSERA_NAME_LEN - 1),
	CYAML_FIELD_SEQUENCE("cpus", REQ, struct yaml_cell, cpus, &cpu_entry, 1, 64),
	CYAML_FIELD_STRING_PTR("image", REQ, struct yaml_cell, image, 1, 4095),
	CYAML_FIELD_STRING_PTR("args", OPT, struct yaml_cell, args, 0, TESSERA_ARGS_LEN - 1),
	CYAML_FIELD_ENUM("manager", CYAML_FLAG_OPTIONAL | STRICT, struct yaml_cell, manager, bool_strings,
			 CYAML_ARRAY_LEN(bool_strings)),
	CYAML_FIELD_ENUM("on_violation", CYAML_FLAG_OPTIONAL | STRICT, struct yaml_cell, on_violation,
			 policy_strings, CYAML_ARRAY_LEN(policy_strings)),
	CYAML_FIELD_ENUM("on_machine_check", CYAML_FLAG_OPTIONAL | STRICT, struct yaml_cell, on_machine_check,
			 mce_policy_strings, CYAML_ARRAY_LEN(mce_policy_strings)),
	CYAML_FIELD_SEQUENCE("memory", REQ, struct yaml_cell, memory, &memory_entry, 1,
			     TESSERA_MAX_CELL_REGIONS),
	CYAML_FIELD_SEQUENCE("pio", OPT, struct yaml_cell, pio, &pio_entry, 0, TESSERA_MAX_PIO),
	CYAML_FIELD_SEQUENCE("msr", OPT, struct yaml_cell, msr, &msr_entry, 0, TESSERA_MAX_MSR),
	NUMBER("comm_region", OPT, struct yaml_cell, comm_region),
	CYAML_FIELD_MAPPING_PTR("watchdog", OPT, struct yaml_cell, watchdog, watchdog_fields),
	CYAML_FIELD_SEQUENCE("doorbells", OPT, struct yaml_cell, doorbells, &doorbell_entry, 0,
			     TESSERA_MAX_CELL_DOORBELLS),
	CYAML_FIELD_END};

static const cyaml_schema_value_t cell_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct yaml_cell, cell_fields),
};

static const cyaml_schema_field_t machine_fields[] = {NUMBER("cpus", REQ, struct yaml_machine, cpus),
						      NUMBER("ram", REQ, struct yaml_machine, ram),
						      CYAML_FIELD_END};

static const cyaml_schema_field_t hypervisor_fields[] = {
	NUMBER("base", REQ, struct yaml_hypervisor, base), NUMBER("size", REQ, struct yaml_hypervisor, size),
	NUMBER("pool", REQ, struct yaml_hypervisor, pool),
	CYAML_FIELD_ENUM("console", CYAML_FLAG_OPTIONAL | STRICT, struct yaml_hypervisor, console,
			 console_strings, CYAML_ARRAY_LEN(console_strings)),
	CYAML_FIELD_END};

static const cyaml_schema_field_t system_fields[] = {
	CYAML_FIELD_MAPPING("machine", CYAML_FLAG_DEFAULT, struct yaml_system, machine, machine_fields),
	CYAML_FIELD_MAPPING("hypervisor", CYAML_FLAG_DEFAULT, struct yaml_system, hypervisor,
			    hypervisor_fields),
	CYAML_FIELD_SEQUENCE("cells", REQ, struct yaml_system, cells, &cell_entry, 1, TESSERA_MAX_CELLS),
	CYAML_FIELD_END};

static const cyaml_schema_value_t system_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct yaml_system, system_fields),
};

struct yaml_system *yaml_system_load(const char *data, size_t size, const struct yaml_marks *marks,
				     struct yaml_pos *where, char *why, size_t why_size)
{
	struct yaml_system *sys = NULL;

	if (yaml_load_schema(data, size, marks, &system_schema, (void **)&sys, append_allowed, where, why,
			     why_size))
		return NULL;
	if (!sys) {
		*where = (struct yaml_pos){1, 1};
		snprintf(why, why_size, "empty config");
		return NULL;
	}
	return sys;
}

void yaml_system_free(struct yaml_system *sys)
{
	yaml_free_schema(&system_schema, sys);
}
