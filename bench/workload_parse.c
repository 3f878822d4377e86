/* Reading the workloads' BENCH lines (see workload_parse.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload_parse.h"
#include "workload_parse_internal.h"

int workload_fail(char *err, size_t errsize, unsigned int *col, size_t at, const char *fmt, ...)
{
	va_list ap;

	*col = (unsigned int)at + 1;
	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
	return -1;
}

int workload_split(const char *s, size_t from, size_t len, struct field *f, int max, size_t *bad)
{
	int n = 0;
	size_t start = from;

	for (size_t i = from; i <= len; i++) {
		if (i < len && s[i] != ' ')
			continue;
		if (i == start) {
			*bad = i;
			return -1;
		}
		if (n == max) {
			*bad = start;
			return max + 1;
		}
		f[n++] = (struct field){start, i - start};
		start = i + 1;
	}
	return n;
}

static bool is_name(const char *s, struct field f)
{
	if (f.len == 0 || f.len > WORKLOAD_NAME_MAX)
		return false;
	for (size_t i = 0; i < f.len; i++)
		if (!workload_name_char(s[f.at + i]))
			return false;
	return true;
}

bool workload_number(const char *s, struct field f, uint64_t *v)
{
	uint64_t x = 0;

	if (f.len == 0 || (f.len > 1 && s[f.at] == '0'))
		return false;
	for (size_t i = 0; i < f.len; i++) {
		char c = s[f.at + i];
		if (c < '0' || c > '9' || x > (UINT64_MAX - (uint64_t)(c - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(c - '0');
	}
	*v = x;
	return true;
}

static bool field_is(const char *s, struct field f, const char *word)
{
	return f.len == strlen(word) && memcmp(s + f.at, word, f.len) == 0;
}

static void copy_field(char *dst, const char *s, struct field f)
{
	memcpy(dst, s + f.at, f.len);
	dst[f.len] = '\0';
}

size_t workload_cell_prefix(const char *s, size_t len, char *cell)
{
	size_t i;

	cell[0] = '\0';
	if (len < 4 || s[0] != '[')
		return 0;
	for (i = 1; i < len && i <= WORKLOAD_NAME_MAX + 1 && s[i] != ']'; i++)
		if (s[i] == ' ' || s[i] == '[')
			return 0;
	if (i == 1 || i >= len - 1 || s[i] != ']' || s[i + 1] != ' ')
		return 0;
	memcpy(cell, s + 1, i - 1);
	cell[i - 1] = '\0';
	return i + 2;
}

int workload_parse_line(const char *s, size_t len, struct workload_line *out, unsigned int *col, char *err,
			size_t errsize)
{
	struct workload_line l = {0};
	struct field f[7];
	size_t at, bad = 0, tag = strlen(WORKLOAD_TAG);
	int n;

	if (len && s[len - 1] == '\r')
		len--;
	at = workload_cell_prefix(s, len, l.cell);
	if (len - at < tag || memcmp(s + at, WORKLOAD_TAG, tag) || (len - at > tag && s[at + tag] != ' '))
		return 0;
	n = workload_split(s, at, len, f, 6, &bad);
	if (n < 0)
		return workload_fail(err, errsize, col, bad,
				     "line: an empty field (fields are separated by one space)");
	if (n > 6)
		return workload_fail(err, errsize, col, bad, "line: too many fields (at most 6)");
	if (n < 2)
		return workload_fail(err, errsize, col, len, "workload: missing");
	if (!is_name(s, f[1]))
		return workload_fail(err, errsize, col, f[1].at,
				     "workload: '%.*s' is not 1-%d characters of [a-z0-9_]", (int)f[1].len,
				     s + f[1].at, WORKLOAD_NAME_MAX);
	copy_field(l.workload, s, f[1]);
	for (int i = 0; i < n; i++)
		l.at[i] = f[i].at;
	if (n < 3)
		return workload_fail(err, errsize, col, len, "metric: missing");
	if (field_is(s, f[2], WORKLOAD_DONE)) {
		static const char key[] = "samples=";
		if (n != 4)
			return workload_fail(err, errsize, col, n < 4 ? len : f[4].at,
					     "done: want exactly 'done samples=N'");
		if (f[3].len <= strlen(key) || memcmp(s + f[3].at, key, strlen(key)))
			return workload_fail(err, errsize, col, f[3].at, "samples: want 'samples=N'");
		struct field num = {f[3].at + strlen(key), f[3].len - strlen(key)};
		if (!workload_number(s, num, &l.value))
			return workload_fail(err, errsize, col, num.at,
					     "samples: '%.*s' is not an unsigned decimal", (int)num.len,
					     s + num.at);
		l.kind = WORKLOAD_LINE_DONE;
		*out = l;
		return 1;
	}
	if (field_is(s, f[2], WORKLOAD_PARAM)) {
		if (n != 5)
			return workload_fail(err, errsize, col, n < 5 ? len : f[5].at,
					     "param: want exactly 'param KEY VALUE'");
		if (!is_name(s, f[3]))
			return workload_fail(err, errsize, col, f[3].at,
					     "key: '%.*s' is not 1-%d characters of [a-z0-9_]", (int)f[3].len,
					     s + f[3].at, WORKLOAD_NAME_MAX);
		if (!workload_number(s, f[4], &l.value))
			return workload_fail(err, errsize, col, f[4].at,
					     "value: '%.*s' is not an unsigned decimal", (int)f[4].len,
					     s + f[4].at);
		copy_field(l.name, s, f[3]);
		l.kind = WORKLOAD_LINE_PARAM;
		*out = l;
		return 1;
	}
	if (!is_name(s, f[2]))
		return workload_fail(err, errsize, col, f[2].at,
				     "metric: '%.*s' is not 1-%d characters of [a-z0-9_]", (int)f[2].len,
				     s + f[2].at, WORKLOAD_NAME_MAX);
	copy_field(l.name, s, f[2]);
	if (n < 4)
		return workload_fail(err, errsize, col, len, "unit: missing");
	for (l.unit = 0; l.unit < WORKLOAD_NR_UNITS; l.unit++)
		if (field_is(s, f[3], workload_unit_name(l.unit)))
			break;
	if (l.unit == WORKLOAD_NR_UNITS) {
		char units[128] = "";
		for (unsigned int u = 0; u < WORKLOAD_NR_UNITS; u++)
			snprintf(units + strlen(units), sizeof(units) - strlen(units), "%s%s", u ? "|" : "",
				 workload_unit_name(u));
		return workload_fail(err, errsize, col, f[3].at, "unit: '%.*s' is not one of %s",
				     (int)f[3].len, s + f[3].at, units);
	}
	if (n < 5)
		return workload_fail(err, errsize, col, len, "iteration: missing");
	if (!workload_number(s, f[4], &l.iteration))
		return workload_fail(err, errsize, col, f[4].at,
				     "iteration: '%.*s' is not an unsigned decimal", (int)f[4].len,
				     s + f[4].at);
	if (n < 6)
		return workload_fail(err, errsize, col, len, "value: missing");
	if (!workload_number(s, f[5], &l.value))
		return workload_fail(err, errsize, col, f[5].at, "value: '%.*s' is not an unsigned decimal",
				     (int)f[5].len, s + f[5].at);
	l.kind = WORKLOAD_LINE_SAMPLE;
	*out = l;
	return 1;
}

/* Grow an array to hold one more element (aborts on out-of-memory, as the host tools do). */
static void *grow(void *a, size_t *cap, size_t nr, size_t size)
{
	if (nr < *cap)
		return a;
	*cap = *cap ? *cap * 2 : 64;
	a = realloc(a, *cap * size);
	if (!a) {
		perror("tessera: workload results");
		abort();
	}
	return a;
}

static struct workload_run *run_of(struct workload_results *r, const char *cell, const char *workload)
{
	return (struct workload_run *)workload_find_run(r, cell, workload);
}

const struct workload_run *workload_find_run(const struct workload_results *r, const char *cell,
					     const char *workload)
{
	for (size_t i = 0; i < r->nr_runs; i++)
		if (!strcmp(r->runs[i].cell, cell) && !strcmp(r->runs[i].workload, workload))
			return &r->runs[i];
	return NULL;
}

/* The last sample of a metric in a run, or NULL. */
static const struct workload_sample *last_sample(const struct workload_results *r, const char *cell,
						 const char *workload, const char *metric)
{
	for (size_t i = r->nr_samples; i-- > 0;) {
		const struct workload_sample *s = &r->samples[i];
		if (!strcmp(s->metric, metric) && !strcmp(s->workload, workload) && !strcmp(s->cell, cell))
			return s;
	}
	return NULL;
}

bool workload_get_param(const struct workload_results *r, const char *cell, const char *workload,
			const char *key, uint64_t *value)
{
	for (size_t i = 0; i < r->nr_params; i++) {
		const struct workload_param *p = &r->params[i];
		if (!strcmp(p->key, key) && !strcmp(p->workload, workload) && !strcmp(p->cell, cell)) {
			*value = p->value;
			return true;
		}
	}
	return false;
}

size_t workload_get_samples(const struct workload_results *r, const char *cell, const char *workload,
			    const char *metric, uint64_t *v, size_t max)
{
	size_t n = 0;

	/* Iterations are consecutive from 0 (checked while parsing), so log order is iteration order. */
	for (size_t i = 0; i < r->nr_samples; i++) {
		const struct workload_sample *s = &r->samples[i];
		if (strcmp(s->metric, metric) || strcmp(s->workload, workload) || strcmp(s->cell, cell))
			continue;
		if (n < max)
			v[n] = s->value;
		n++;
	}
	return n;
}

/* Checks of one line against what came before; adds it to *r. */
static int add_line(struct workload_results *r, const struct workload_line *l, unsigned int lineno, char *err,
		    size_t errsize, unsigned int *col)
{
	struct workload_run *run = run_of(r, l->cell, l->workload);

	if (!run) {
		r->runs = grow(r->runs, &r->cap_runs, r->nr_runs, sizeof(*r->runs));
		run = &r->runs[r->nr_runs++];
		*run = (struct workload_run){.line = lineno};
		strcpy(run->cell, l->cell);
		strcpy(run->workload, l->workload);
	}
	if (run->done)
		return workload_fail(err, errsize, col, l->at[1],
				     "workload: '%s' already printed its done line (line %u)", l->workload,
				     run->line);
	switch (l->kind) {
	case WORKLOAD_LINE_DONE:
		if (l->value != run->samples)
			return workload_fail(
				err, errsize, col, l->at[3] + strlen("samples="),
				"samples: %lu, but %lu sample lines were read (lines lost or repeated)",
				(unsigned long)l->value, (unsigned long)run->samples);
		run->done = true;
		run->line = lineno;
		return 0;
	case WORKLOAD_LINE_PARAM: {
		uint64_t old;
		if (workload_get_param(r, l->cell, l->workload, l->name, &old))
			return workload_fail(err, errsize, col, l->at[3], "key: '%s' given twice", l->name);
		r->params = grow(r->params, &r->cap_params, r->nr_params, sizeof(*r->params));
		struct workload_param *p = &r->params[r->nr_params++];
		strcpy(p->cell, l->cell);
		strcpy(p->workload, l->workload);
		strcpy(p->key, l->name);
		p->value = l->value;
		return 0;
	}
	case WORKLOAD_LINE_SAMPLE: {
		const struct workload_sample *prev = last_sample(r, l->cell, l->workload, l->name);
		uint64_t want = prev ? prev->iteration + 1 : 0;
		if (prev && prev->unit != l->unit)
			return workload_fail(
				err, errsize, col, l->at[3], "unit: '%s', but metric '%s' was in '%s' before",
				workload_unit_name(l->unit), l->name, workload_unit_name(prev->unit));
		if (l->iteration != want)
			return workload_fail(err, errsize, col, l->at[4],
					     "iteration: %lu, want %lu (a sample of '%s' lost or repeated)",
					     (unsigned long)l->iteration, (unsigned long)want, l->name);
		r->samples = grow(r->samples, &r->cap_samples, r->nr_samples, sizeof(*r->samples));
		struct workload_sample *s = &r->samples[r->nr_samples++];
		strcpy(s->cell, l->cell);
		strcpy(s->workload, l->workload);
		strcpy(s->metric, l->name);
		s->unit = l->unit;
		s->iteration = l->iteration;
		s->value = l->value;
		run->samples++;
		return 0;
	}
	}
	return 0;
}

int workload_parse_text(const char *text, const char *source, struct workload_results *r, char *err,
			size_t errsize)
{
	char msg[256];
	unsigned int lineno = 0, col = 0;

	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		struct workload_line l;
		char *line = strndup(s, len);
		int rc;

		if (!line)
			abort();
		lineno++;
		rc = workload_parse_line(line, len, &l, &col, msg, sizeof(msg));
		if (rc > 0)
			rc = add_line(r, &l, lineno, msg, sizeof(msg), &col);
		free(line);
		if (rc < 0) {
			snprintf(err, errsize, "%s:%u:%u: %s", source, lineno, col, msg);
			return -1;
		}
		s += len + (nl ? 1 : 0);
	}
	for (size_t i = 0; i < r->nr_runs; i++)
		if (!r->runs[i].done) {
			snprintf(err, errsize,
				 "%s:%u:1: done: workload '%s'%s%s%s has no done line (cut short?)", source,
				 r->runs[i].line, r->runs[i].workload, r->runs[i].cell[0] ? " in cell '" : "",
				 r->runs[i].cell, r->runs[i].cell[0] ? "'" : "");
			return -1;
		}
	return 0;
}

void workload_results_free(struct workload_results *r)
{
	free(r->samples);
	free(r->params);
	free(r->runs);
	memset(r, 0, sizeof(*r));
}

static int sample_order(const void *a, const void *b)
{
	const struct workload_sample *x = a, *y = b;
	int c = strcmp(x->cell, y->cell) ?: strcmp(x->workload, y->workload) ?: strcmp(x->metric, y->metric);
	return c ? c : (x->iteration > y->iteration) - (x->iteration < y->iteration);
}

static int param_order(const void *a, const void *b)
{
	const struct workload_param *x = a, *y = b;
	return strcmp(x->cell, y->cell) ?: strcmp(x->workload, y->workload) ?: strcmp(x->key, y->key);
}

/* Sorted copies: the two channels interleave cells differently, each cell's own order is the same. */
static void *sorted_copy(const void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	void *c = malloc(n ? n * size : 1);
	if (c && n) {
		memcpy(c, v, n * size);
		qsort(c, n, size, cmp);
	}
	return c;
}

int workload_results_compare(const struct workload_results *a, const struct workload_results *b, char *err,
			     size_t errsize)
{
	int ret = -1;

	if (a->nr_runs != b->nr_runs || a->nr_samples != b->nr_samples || a->nr_params != b->nr_params) {
		snprintf(err, errsize, "%zu runs, %zu samples, %zu params against %zu, %zu, %zu", a->nr_runs,
			 a->nr_samples, a->nr_params, b->nr_runs, b->nr_samples, b->nr_params);
		return -1;
	}
	for (size_t i = 0; i < a->nr_runs; i++) {
		const struct workload_run *x = &a->runs[i];
		const struct workload_run *y = workload_find_run(b, x->cell, x->workload);
		if (!y || y->done != x->done || y->samples != x->samples) {
			snprintf(err, errsize, "workload %s in cell %s: %s", x->workload, x->cell,
				 !y ? "missing" : "a different count or end");
			return -1;
		}
	}
	struct workload_sample *sa = sorted_copy(a->samples, a->nr_samples, sizeof(*sa), sample_order);
	struct workload_sample *sb = sorted_copy(b->samples, b->nr_samples, sizeof(*sb), sample_order);
	struct workload_param *pa = sorted_copy(a->params, a->nr_params, sizeof(*pa), param_order);
	struct workload_param *pb = sorted_copy(b->params, b->nr_params, sizeof(*pb), param_order);
	if (!sa || !sb || !pa || !pb) {
		snprintf(err, errsize, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < a->nr_samples; i++) {
		if (sample_order(&sa[i], &sb[i]) || sa[i].unit != sb[i].unit || sa[i].value != sb[i].value) {
			snprintf(err, errsize,
				 "sample %s/%s/%s iteration %llu: %llu %s against %s/%s/%s %llu: %llu %s",
				 sa[i].cell, sa[i].workload, sa[i].metric,
				 (unsigned long long)sa[i].iteration, (unsigned long long)sa[i].value,
				 workload_unit_name(sa[i].unit), sb[i].cell, sb[i].workload, sb[i].metric,
				 (unsigned long long)sb[i].iteration, (unsigned long long)sb[i].value,
				 workload_unit_name(sb[i].unit));
			goto out;
		}
	}
	for (size_t i = 0; i < a->nr_params; i++) {
		if (param_order(&pa[i], &pb[i]) || pa[i].value != pb[i].value) {
			snprintf(err, errsize, "param %s/%s/%s: %llu against %s/%s/%s: %llu", pa[i].cell,
				 pa[i].workload, pa[i].key, (unsigned long long)pa[i].value, pb[i].cell,
				 pb[i].workload, pb[i].key, (unsigned long long)pb[i].value);
			goto out;
		}
	}
	ret = 0;
out:
	free(sa);
	free(sb);
	free(pa);
	free(pb);
	return ret;
}
