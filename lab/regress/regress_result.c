/* The growing lists of a step's result (regress.h). Out of memory ends the command: it is one short run. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regress.h"

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 64;
	p = realloc(p, *cap * size);
	if (!p) {
		fputs("tessera lab regress: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static char *dup_or_null(const char *s)
{
	char *d = s ? strdup(s) : NULL;
	if (s && !d) {
		fputs("tessera lab regress: out of memory\n", stderr);
		exit(1);
	}
	return d;
}

void regress_add_case(struct regress_result *r, bool pass, const char *detail, const char *fmt, ...)
{
	va_list ap;
	char *name;

	va_start(ap, fmt);
	if (vasprintf(&name, fmt, ap) < 0)
		name = NULL;
	va_end(ap);
	r->cases = grow(r->cases, &r->cap_cases, r->nr_cases, sizeof(*r->cases));
	r->cases[r->nr_cases++] = (struct regress_case){name, pass, pass ? NULL : dup_or_null(detail)};
}

void regress_add_metric(struct regress_result *r, const char *name, const char *unit, double value)
{
	r->metrics = grow(r->metrics, &r->cap_metrics, r->nr_metrics, sizeof(*r->metrics));
	r->metrics[r->nr_metrics++] = (struct regress_metric){dup_or_null(name), dup_or_null(unit), value};
}

void regress_log(struct regress_result *r, const char *text, size_t len)
{
	if (r->log_len + len + 1 > r->log_cap) {
		r->log_cap = (r->log_len + len + 1) * 2;
		r->log = realloc(r->log, r->log_cap);
		if (!r->log) {
			fputs("tessera lab regress: out of memory\n", stderr);
			exit(1);
		}
	}
	memcpy(r->log + r->log_len, text, len);
	r->log_len += len;
	r->log[r->log_len] = '\0';
}

void regress_incomplete(struct regress_result *r, const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(r->problems);

	r->complete = false;
	if (n && n + 2 < sizeof(r->problems))
		strcat(r->problems, "; "), n += 2;
	va_start(ap, fmt);
	vsnprintf(r->problems + n, sizeof(r->problems) - n, fmt, ap);
	va_end(ap);
}

void regress_result_free(struct regress_result *r)
{
	for (size_t i = 0; i < r->nr_cases; i++)
		free(r->cases[i].name), free(r->cases[i].detail);
	for (size_t i = 0; i < r->nr_metrics; i++)
		free(r->metrics[i].name), free(r->metrics[i].unit);
	free(r->cases);
	free(r->metrics);
	free(r->log);
	memset(r, 0, sizeof(*r));
}

void regress_log_proc(struct regress_result *r, const char *what, const struct regress_proc *p)
{
	char head[512];
	int n = snprintf(head, sizeof(head), "== %s (exit status %d%s)\n", what, p->status,
			 p->timed_out ? ", timed out" : "");

	regress_log(r, head, (size_t)n < sizeof(head) ? (size_t)n : sizeof(head) - 1);
	regress_log(r, p->out, strlen(p->out));
	regress_log(r, p->err, strlen(p->err));
}
