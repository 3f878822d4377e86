/* Reading the fault-injection inmates' FI and CANARY lines (see workload_parse.h, docs/workloads.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload_parse.h"
#include "workload_parse_internal.h"

#define MAX_FIELDS 6

/* A line's fields after its tag: "key=value" expected in order. */
struct line {
	const char *s;
	struct field f[MAX_FIELDS + 1];
	int n;
	char *err;
	size_t errsize;
	unsigned int *col;
};

/* Field i is "key=..."; its value's field in *v. */
static int keyed(struct line *l, int i, const char *key, struct field *v)
{
	size_t klen = strlen(key);

	if (i >= l->n)
		return workload_fail(l->err, l->errsize, l->col,
				     l->n ? l->f[l->n - 1].at + l->f[l->n - 1].len : 0, "%s: missing", key);
	if (l->f[i].len <= klen || memcmp(l->s + l->f[i].at, key, klen) || l->s[l->f[i].at + klen] != '=')
		return workload_fail(l->err, l->errsize, l->col, l->f[i].at, "%s: want '%s=...' here", key,
				     key);
	*v = (struct field){l->f[i].at + klen + 1, l->f[i].len - klen - 1};
	return 0;
}

static int dec(struct line *l, int i, const char *key, uint64_t *x)
{
	struct field v;

	if (keyed(l, i, key, &v))
		return -1;
	if (!workload_number(l->s, v, x))
		return workload_fail(l->err, l->errsize, l->col, v.at,
				     "%s: '%.*s' is not an unsigned decimal", key, (int)v.len, l->s + v.at);
	return 0;
}

/* "0x" and 1-16 hex digits (lower case, as the inmates print them). */
static int hex(struct line *l, int i, const char *key, uint64_t *x)
{
	struct field v;
	uint64_t n = 0;

	if (keyed(l, i, key, &v))
		return -1;
	if (v.len < 3 || v.len > 18 || memcmp(l->s + v.at, "0x", 2))
		goto bad;
	for (size_t k = 2; k < v.len; k++) {
		char c = l->s[v.at + k];
		if (c >= '0' && c <= '9')
			n = n << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			n = n << 4 | (uint64_t)(c - 'a' + 10);
		else
			goto bad;
	}
	*x = n;
	return 0;
bad:
	return workload_fail(l->err, l->errsize, l->col, v.at, "%s: '%.*s' is not 0x and 1-16 hex digits",
			     key, (int)v.len, l->s + v.at);
}

/* key=ok|mismatch */
static int verdict(struct line *l, int i, const char *key, bool *ok)
{
	struct field v;

	if (keyed(l, i, key, &v))
		return -1;
	*ok = v.len == 2 && !memcmp(l->s + v.at, "ok", 2);
	if (!*ok && !(v.len == 8 && !memcmp(l->s + v.at, "mismatch", 8)))
		return workload_fail(l->err, l->errsize, l->col, v.at, "%s: '%.*s' is not ok or mismatch",
				     key, (int)v.len, l->s + v.at);
	return 0;
}

static int fields(struct line *l, int want)
{
	if (l->n > want)
		return workload_fail(l->err, l->errsize, l->col, l->f[want].at,
				     "line: too many fields (want %d)", want);
	return 0;
}

static void *grow(void *a, size_t *cap, size_t nr, size_t size)
{
	if (nr < *cap)
		return a;
	*cap = *cap ? *cap * 2 : 8;
	a = realloc(a, *cap * size);
	if (!a) {
		perror("tessera: workload results");
		abort();
	}
	return a;
}

const struct workload_fi *workload_find_fi(const struct workload_fi_results *r, const char *cell)
{
	for (size_t i = 0; i < r->nr_fi; i++)
		if (!strcmp(r->fi[i].cell, cell))
			return &r->fi[i];
	return NULL;
}

const struct workload_canary *workload_find_canary(const struct workload_fi_results *r, const char *cell)
{
	for (size_t i = 0; i < r->nr_canaries; i++)
		if (!strcmp(r->canaries[i].cell, cell))
			return &r->canaries[i];
	return NULL;
}

static int fi_line(struct workload_fi_results *r, const char *cell, struct line *l)
{
	struct workload_fi *fi = (struct workload_fi *)workload_find_fi(r, cell);
	uint64_t round, result;
	bool a, b;

	if (!fi) {
		r->fi = grow(r->fi, &r->cap_fi, r->nr_fi, sizeof(*r->fi));
		fi = memset(&r->fi[r->nr_fi++], 0, sizeof(*fi));
		strcpy(fi->cell, cell);
	}
	if (fi->done)
		return workload_fail(l->err, l->errsize, l->col, l->f[0].at,
				     "FI: a line after the result line");
	if (l->n && !strncmp(l->s + l->f[0].at, "round=", 6)) {
		if (dec(l, 0, "round", &round) || hex(l, 1, "result", &result) || verdict(l, 2, "crc", &a) ||
		    verdict(l, 3, "sort", &b) || fields(l, 4))
			return -1;
		if (round != fi->rounds_seen)
			return workload_fail(l->err, l->errsize, l->col, l->f[0].at + 6,
					     "round: %lu, want %lu (a line lost or repeated)",
					     (unsigned long)round, (unsigned long)fi->rounds_seen);
		fi->rounds_seen++;
		fi->rounds_mismatched += !(a && b);
		return 0;
	}
	if (hex(l, 0, "result", &result) || verdict(l, 1, "check", &fi->check_ok) ||
	    dec(l, 2, "rounds", &fi->rounds) || fields(l, 3))
		return -1;
	if (result > UINT32_MAX)
		return workload_fail(l->err, l->errsize, l->col, l->f[0].at + 7, "result: more than 32 bits");
	if (fi->rounds != fi->rounds_seen)
		return workload_fail(l->err, l->errsize, l->col, l->f[2].at + 7,
				     "rounds: %lu, but %lu round lines were read", (unsigned long)fi->rounds,
				     (unsigned long)fi->rounds_seen);
	if (fi->check_ok != !fi->rounds_mismatched)
		return workload_fail(l->err, l->errsize, l->col, l->f[1].at + 6,
				     "check: contradicts the round lines (%lu with a mismatch)",
				     (unsigned long)fi->rounds_mismatched);
	fi->result = (uint32_t)result;
	fi->done = true;
	return 0;
}

static int pass_in_order(struct workload_canary *c, struct line *l, int i, uint64_t pass)
{
	if (pass < c->last_pass)
		return workload_fail(l->err, l->errsize, l->col, l->f[i].at + 5, "pass: %lu after pass %lu",
				     (unsigned long)pass, (unsigned long)c->last_pass);
	c->last_pass = pass;
	return 0;
}

static int canary_line(struct workload_fi_results *r, const char *cell, struct line *l)
{
	struct workload_canary *c = (struct workload_canary *)workload_find_canary(r, cell);
	struct workload_canary_change ch = {0};
	uint64_t pass;
	const char *word = l->n ? l->s + l->f[0].at : "";
	size_t wlen = l->n ? l->f[0].len : 0;

	if (!c) {
		r->canaries = grow(r->canaries, &r->cap_canaries, r->nr_canaries, sizeof(*r->canaries));
		c = memset(&r->canaries[r->nr_canaries++], 0, sizeof(*c));
		strcpy(c->cell, cell);
	}
	if (c->done)
		return workload_fail(l->err, l->errsize, l->col, l->n ? l->f[0].at : 0,
				     "CANARY: a line after the done line");
	l->n--; /* the keys start after the line's kind */
	memmove(l->f, l->f + 1, sizeof(l->f[0]) * (size_t)l->n);
	if (wlen == 2 && !memcmp(word, "ok", 2)) {
		if (dec(l, 0, "pass", &pass) || fields(l, 1) || pass_in_order(c, l, 0, pass))
			return -1;
		c->passes_ok++;
		return 0;
	}
	if (wlen == 7 && !memcmp(word, "changed", 7)) {
		if (hex(l, 0, "addr", &ch.addr) || dec(l, 1, "pass", &ch.pass) ||
		    pass_in_order(c, l, 1, ch.pass))
			return -1;
		ch.page = l->n == 3 && l->f[2].len == 4 && !memcmp(l->s + l->f[2].at, "page", 4);
		if (!ch.page && (hex(l, 2, "was", &ch.was) || hex(l, 3, "now", &ch.now) || fields(l, 4)))
			return -1;
		if (c->changes_seen < WORKLOAD_CANARY_KEPT)
			c->changes[c->changes_seen] = ch;
		c->changes_seen++;
		return 0;
	}
	if (wlen == 4 && !memcmp(word, "done", 4)) {
		if (dec(l, 0, "passes", &c->passes) || dec(l, 1, "changed", &c->changed) ||
		    dec(l, 2, "bytes", &c->bytes) || fields(l, 3))
			return -1;
		if (c->changed < c->changes_seen)
			return workload_fail(l->err, l->errsize, l->col, l->f[1].at + 8,
					     "changed: %lu, but %lu changes were reported",
					     (unsigned long)c->changed, (unsigned long)c->changes_seen);
		if (c->passes < c->passes_ok || (c->passes_ok + c->changes_seen && c->passes <= c->last_pass))
			return workload_fail(l->err, l->errsize, l->col, l->f[0].at + 7,
					     "passes: %lu, but pass %lu was reported",
					     (unsigned long)c->passes, (unsigned long)c->last_pass);
		c->done = true;
		return 0;
	}
	return workload_fail(l->err, l->errsize, l->col, l->n >= 0 ? (size_t)(word - l->s) : 0,
			     "CANARY: '%.*s' is not ok, changed or done", (int)wlen, word);
}

/* One line: 0 (an FI or CANARY line, or neither), -1 with err. */
static int parse_line(struct workload_fi_results *r, const char *s, size_t len, char *err, size_t errsize,
		      unsigned int *col)
{
	char cell[WORKLOAD_STR];
	struct line l = {.s = s, .err = err, .errsize = errsize, .col = col};
	size_t at, bad = 0, tag;
	bool fi;

	if (len && s[len - 1] == '\r')
		len--;
	at = workload_cell_prefix(s, len, cell);
	if (len - at >= 3 && !memcmp(s + at, "FI ", 3)) {
		fi = true;
		tag = 3;
	} else if (len - at >= 7 && !memcmp(s + at, "CANARY ", 7)) {
		fi = false;
		tag = 7;
	} else {
		return 0;
	}
	l.n = workload_split(s, at + tag, len, l.f, MAX_FIELDS, &bad);
	if (l.n < 0)
		return workload_fail(err, errsize, col, bad,
				     "line: an empty field (fields are separated by one space)");
	if (l.n > MAX_FIELDS)
		return workload_fail(err, errsize, col, bad, "line: too many fields");
	return fi ? fi_line(r, cell, &l) : canary_line(r, cell, &l);
}

int workload_parse_fi_text(const char *text, const char *source, struct workload_fi_results *r, char *err,
			   size_t errsize)
{
	char msg[256];
	unsigned int lineno = 0, col = 0;

	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);

		lineno++;
		if (parse_line(r, s, len, msg, sizeof(msg), &col) < 0) {
			snprintf(err, errsize, "%s:%u:%u: %s", source, lineno, col, msg);
			return -1;
		}
		s += len + (nl ? 1 : 0);
	}
	return 0;
}

void workload_fi_results_free(struct workload_fi_results *r)
{
	free(r->fi);
	free(r->canaries);
	memset(r, 0, sizeof(*r));
}
