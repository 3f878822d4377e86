/*
 * One LAVA job's results into the results database (lava_store.h). The Python side judges the log (LAVA's
 * "results" lines) and writes results.json; the schema has one writer, bench/results_db.c, so the rows
 * are written here in C rather than by the scripts.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench/results_db.h"
#include "lava_store.h"

#define PROG "tessera lab lava store"

char *lava_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!f)
		return NULL;
	do {
		if (n + 65536 + 1 > cap) {
			char *more = realloc(buf, cap = n + 65536 * 4 + 1);
			if (!more) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = more;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* "a; b; c" from the list of reasons the job was not complete (NULL for none). */
static char *problems_text(json_t *list)
{
	size_t i, len = 1;
	json_t *p;
	char *s;

	if (!json_array_size(list))
		return NULL;
	json_array_foreach(list, i, p) len += strlen(json_string_value(p) ? json_string_value(p) : "") + 2;
	s = calloc(1, len);
	json_array_foreach(list, i, p)
	{
		if (s && i)
			strcat(s, "; ");
		if (s && json_string_value(p))
			strcat(s, json_string_value(p));
	}
	return s;
}

static int store(const char *db_path, const char *source, const char *dir)
{
	char path[4096];
	json_error_t jerr;
	struct results_db r;
	size_t log_len = 0;
	int ret = 1;

	snprintf(path, sizeof(path), "%s/results.json", dir);
	json_t *root = json_load_file(path, 0, &jerr);
	if (!root) {
		fprintf(stderr, "tessera: %s:%d:%d: %s\n", path, jerr.line, jerr.column, jerr.text);
		return 2;
	}
	json_t *cases = json_object_get(root, "cases");
	size_t n = json_array_size(cases);
	struct rdb_case *c = calloc(n + 1, sizeof(*c));
	for (size_t i = 0; c && i < n; i++) {
		json_t *e = json_array_get(cases, i);
		c[i] = (struct rdb_case){str(e, "case"), str(e, "result"), str(e, "detail")};
	}
	snprintf(path, sizeof(path), "%s/lava.log", dir);
	char *log = lava_read_file(path, &log_len);
	char *problems = problems_text(json_object_get(root, "problems"));
	json_t *dur = json_object_get(root, "duration_s");
	struct rdb_job j = {
		.source = source,
		.name = str(root, "job"),
		.lava_id = str(root, "job_id"),
		.file = str(root, "file"),
		.health = json_is_true(json_object_get(root, "complete")) ? "complete" : "incomplete",
		.problems = problems,
		.started = str(root, "started"),
		.ended = str(root, "ended"),
		.duration_s = json_is_number(dur) ? json_number_value(dur) : -1,
		.log = log,
		.log_len = log_len,
	};
	if (!c || !j.name) {
		fprintf(stderr, "tessera: %s/results.json:1:1: no job name or cases\n", dir);
		ret = 2;
	} else if (results_db_open(&r, db_path) == 0) {
		ret = results_db_add_job(&r, &j, c, n, NULL) ? 1 : 0;
		results_db_close(&r);
	}
	free(problems);
	free(log);
	free(c);
	json_decref(root);
	return ret;
}

int lava_store_main(int argc, char **argv)
{
	const char *db = NULL, *source = NULL, *dir = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--source") && i + 1 < argc)
			source = argv[++i];
		else if (!dir && argv[i][0] != '-')
			dir = argv[i];
		else
			dir = NULL, i = argc;
	}
	if (!db || !dir || !source || (strcmp(source, "lava-run") && strcmp(source, "lava-submit"))) {
		fprintf(stderr, "usage: %s --db DB --source lava-run|lava-submit DIR\n", PROG);
		return 2;
	}
	return store(db, source, dir);
}
