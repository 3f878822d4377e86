/*
 * The boots of lab regress's steps go through the lab's runner (lab_run) in this process, as every
 * feature's boots do: the console comes line by line to a callback, and each boot's run record goes into
 * the step's log (and so into the results database) beside the console it printed.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runner.h"
#include "regress.h"

struct console {
	char *text;
	size_t len, cap;
};

static int on_line(const char *line, void *ctx)
{
	struct console *c = ctx;
	size_t n = strlen(line);

	if (c->len + n + 2 > c->cap) {
		size_t cap = c->cap ? c->cap : 65536;
		while (c->len + n + 2 > cap)
			cap *= 2;
		char *more = realloc(c->text, cap);
		if (!more)
			return 0; /* the line is lost; the judgement will say what is missing */
		c->text = more;
		c->cap = cap;
	}
	memcpy(c->text + c->len, line, n);
	c->len += n;
	c->text[c->len++] = '\n';
	c->text[c->len] = '\0';
	return 0;
}

int regress_boot(const struct regress_ctx *ctx, struct regress_result *r, const char *what,
		 struct lab_system *s, struct regress_console *out)
{
	struct console c = {0};
	struct lab_hooks h = {.on_line = on_line, .ctx = &c, .quiet = true, .prog = "tessera lab regress"};
	struct lab_run run;
	char head[512];

	memset(out, 0, sizeof(*out));
	s->hv_cmdline = ctx->append;
	if (regress_stopping()) {
		out->status = -1;
		out->text = strdup("");
		return -1;
	}
	out->status = lab_run(s, &h, &run);
	out->timed_out = out->status == 124;
	snprintf(out->summary, sizeof(out->summary), "%s", run.summary);
	out->text = c.text ? c.text : strdup("");
	int n = snprintf(head, sizeof(head), "== %s (exit status %d: %s)\n", what, out->status, run.summary);
	regress_log(r, head, (size_t)n < sizeof(head) ? (size_t)n : sizeof(head) - 1);
	regress_log(r, out->text, strlen(out->text));
	char *json = lab_run_record_json(&run.record);
	if (json) {
		regress_log(r, "== run record\n", strlen("== run record\n"));
		regress_log(r, json, strlen(json));
		regress_log(r, "\n", 1);
		free(json);
	}
	lab_run_release(&run);
	/* The runner answered SIGINT/SIGTERM itself (QEMU is gone); regress stops as well. */
	if (out->status == 130 || out->status == 143)
		raise(out->status == 130 ? SIGINT : SIGTERM);
	return out->status;
}

void regress_console_free(struct regress_console *c)
{
	free(c->text);
	c->text = NULL;
}
