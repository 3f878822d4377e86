/* The per-metric sample lists of a comparison (sample_set.h). */
#include <stdlib.h>
#include <string.h>

#include "sample_set.h"

void sample_vec_push(struct sample_vec *v, double x)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 16;
		v->v = realloc(v->v, v->cap * sizeof(*v->v));
		if (!v->v)
			abort();
	}
	v->v[v->n++] = x;
}

bool unit_lower_is_better(const char *unit)
{
	size_t n = strlen(unit);
	return !(n >= 2 && !strcmp(unit + n - 2, "/s"));
}

static struct metric_samples *find(struct sample_set *s, const char *name, const char *unit)
{
	for (size_t i = 0; i < s->nr; i++)
		if (!strcmp(s->metrics[i].name, name))
			return &s->metrics[i];
	if (s->nr == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->metrics = realloc(s->metrics, s->cap * sizeof(*s->metrics));
		if (!s->metrics)
			abort();
	}
	struct metric_samples *m = &s->metrics[s->nr++];
	*m = (struct metric_samples){.name = strdup(name), .unit = strdup(unit)};
	if (!m->name || !m->unit)
		abort();
	m->lower_is_better = unit_lower_is_better(unit);
	return m;
}

void sample_set_add(struct sample_set *s, const char *name, const char *unit, enum sample_side side,
		    double value)
{
	sample_vec_push(&find(s, name, unit)->side[side], value);
}

void sample_set_free(struct sample_set *s)
{
	for (size_t i = 0; i < s->nr; i++) {
		free(s->metrics[i].name);
		free(s->metrics[i].unit);
		free(s->metrics[i].side[0].v);
		free(s->metrics[i].side[1].v);
	}
	free(s->metrics);
	s->metrics = NULL;
	s->nr = s->cap = 0;
}
