/* Booting a campaign's system once (campaign_boot.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../lab/console_text.h"
#include "../../lab/runner.h"
#include "campaign_boot.h"

#define EXCERPT_BEFORE 4
#define EXCERPT_AFTER  12

void campaign_console_free(struct campaign_console *c)
{
	free(c->text);
	free(c->copy);
	free(c->lines);
	memset(c, 0, sizeof(*c));
}

int campaign_console_set(struct campaign_console *c, char *text, int exit_status)
{
	size_t n = 0, cap = 64;

	memset(c, 0, sizeof(*c));
	c->exit_status = exit_status;
	c->text = text ? text : strdup("");
	c->copy = c->text ? strdup(c->text) : NULL;
	c->lines = malloc(cap * sizeof(*c->lines));
	if (!c->copy || !c->lines)
		return -1;
	for (char *p = c->copy, *nl; *p; p = nl + 1) {
		if (n == cap) {
			char **more = realloc(c->lines, (cap *= 2) * sizeof(*c->lines));
			if (!more)
				return -1;
			c->lines = more;
		}
		c->lines[n++] = p;
		if (!(nl = strchr(p, '\n')))
			break;
		*nl = '\0';
	}
	c->nr_lines = n;
	return 0;
}

int campaign_boot(const struct campaign *c, const char *plan_path, uint64_t seed, unsigned int timeout_s,
		  struct campaign_console *con, struct lab_run *r)
{
	struct lab_console_text text = {0};
	struct lab_system s = {
		.config = c->config,
		.hv_cmdline = c->hv_append[0] ? c->hv_append : NULL,
		.faults = plan_path,
		.mode = c->deterministic ? LAB_MODE_DETERMINISTIC : LAB_MODE_WALLCLOCK,
		.seed = seed,
		.timeout_s = timeout_s,
	};
	struct lab_hooks h = {
		.on_line = lab_console_text_add, .ctx = &text, .quiet = true, .prog = "tessera fi campaign"};
	int status = lab_run(&s, &h, r);

	if (campaign_console_set(con, lab_console_text_take(&text), status))
		fprintf(stderr, "tessera fi campaign: out of memory keeping a console\n");
	return status;
}

char *campaign_trace_text(const struct campaign_console *con)
{
	static const char scratch[] = "tessera-run.";
	char *t = strdup(con->text ? con->text : "");

	/* lab_run's scratch directory (mkdtemp's six characters) is the only name that differs per boot */
	for (char *p = t; p && (p = strstr(p, scratch)); p += sizeof(scratch) - 1)
		for (size_t i = 0; i < 6 && p[sizeof(scratch) - 1 + i] && p[sizeof(scratch) - 1 + i] != '/';
		     i++)
			p[sizeof(scratch) - 1 + i] = 'X';
	return t;
}

void campaign_judge(const struct campaign *c, struct outcome_judge *j, const char **canaries)
{
	for (unsigned int i = 0; i < c->nr_canaries; i++)
		canaries[i] = c->canaries[i];
	for (unsigned int i = 0; i < c->nr_peers; i++)
		canaries[CAMPAIGN_MAX_CANARIES + i] = c->peers[i];
	*j = (struct outcome_judge){.target = c->target,
				    .output_prefix = c->output_prefix,
				    .detected = c->detected,
				    .canary_alarm = c->canary_alarm,
				    .canaries = canaries,
				    .nr_canaries = c->nr_canaries,
				    .output_re = c->has_output_re ? &c->output_re : NULL,
				    .peers = canaries + CAMPAIGN_MAX_CANARIES,
				    .nr_peers = c->nr_peers};
}

void campaign_result_judge(const struct campaign *c, const struct campaign_console *golden,
			   const struct campaign_console *con, int status, bool excerpt,
			   struct campaign_result *res)
{
	const char *canaries[2 * CAMPAIGN_MAX_CANARIES];
	struct outcome_judge j;
	struct outcome_verdict v;

	campaign_judge(c, &j, canaries);
	outcome_classify(
		&j, &(struct outcome_console){(const char *const *)golden->lines, golden->nr_lines, 0},
		&(struct outcome_console){(const char *const *)con->lines, con->nr_lines, status}, &v);
	res->outcome = v.outcome;
	snprintf(res->detail, sizeof(res->detail), "%s", v.detail);
	char *trace = campaign_trace_text(con);
	if (trace)
		campaign_sha256(trace, strlen(trace), res->trace_sha256);
	free(trace);
	if (excerpt)
		res->excerpt = campaign_excerpt(con);
}

/* The lines around the first injection (or the last lines when nothing was injected). */
char *campaign_excerpt(const struct campaign_console *con)
{
	size_t at = con->nr_lines, from, to, len = 0;

	for (size_t i = 0; i < con->nr_lines && at == con->nr_lines; i++)
		if (strstr(con->lines[i], "faultinj: fault ") && strstr(con->lines[i], "injected"))
			at = i;
	if (at == con->nr_lines)
		at = con->nr_lines > EXCERPT_AFTER ? con->nr_lines - EXCERPT_AFTER : 0;
	from = at > EXCERPT_BEFORE ? at - EXCERPT_BEFORE : 0;
	to = at + EXCERPT_AFTER < con->nr_lines ? at + EXCERPT_AFTER : con->nr_lines;
	for (size_t i = from; i < to; i++)
		len += strlen(con->lines[i]) + 1;
	char *s = malloc(len + 1), *p = s;
	if (!s)
		return NULL;
	for (size_t i = from; i < to; i++)
		p += sprintf(p, "%s\n", con->lines[i]);
	*p = '\0';
	return s;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The boot and its verdict, for one attempt at an experiment: res's boot fields are this attempt's. */
static void attempt(const struct campaign *c, const struct campaign_experiment *e,
		    const struct campaign_console *golden, unsigned int timeout_s, const char *plan_path,
		    struct campaign_result *res)
{
	struct campaign_console con = {0};
	struct lab_run r;

	results_db_now(res->started, sizeof(res->started));
	int64_t t0 = now_ns();
	int status = campaign_boot(c, plan_path, e->plan_seed, timeout_s, &con, &r);
	res->duration_ns = now_ns() - t0;
	results_db_now(res->ended, sizeof(res->ended));
	res->exit_status = status;
	res->interrupted = status == 130 || status == 143;
	campaign_result_judge(c, golden, &con, status, true, res);
	snprintf(res->config_hash, sizeof(res->config_hash), "%s", r.record.config_sha256);
	snprintf(res->image_hash, sizeof(res->image_hash), "%s", r.record.image_sha256);
	res->qemu_cmdline = r.record.qemu_cmdline ? strdup(r.record.qemu_cmdline) : NULL;
	res->repeat = r.record.repeat ? strdup(r.record.repeat) : NULL;
	lab_run_release(&r);
	campaign_console_free(&con);
}

/* Worth booting again: the host failed the boot (the hypervisor never started), not bad input or a stop. */
static bool host_failed(const struct campaign_result *res)
{
	return res->outcome == OUTCOME_INFRASTRUCTURE && res->exit_status != 2 && !res->interrupted;
}

void campaign_attempts_add(struct campaign_attempts *a, const char *why)
{
	size_t room = sizeof(a->earlier) - a->used;
	int k = snprintf(a->earlier + a->used, room, "%sattempt %u: %s", a->used ? "; " : "", a->n, why);

	a->used += k < 0 ? 0 : (size_t)k < room ? (size_t)k : room - 1;
}

void campaign_attempts_note(const struct campaign_attempts *a, char *detail, size_t size)
{
	size_t len = strnlen(detail, size);

	if (a->n > 1 && len + 1 < size)
		snprintf(detail + len, size - len, "%s(attempt %u of %u; %s)", len ? " " : "", a->n,
			 CAMPAIGN_BOOT_ATTEMPTS, a->earlier);
}

void campaign_experiment_run(const struct campaign *c, const struct campaign_experiment *e,
			     const struct campaign_console *golden, unsigned int timeout_s,
			     const char *keep_plan, struct campaign_result *res)
{
	char plan[4096], path[4096] = "/tmp/tessera-campaign-plan-XXXXXX";
	struct campaign_attempts a = {.n = 1};
	int fd;

	memset(res, 0, sizeof(*res));
	res->index = e->index;
	res->outcome = OUTCOME_NO_VERDICT;
	results_db_now(res->started, sizeof(res->started));
	int len = campaign_experiment_plan(c, e, plan, sizeof(plan));
	if (keep_plan)
		snprintf(path, sizeof(path), "%s", keep_plan);
	fd = len < 0 ? -1 : keep_plan ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : mkstemp(path);
	if (fd < 0 || write(fd, plan, (size_t)len) != len) {
		snprintf(res->detail, sizeof(res->detail), "cannot write the plan: %s", strerror(errno));
		res->outcome = OUTCOME_INFRASTRUCTURE;
		return;
	}
	close(fd);
	attempt(c, e, golden, timeout_s, path, res);
	for (; host_failed(res) && a.n < CAMPAIGN_BOOT_ATTEMPTS; a.n++) {
		/* the attempt that says nothing about the fault goes; why it failed stays, in the detail */
		campaign_attempts_add(&a, res->detail);
		free(res->excerpt);
		free(res->qemu_cmdline);
		free(res->repeat);
		res->excerpt = res->qemu_cmdline = res->repeat = NULL;
		attempt(c, e, golden, timeout_s, path, res);
	}
	campaign_attempts_note(&a, res->detail, sizeof(res->detail));
	if (!keep_plan)
		unlink(path);
}
