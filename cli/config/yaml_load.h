/* Loading YAML through a libcyaml schema, with every error placed at a file position (yaml_load.c). */
#ifndef TESSERA_CLI_CONFIG_YAML_LOAD_H
#define TESSERA_CLI_CONFIG_YAML_LOAD_H

#include <cyaml/cyaml.h>
#include <stddef.h>

#include "marks.h"

/* Called after an invalid enum or flag value at `where`: may append the words the key accepts to `why`. */
typedef void (*yaml_explain_fn)(const struct yaml_marks *marks, struct yaml_pos where, char *why,
				size_t why_size);

/*
 * Load `size` bytes through `schema` into *out (NULL for an empty document). Returns 0, or -1 with
 * libcyaml's error in our words in `why` and the position of the offending node in *where. `explain`
 * may be NULL.
 */
int yaml_load_schema(const char *data, size_t size, const struct yaml_marks *marks,
		     const cyaml_schema_value_t *schema, void **out, yaml_explain_fn explain,
		     struct yaml_pos *where, char *why, size_t why_size);
void yaml_free_schema(const cyaml_schema_value_t *schema, void *data);

#endif
