/*
 * Loading YAML through a libcyaml schema with positions: libcyaml logs one debug line per YAML event it
 * consumes, so counting those lines tells which event it was looking at when it logged an error, and the
 * marks pass (marks.h) knows where that event is in the file. Shared by system configs (schema.c) and
 * fault plans (faultinj/plan/).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "yaml_load.h"

/* What the log callback learns while libcyaml loads. */
struct load_log {
	size_t events;	   /* events libcyaml has consumed */
	size_t err_event;  /* the event it had consumed when it logged the first error */
	char message[256]; /* that error, "Load: " and newline stripped */
};

static void load_log_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
	struct load_log *log = ctx;
	char line[256];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, args);
	if (strncmp(line, "Load: Event:", 12) == 0) {
		log->events++;
		return;
	}
	if (level < CYAML_LOG_ERROR || log->message[0] || strncmp(line, "Load: Backtrace", 15) == 0 ||
	    line[0] == ' ')
		return;
	snprintf(log->message, sizeof(log->message), "%s", strncmp(line, "Load: ", 6) ? line : line + 6);
	n = strlen(log->message);
	if (n && log->message[n - 1] == '\n')
		log->message[n - 1] = 0;
	log->err_event = log->events;
}

static const char *type_word(const char *cyaml_name)
{
	/* libcyaml names the expected type by its schema type: a flags field is written as a YAML list. */
	if (strstr(cyaml_name, "FLAGS"))
		return "a list like [read, write]";
	if (strstr(cyaml_name, "MAPPING"))
		return "a mapping";
	if (strstr(cyaml_name, "SEQUENCE"))
		return "a sequence";
	return "a scalar";
}

/* Turn libcyaml's wording into ours; unknown messages pass through. */
static void translate(const char *msg, char *out, size_t size)
{
	char a[128], b[128];
	unsigned int n, m;

	if (sscanf(msg, "Unexpected key: %127[^\n]", a) == 1)
		snprintf(out, size, "unknown key '%s'", a);
	else if (sscanf(msg, "Missing required mapping field: %127[^\n]", a) == 1)
		snprintf(out, size, "missing required key '%s'", a);
	else if (sscanf(msg, "Mapping field already seen: %127[^\n]", a) == 1)
		snprintf(out, size, "duplicate key '%s'", a);
	else if (sscanf(msg, "Expecting %127s got event: %127s", a, b) == 2)
		snprintf(out, size, "wrong type: expected %s, got %s", type_word(a), type_word(b));
	else if (sscanf(msg, "Invalid ENUM value: %127[^\n]", a) == 1)
		snprintf(out, size, "invalid value '%s'", a);
	else if (sscanf(msg, "Unknown flag: %127[^\n]", a) == 1)
		snprintf(out, size, "unknown flag '%s'", a);
	else if (sscanf(msg, "STRING length > %u", &n) == 1)
		snprintf(out, size, "string too long (at most %u characters)", n);
	else if (sscanf(msg, "STRING length < %u", &n) == 1 && n == 1)
		snprintf(out, size, "empty value (a value is required here)");
	else if (sscanf(msg, "STRING length < %u", &n) == 1)
		snprintf(out, size, "string too short (at least %u characters)", n);
	else if (sscanf(msg, "Excessive entries (%u", &n) == 1)
		snprintf(out, size, "too many entries (at most %u)", n);
	else if (sscanf(msg, "Insufficient entries (%u of %u", &n, &m) == 2)
		snprintf(out, size, "too few entries (at least %u)", m);
	else
		snprintf(out, size, "%s", msg);
}

int yaml_load_schema(const char *data, size_t size, const struct yaml_marks *marks,
		     const cyaml_schema_value_t *schema, void **out, yaml_explain_fn explain,
		     struct yaml_pos *where, char *why, size_t why_size)
{
	struct load_log log = {0};
	cyaml_config_t cfg = {
		.log_fn = load_log_fn,
		.log_ctx = &log,
		.mem_fn = cyaml_mem,
		.log_level = CYAML_LOG_DEBUG,
		.flags = CYAML_CFG_NO_ALIAS,
	};
	cyaml_err_t err;

	*out = NULL;
	err = cyaml_load_data((const uint8_t *)data, size, &cfg, schema, (cyaml_data_t **)out, NULL);
	if (err == CYAML_OK)
		return 0;
	if (log.message[0])
		translate(log.message, why, why_size);
	else
		snprintf(why, why_size, "%s", cyaml_strerror(err));
	/* The error concerns the last event libcyaml consumed. */
	if (log.err_event > 0 && log.err_event <= marks->nr_events)
		*where = marks->events[log.err_event - 1];
	else
		*where = (struct yaml_pos){1, 1};
	if (explain && (!strncmp(why, "invalid value '", 15) || !strncmp(why, "unknown flag '", 14)))
		explain(marks, *where, why, why_size);
	return -1;
}

void yaml_free_schema(const cyaml_schema_value_t *schema, void *data)
{
	cyaml_config_t cfg = {.mem_fn = cyaml_mem, .log_fn = NULL, .log_level = CYAML_LOG_ERROR};

	if (data)
		cyaml_free(&cfg, schema, data, 0);
}
