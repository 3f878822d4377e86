/* Judging an experiment (outcome.h): only its console and the golden run's, no I/O. */
#include <stdio.h>
#include <string.h>

#include "outcome.h"

static const struct {
	const char *name, *def;
} outcomes[] = {
#define OUTCOME_ROW(NAME, name, def) {#name, def},
	TESSERA_OUTCOMES(OUTCOME_ROW)
#undef OUTCOME_ROW
};

const char *outcome_name(enum outcome o)
{
	return o < OUTCOME_COUNT ? outcomes[o].name : "?";
}

const char *outcome_definition(enum outcome o)
{
	return o < OUTCOME_COUNT ? outcomes[o].def : "?";
}

int outcome_by_name(const char *name)
{
	for (int i = 0; i < OUTCOME_COUNT; i++)
		if (!strcmp(outcomes[i].name, name))
			return i;
	return -1;
}

const char *outcome_cell_text(const char *line, const char *cell)
{
	size_t n = strlen(cell);

	if (line[0] != '[' || strncmp(line + 1, cell, n) || line[n + 1] != ']' || line[n + 2] != ' ')
		return NULL;
	return line + n + 3;
}

bool outcome_is_hv_line(const char *line)
{
	return !strncmp(line, "[cpu", 4) && line[4] >= '0' && line[4] <= '9';
}

/* The hypervisor's text of a line ("" when it is not one of its lines). */
static const char *hv_text(const char *line)
{
	const char *p = outcome_is_hv_line(line) ? strstr(line, "] ") : NULL;

	return p ? p + 2 : "";
}

/* The text after "<prefix>'<cell>'" in a hypervisor line, or NULL. */
static const char *hv_about(const char *line, const char *prefix, const char *cell)
{
	const char *t = hv_text(line);
	size_t np = strlen(prefix), nc = strlen(cell);

	if (strncmp(t, prefix, np) || t[np] != '\'' || strncmp(t + np + 1, cell, nc) ||
	    t[np + 1 + nc] != '\'')
		return NULL;
	return t + np + 2 + nc;
}

/*
 * How a cell ended, into buf: "finished: ...", "failed: ...", or NULL when the console does not say. A
 * start that failed is reported as "cell 'X': image load failed: ..." (core/cell.c): "failed: " + that.
 */
const char *outcome_line_ends_cell(const char *line, const char *cell, char *buf, size_t size)
{
	const char *a = hv_about(line, "cell ", cell);

	if (!a)
		a = hv_about(line, "ERROR: cell ", cell);
	if (a && (!strncmp(a, " finished: ", 11) || !strncmp(a, " failed: ", 9)))
		return snprintf(buf, size, "%s", a + 1), buf;
	if (a && !strncmp(a, ": ", 2) && strstr(a, " failed: "))
		return snprintf(buf, size, "failed: %s", a + 2), buf;
	return NULL;
}

static const char *cell_end(const struct outcome_console *c, const char *cell, char *buf, size_t size)
{
	const char *end = NULL;

	for (size_t i = 0; i < c->nr_lines; i++)
		if (outcome_line_ends_cell(c->lines[i], cell, buf, size))
			end = buf;
	return end;
}

static bool any_cell_line(const struct outcome_console *c, const char *cell, const char *needle,
			  const char **line)
{
	for (size_t i = 0; i < c->nr_lines; i++) {
		const char *t = outcome_cell_text(c->lines[i], cell);
		if (t && strstr(t, needle)) {
			*line = c->lines[i];
			return true;
		}
	}
	return false;
}

static bool any_hv_line(const struct outcome_console *c, const char *needle, const char **line)
{
	for (size_t i = 0; i < c->nr_lines; i++)
		if (strstr(hv_text(c->lines[i]), needle) == hv_text(c->lines[i]) ||
		    (needle[0] == '*' && strstr(hv_text(c->lines[i]), needle + 1))) {
			*line = c->lines[i];
			return true;
		}
	return false;
}

/* The cells of the console's "cell 'NAME' started" lines, other than the target. */
static size_t other_cells(const struct outcome_console *c, const char *target, char names[][64], size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nr_lines && n < max; i++) {
		const char *t = hv_text(c->lines[i]), *q;
		if (strncmp(t, "cell '", 6) || !(q = strchr(t + 6, '\'')) || strncmp(q, "' started", 9))
			continue;
		snprintf(names[n], 64, "%.*s", (int)(q - t - 6), t + 6);
		bool dup = !strcmp(names[n], target);
		for (size_t k = 0; k < n && !dup; k++)
			dup = !strcmp(names[k], names[n]);
		n += !dup;
	}
	return n;
}

/*
 * A failure the cell caused (core/exit.c, svm_vcpu.c: a violation, a crash, an unexpected exception or
 * exit, the watchdog) rather than one the hypervisor found in its own work and reported ("cpu 1: cannot
 * set up the vCPU: out of memory", "image load failed: ...", a machine check's policy).
 */
static bool crash_reason(const char *reason)
{
	static const char *const crash[] = {"violation", "crashed", "unexpected exception", "unexpected exit",
					    "watchdog"};

	for (size_t i = 0; i < sizeof(crash) / sizeof(crash[0]); i++)
		if (strstr(reason, crash[i]))
			return true;
	return false;
}

static bool verdict(struct outcome_verdict *v, enum outcome o, const char *detail)
{
	v->outcome = o;
	size_t n = detail ? strnlen(detail, sizeof(v->detail) - 1) : 0;

	memcpy(v->detail, detail ? detail : "", n); /* a long line is cut: the detail is a pointer to it */
	v->detail[n] = '\0';
	return true;
}

static bool judge_isolation(const struct outcome_judge *j, const struct outcome_console *g,
			    const struct outcome_console *r, struct outcome_verdict *v)
{
	const char *line;
	char names[16][64], why[4096];

	for (unsigned int i = 0; i < j->nr_canaries; i++)
		if (any_cell_line(r, j->canaries[i], j->canary_alarm, &line))
			return verdict(v, OUTCOME_ISOLATION_BREAK, line);
	if (any_hv_line(r, "*cross-cell", &line))
		return verdict(v, OUTCOME_ISOLATION_BREAK, line);
	size_t n = other_cells(g, j->target, names, 16);
	for (size_t i = 0; i < n; i++) {
		bool peer = false;
		for (unsigned int k = 0; k < j->nr_peers; k++)
			peer |= !strcmp(j->peers[k], names[i]);
		if (peer)
			continue;
		char gb[256], rb[256];
		const char *ge = cell_end(g, names[i], gb, sizeof(gb)),
			   *re = cell_end(r, names[i], rb, sizeof(rb));
		for (size_t k = 0; k < r->nr_lines; k++)
			if (hv_about(r->lines[k], "VIOLATION cell ", names[i]))
				return verdict(v, OUTCOME_ISOLATION_BREAK, r->lines[k]);
		if (ge && re && strcmp(ge, re)) {
			snprintf(why, sizeof(why), "cell '%s' %s (golden: %s)", names[i], re, ge);
			return verdict(v, OUTCOME_ISOLATION_BREAK, why);
		}
	}
	return false;
}

/* The part of a target line that is compared with the golden run's (*len bytes), or NULL. */
static const char *compared(const struct outcome_judge *j, const char *line, size_t *len)
{
	const char *t = outcome_cell_text(line, j->target);
	regmatch_t m;

	if (!t)
		return NULL;
	if (j->output_re) {
		if (regexec(j->output_re, t, 1, &m, 0))
			return NULL;
		*len = (size_t)(m.rm_eo - m.rm_so);
		return t + m.rm_so;
	}
	if (strncmp(t, j->output_prefix, strlen(j->output_prefix)))
		return NULL;
	*len = strlen(t);
	return t;
}

void outcome_classify(const struct outcome_judge *j, const struct outcome_console *g,
		      const struct outcome_console *r, struct outcome_verdict *v)
{
	const char *line, *det = NULL;
	char why[4096];

	if (r->exit_status == 2 || !any_hv_line(r, "Tessera hypervisor starting", &line)) {
		snprintf(why, sizeof(why), "exit status %d, %s", r->exit_status,
			 r->nr_lines ? "the hypervisor never started" : "no console");
		verdict(v, OUTCOME_INFRASTRUCTURE, why);
		return;
	}
	if (any_hv_line(r, "PANIC", &line) && verdict(v, OUTCOME_HV_PANIC, line))
		return;
	if (judge_isolation(j, g, r, v))
		return;
	if (r->exit_status == 124 && verdict(v, OUTCOME_HANG, "the time limit was reached"))
		return;
	bool detected = any_cell_line(r, j->target, j->detected, &det);
	char eb[256], gb[256];
	const char *end = cell_end(r, j->target, eb, sizeof(eb));
	if (end && !strncmp(end, "failed: ", 8)) {
		const char *reason = end + 8;
		if (!strncmp(reason, "exit status ", 12)) {
			if (detected)
				verdict(v, OUTCOME_DETECTED, det);
			else
				snprintf(why, sizeof(why), "cell '%s' %s, no detection line", j->target, end),
					verdict(v, OUTCOME_CELL_CRASH, why);
		} else {
			snprintf(why, sizeof(why), "cell '%s' %s", j->target, end);
			verdict(v, crash_reason(reason) ? OUTCOME_CELL_CRASH : OUTCOME_DETECTED, why);
		}
		return;
	}
	for (size_t k = 0; k < r->nr_lines; k++)
		if (hv_about(r->lines[k], "VIOLATION cell ", j->target) &&
		    verdict(v, OUTCOME_CELL_CRASH, r->lines[k]))
			return;
	if (detected && verdict(v, OUTCOME_DETECTED, det))
		return;
	for (size_t k = 0; k < r->nr_lines; k++) {
		const char *a = hv_about(r->lines[k], "cell ", j->target);
		if (a && strstr(a, "(restarting)") && verdict(v, OUTCOME_DETECTED, r->lines[k]))
			return;
	}
	if (!end) {
		snprintf(why, sizeof(why), "cell '%s' never finished (exit status %d)", j->target,
			 r->exit_status);
		verdict(v, OUTCOME_CELL_CRASH, why);
		return;
	}
	/* The target's output, line by line, against the golden run's. */
	size_t gi = 0, ri = 0, gn = 0, rn = 0;
	for (;;) {
		const char *gt = NULL, *rt = NULL;
		while (gi < g->nr_lines && !(gt = compared(j, g->lines[gi], &gn)))
			gi++;
		while (ri < r->nr_lines && !(rt = compared(j, r->lines[ri], &rn)))
			ri++;
		if (!gt && !rt)
			break;
		if (!gt || !rt || gn != rn || strncmp(gt, rt, gn)) {
			snprintf(why, sizeof(why), "%s (golden: %s)", rt ? rt : "(missing)",
				 gt ? gt : "(missing)");
			verdict(v, OUTCOME_SDC, why);
			return;
		}
		gi++, ri++;
	}
	const char *ge = cell_end(g, j->target, gb, sizeof(gb));
	if (ge && strcmp(ge, end)) {
		snprintf(why, sizeof(why), "cell '%s' %s (golden: %s)", j->target, end, ge);
		verdict(v, OUTCOME_SDC, why);
		return;
	}
	verdict(v, OUTCOME_BENIGN, "");
}
