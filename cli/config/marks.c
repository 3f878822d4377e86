/* The libyaml pass that records positions (see marks.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "marks.h"

#define MAX_DEPTH 32

struct frame {
	bool is_map;
	bool want_key;	    /* maps: the next scalar is a key */
	unsigned int index; /* sequences: next entry */
	char path[256];
	char key[128];
	size_t start_event; /* index of this container's START event */
};

static void push_event(struct yaml_marks *m, struct yaml_pos pos)
{
	m->events = realloc(m->events, (m->nr_events + 1) * sizeof(*m->events));
	m->events[m->nr_events++] = pos;
}

static void push_path(struct yaml_marks *m, const char *path, struct yaml_pos pos)
{
	m->paths = realloc(m->paths, (m->nr_paths + 1) * sizeof(*m->paths));
	m->paths[m->nr_paths].path = strdup(path);
	m->paths[m->nr_paths].pos = pos;
	m->nr_paths++;
}

/* Paths longer than their buffers are cut; that only makes a position less precise. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

/* The path of the node that this event starts, given its parent frame; false for a mapping key. */
static bool node_path(struct frame *parent, const char *scalar, char *out, size_t size)
{
	if (!parent) {
		snprintf(out, size, "%s", "");
		return true;
	}
	if (parent->is_map) {
		if (parent->want_key) {
			snprintf(parent->key, sizeof(parent->key), "%s", scalar ? scalar : "?");
			parent->want_key = false;
			return false;
		}
		parent->want_key = true;
		snprintf(out, size, "%s%s%s", parent->path, parent->path[0] ? "." : "", parent->key);
		return true;
	}
	snprintf(out, size, "%s[%u]", parent->path, parent->index++);
	return true;
}

static int fail(struct yaml_pos *where, yaml_mark_t mark, char *why, size_t why_size, const char *msg)
{
	where->line = mark.line + 1;
	where->col = mark.column + 1;
	snprintf(why, why_size, "%s", msg);
	return -1;
}

/* Line and column (in characters, as libyaml counts them) of byte `offset` of the input. */
static yaml_mark_t mark_at(const char *data, size_t size, size_t offset)
{
	yaml_mark_t m = {.index = offset};

	for (size_t k = 0; k < offset && k < size; k++) {
		unsigned char ch = (unsigned char)data[k];
		if (ch == '\n') {
			m.line++;
			m.column = 0;
		} else if ((ch & 0xc0) != 0x80) { /* not a UTF-8 continuation byte */
			m.column++;
		}
	}
	return m;
}

/*
 * libyaml's own message at the real place. Reader errors (a control character, a NUL byte, invalid
 * UTF-8) carry a byte offset and the offending value, not a mark; the others carry a mark and often a
 * context ("while scanning a simple key").
 */
static int parse_fail(const yaml_parser_t *p, const char *data, size_t size, struct yaml_pos *where,
		      char *why, size_t why_size)
{
	const char *problem = p->problem ? p->problem : "YAML syntax error";
	char msg[256];

	if (p->error == YAML_READER_ERROR) {
		if (p->problem_value >= 0)
			snprintf(msg, sizeof(msg), "%s (byte 0x%02x)", problem,
				 (unsigned int)p->problem_value);
		else
			snprintf(msg, sizeof(msg), "%s", problem);
		return fail(where, mark_at(data, size, p->problem_offset), why, why_size, msg);
	}
	if (p->context)
		snprintf(msg, sizeof(msg), "%s (%s)", problem, p->context);
	else
		snprintf(msg, sizeof(msg), "%s", problem);
	return fail(where, p->problem_mark, why, why_size, msg);
}

/*
 * Every string is one line of printable text: a control character (a quoted "\0", "\n", "\e" or
 * "\x7f", or a C1 control like "\x85") could hide text or forge console lines. Returns the bad
 * character, or -1.
 */
static int scalar_control_char(const unsigned char *v, size_t len)
{
	for (size_t k = 0; k < len; k++) {
		if (v[k] < 0x20 || v[k] == 0x7f)
			return v[k];
		if (v[k] == 0xc2 && k + 1 < len && v[k + 1] >= 0x80 && v[k + 1] <= 0x9f)
			return v[k + 1]; /* U+0080-U+009F */
	}
	return -1;
}

int yaml_marks_build(const char *data, size_t size, struct yaml_marks *m, struct yaml_pos *where, char *why,
		     size_t why_size)
{
	struct frame stack[MAX_DEPTH];
	int depth = 0, ret = -1, documents = 0;
	yaml_parser_t parser;
	yaml_event_t ev;
	bool done = false;

	memset(m, 0, sizeof(*m));
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, size);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			ret = parse_fail(&parser, data, size, where, why, why_size);
			goto out;
		}
		struct yaml_pos pos = {ev.start_mark.line + 1, ev.start_mark.column + 1};
		struct frame *parent = depth ? &stack[depth - 1] : NULL;
		char path[256];

		switch (ev.type) {
		case YAML_ALIAS_EVENT:
			ret = fail(where, ev.start_mark, why, why_size, "YAML aliases are not supported");
			yaml_event_delete(&ev);
			goto out;
		case YAML_DOCUMENT_START_EVENT:
			/* libcyaml reads the first document only: a second would be silently ignored. */
			if (++documents > 1) {
				ret = fail(where, ev.start_mark, why, why_size,
					   "a second YAML document ('---'): a config is one document");
				yaml_event_delete(&ev);
				goto out;
			}
			push_event(m, pos);
			break;
		case YAML_SCALAR_EVENT: {
			int bad = scalar_control_char(ev.data.scalar.value, ev.data.scalar.length);
			if (bad >= 0) {
				char msg[96];
				snprintf(msg, sizeof(msg),
					 "control character 0x%02x in a string (strings are printable text)",
					 bad);
				ret = fail(where, ev.start_mark, why, why_size, msg);
				yaml_event_delete(&ev);
				goto out;
			}
		}
			push_event(m, pos);
			if (node_path(parent, (const char *)ev.data.scalar.value, path, sizeof(path)))
				push_path(m, path, pos);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			/* YAML allows any node as a key; a config's keys are names (libcyaml: "Internal error"). */
			if (parent && parent->is_map && parent->want_key) {
				ret = fail(where, ev.start_mark, why, why_size,
					   ev.type == YAML_SEQUENCE_START_EVENT
						   ? "a sequence cannot be a mapping key: keys are names"
						   : "a mapping cannot be a mapping key: keys are names");
				yaml_event_delete(&ev);
				goto out;
			}
			push_event(m, pos);
			if (depth == MAX_DEPTH) {
				ret = fail(where, ev.start_mark, why, why_size, "YAML nested too deeply");
				yaml_event_delete(&ev);
				goto out;
			}
			node_path(parent, NULL, path, sizeof(path));
			push_path(m, path, pos);
			stack[depth] = (struct frame){.is_map = ev.type == YAML_MAPPING_START_EVENT,
						      .want_key = true,
						      .start_event = m->nr_events - 1};
			snprintf(stack[depth].path, sizeof(stack[depth].path), "%s", path);
			depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			push_event(m, m->events[stack[depth].start_event]);
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			/* fall through */
		default: push_event(m, pos); break;
		}
		yaml_event_delete(&ev);
	}
	ret = 0;
out:
	yaml_parser_delete(&parser);
	return ret;
}

void yaml_marks_free(struct yaml_marks *m)
{
	for (size_t i = 0; i < m->nr_paths; i++)
		free(m->paths[i].path);
	free(m->paths);
	free(m->events);
	memset(m, 0, sizeof(*m));
}

struct yaml_pos yaml_marks_find(const struct yaml_marks *m, const char *path)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s", path);
	for (;;) {
		for (size_t i = 0; i < m->nr_paths; i++)
			if (strcmp(m->paths[i].path, buf) == 0)
				return m->paths[i].pos;
		/* Drop the last component: ".key" or "[n]". */
		char *dot = strrchr(buf, '.'), *br = strrchr(buf, '[');
		char *cut = dot > br ? dot : br;
		if (!cut) {
			if (!buf[0])
				return (struct yaml_pos){1, 1};
			buf[0] = 0;
			continue;
		}
		*cut = 0;
	}
}
