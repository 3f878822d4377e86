/*
 * Google Benchmark's JSON (json_schema_version 1, its src/json_reporter.cc) as input of `bench compare`:
 * Google Benchmark itself, our harness, or `bench export` write it. jansson parses; it keeps no node
 * positions, so a bad entry is located by scanning the text for the start of that array element.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_gbjson.h"

/* Line and column (1-based) of the start of element `index` of the top-level "benchmarks" array. */
static void locate(const char *path, size_t index, int *line, int *col)
{
	FILE *f = fopen(path, "r");
	int c, depth = 0, ln = 1, cl = 0, in_str = 0, esc = 0;
	size_t elem = 0;
	bool in_array = false, want = false;
	char key[16] = "";
	size_t klen = 0;

	*line = 1;
	*col = 1;
	if (!f)
		return;
	while ((c = fgetc(f)) != EOF) {
		cl++;
		if (c == '\n') {
			ln++;
			cl = 0;
		}
		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
			else if (depth == 1 && klen < sizeof(key) - 1)
				key[klen++] = (char)c;
			continue;
		}
		if (c == '"') {
			in_str = 1;
			if (depth == 1) {
				klen = 0;
				memset(key, 0, sizeof(key));
			}
			continue;
		}
		if (c == '[' && depth == 1 && !strcmp(key, "benchmarks")) {
			in_array = want = true;
		} else if (in_array && depth == 2 && c == ',') {
			elem++;
			want = true;
		} else if (in_array && depth == 2 && want && c > ' ') {
			if (elem == index) {
				*line = ln;
				*col = cl;
				break;
			}
			want = false;
		}
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']') {
			depth--;
			if (depth == 1)
				in_array = false;
		}
	}
	fclose(f);
}

static int bad(const char *path, size_t index, const char *what)
{
	int line, col;
	locate(path, index, &line, &col);
	fprintf(stderr, "tessera: %s:%d:%d: benchmarks[%zu]: %s\n", path, line, col, index, what);
	return 2;
}

/* Nanoseconds per time_unit. */
static double unit_scale(const char *u)
{
	static const struct {
		const char *name;
		double ns;
	} units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(u, units[i].name))
			return units[i].ns;
	return 0;
}

int gbjson_load(const char *path, enum sample_side side, struct sample_set *s)
{
	json_error_t err;
	json_t *root = json_load_file(path, 0, &err);
	if (!root) {
		fprintf(stderr, "tessera: %s:%d:%d: %s\n", path, err.line < 1 ? 1 : err.line,
			err.column < 1 ? 1 : err.column, err.text);
		return 2;
	}
	json_t *benchmarks = json_object_get(root, "benchmarks");
	int ret = 0;
	if (!json_is_array(benchmarks)) {
		fprintf(stderr,
			"tessera: %s:1:1: benchmarks: missing, or not an array (not Google Benchmark JSON)\n",
			path);
		ret = 2;
		goto out;
	}
	size_t i;
	json_t *b;
	json_array_foreach(benchmarks, i, b)
	{
		const char *type = json_string_value(json_object_get(b, "run_type"));
		const char *name = json_string_value(json_object_get(b, "run_name"));
		if (!name)
			name = json_string_value(json_object_get(b, "name"));
		if (!json_is_object(b) || !name) {
			ret = bad(path, i, "name: missing (every entry has a name)");
			goto out;
		}
		if ((type && !strcmp(type, "aggregate")) ||
		    json_is_true(json_object_get(b, "error_occurred")))
			continue;
		/*
		 * `bench export` writes a metric that is not a time (a rate, an instruction or tick count)
		 * unconverted, its unit in "tessera_unit", real_time = cpu_time = the value: read it back
		 * as one metric named as in the database, in its own unit, so that a rate stays higher-is-
		 * better.
		 */
		json_t *own = json_object_get(b, "tessera_unit");
		if (own) {
			json_t *v = json_object_get(b, "real_time");
			if (!json_is_string(own) || !json_string_length(own)) {
				ret = bad(path, i, "tessera_unit: not a unit name");
				goto out;
			}
			if (!json_is_number(v)) {
				ret = bad(path, i, "real_time: missing or not a number");
				goto out;
			}
			sample_set_add(s, name, json_string_value(own), side, json_number_value(v));
			continue;
		}
		const char *tu = json_string_value(json_object_get(b, "time_unit"));
		double scale = unit_scale(tu ? tu : "ns");
		if (!scale) {
			ret = bad(path, i, "time_unit: not ns, us, ms or s");
			goto out;
		}
		static const char *const keys[] = {"real_time", "cpu_time"};
		for (int k = 0; k < 2; k++) {
			json_t *v = json_object_get(b, keys[k]);
			char metric[600], what[64];
			if (!json_is_number(v)) {
				snprintf(what, sizeof(what), "%s: missing or not a number", keys[k]);
				ret = bad(path, i, what);
				goto out;
			}
			snprintf(metric, sizeof(metric), "%s/%s", name, keys[k]);
			sample_set_add(s, metric, "ns", side, json_number_value(v) * scale);
		}
	}
	snprintf(side == SIDE_BASELINE ? s->baseline : s->contender, sizeof(s->baseline), "%s", path);
	s->observation = "repetition";
out:
	json_decref(root);
	return ret;
}
