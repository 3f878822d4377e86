/* Enumerating and sampling the fault space (campaign_space.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_space.h"

uint64_t campaign_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t campaign_dim_size(const struct campaign_dim *d)
{
	return d->nr_words ? d->nr_words : (d->hi - d->lo) / d->step + 1;
}

void campaign_dim_value(const struct campaign_dim *d, uint64_t i, char *buf, size_t size)
{
	if (d->nr_words)
		snprintf(buf, size, "%s", d->words[i]);
	else
		snprintf(buf, size, "%llu", (unsigned long long)(d->lo + i * d->step));
}

/* The value index of each dimension of point p of entry e (first dimension slowest). */
static void point_digits(const struct campaign_entry *e, uint64_t p, uint64_t *digit)
{
	for (unsigned int i = e->nr_dims; i-- > 0;) {
		uint64_t n = campaign_dim_size(&e->dims[i]);
		digit[i] = p % n;
		p /= n;
	}
}

int campaign_plan_text(const struct campaign *c, unsigned int entry, uint64_t p, uint64_t seed, char *buf,
		       size_t size)
{
	const struct campaign_entry *e = &c->entries[entry];
	uint64_t digit[CAMPAIGN_MAX_DIMS];
	char v[256];
	size_t n;

	point_digits(e, p, digit);
	n = (size_t)snprintf(buf, size, "seed: %llu\nfaults:\n  - model: %s\n    cell: \"%s\"\n",
			     (unsigned long long)seed, e->model, e->cell);
	for (unsigned int i = 0; i + 1 < e->nr_dims && n < size; i++) {
		campaign_dim_value(&e->dims[i], digit[i], v, sizeof(v));
		n += (size_t)snprintf(buf + n, size - n, "    %s: \"%s\"\n", e->dims[i].key, v);
	}
	campaign_dim_value(&e->dims[e->nr_dims - 1], digit[e->nr_dims - 1], v, sizeof(v));
	if (n < size && strcmp(e->trigger_kind, "now"))
		n += (size_t)snprintf(buf + n, size - n, "    trigger:\n      %s: \"%s\"\n", e->trigger_kind,
				      v);
	if (n < size && e->trigger_reason[0])
		n += (size_t)snprintf(buf + n, size - n, "      reason: %s\n", e->trigger_reason);
	return n < size ? (int)n : -1;
}

int campaign_experiment_plan(const struct campaign *c, const struct campaign_experiment *e, char *buf,
			     size_t size)
{
	uint64_t p = e->point;

	for (unsigned int i = 0; i < e->entry; i++)
		p -= c->entries[i].size;
	return campaign_plan_text(c, e->entry, p, e->plan_seed, buf, size);
}

static void describe(const struct campaign *c, struct campaign_experiment *x)
{
	uint64_t p = x->point, digit[CAMPAIGN_MAX_DIMS];
	unsigned int k = 0;

	while (p >= c->entries[k].size)
		p -= c->entries[k++].size;
	const struct campaign_entry *e = &c->entries[k];
	x->entry = k;
	point_digits(e, p, digit);
	size_t n = (size_t)snprintf(x->fault, sizeof(x->fault), "%s cell=%s", e->model, e->cell);
	for (unsigned int i = 0; i < e->nr_dims && n < sizeof(x->fault); i++) {
		char v[256];
		campaign_dim_value(&e->dims[i], digit[i], v, sizeof(v));
		n += (size_t)snprintf(x->fault + n, sizeof(x->fault) - n, " %s%s%s=%s",
				      i + 1 == e->nr_dims ? "trigger." : "",
				      i + 1 == e->nr_dims ? e->trigger_kind : e->dims[i].key, "", v);
	}
	if (e->trigger_reason[0] && n < sizeof(x->fault))
		snprintf(x->fault + n, sizeof(x->fault) - n, " trigger.reason=%s", e->trigger_reason);
	const struct campaign_dim *t = &e->dims[e->nr_dims - 1];
	x->inject_at = t->nr_words ? strtoull(t->words[digit[e->nr_dims - 1]], NULL, 0)
				   : t->lo + digit[e->nr_dims - 1] * t->step;
}

/* A set of drawn points: open addressing over a power-of-two table (points + 1, 0 is empty). */
static int seen_insert(uint64_t *table, size_t mask, uint64_t point)
{
	size_t h = (size_t)((point * 0x9e3779b97f4a7c15ULL) >> 17) & mask;

	while (table[h]) {
		if (table[h] == point + 1)
			return 0;
		h = (h + 1) & mask;
	}
	table[h] = point + 1;
	return 1;
}

struct campaign_experiment *campaign_plan_experiments(const struct campaign *c, size_t *nr)
{
	bool all = c->sampling == CAMPAIGN_EXHAUSTIVE || c->experiments >= c->space_size;
	size_t n = all ? (size_t)c->space_size : (size_t)c->experiments;
	struct campaign_experiment *x = calloc(n ? n : 1, sizeof(*x));
	uint64_t state = c->seed;

	if (!x)
		return NULL;
	if (all) {
		for (size_t i = 0; i < n; i++)
			x[i].point = i;
	} else {
		size_t cap = 16;
		while (cap < 2 * n)
			cap *= 2;
		uint64_t *table = calloc(cap, sizeof(*table));
		if (!table) {
			free(x);
			return NULL;
		}
		/* Rejection of repeats: uniform over the points not drawn yet, so without replacement. */
		for (size_t i = 0; i < n;) {
			uint64_t p = campaign_splitmix64(&state) % c->space_size;
			if (seen_insert(table, cap - 1, p))
				x[i++].point = p;
		}
		free(table);
	}
	for (size_t i = 0; i < n; i++) {
		x[i].index = (unsigned int)i;
		x[i].weight = (double)c->space_size / (double)n;
		uint64_t s = c->seed ^ (0x5eedULL + i);
		x[i].plan_seed = campaign_splitmix64(&s);
		describe(c, &x[i]);
	}
	*nr = n;
	return x;
}
