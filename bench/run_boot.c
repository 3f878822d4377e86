/* One boot of a plan (run_boot.h). */
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/config/compile.h"
#include "../lab/host_files.h"
#include "../lab/runner.h"
#include "results_page.h"
#include "run_boot.h"

/* Every event of the catalog; the hypervisor masks it with the events it has. */
#define ALL_EVENTS "trace_events=0xffffffffffffffff"

struct console {
	char *text;
	size_t len, cap;
	const char *channel; /* the host channel file, NULL without one */
	struct results_page page;
};

/* Only BENCH lines are kept: a boot's console may be long (the hypervisor's log), its results are not. */
static int on_line(const char *line, void *ctx)
{
	struct console *c = ctx;
	size_t n = strlen(line);

	if (!strstr(line, "BENCH "))
		return 0;
	/* The page is drained while the cell writes it (as often as result lines arrive), so that its ring
	 * never fills; a malformed page is reported after the boot. */
	if (c->channel)
		results_page_poll(&c->page, c->channel);
	if (c->len + n + 2 > c->cap) {
		size_t cap = (c->cap ? c->cap * 2 : 65536) + n;
		char *t = realloc(c->text, cap);
		if (!t)
			return 1; /* stop: a boot whose results cannot be kept is a failed boot */
		c->text = t;
		c->cap = cap;
	}
	memcpy(c->text + c->len, line, n);
	c->len += n;
	c->text[c->len++] = '\n';
	c->text[c->len] = 0;
	return 0;
}

/* After QEMU is gone and before the runner removes the channel: what is left on the page. */
static void after_boot(int status, void *ctx)
{
	struct console *c = ctx;

	(void)status;
	if (c->channel)
		results_page_finish(&c->page, c->channel);
}

/*
 * The results page against the console (docs/workloads.md, "Channel"): a complete page must say exactly
 * what the console said, and then the samples are the page's; a page that lost records is recorded with
 * the boot and the console's samples are used; a malformed page or one that differs fails the boot.
 */
static bool cross_check(struct console *c, struct run_boot_result *r)
{
	struct results_page *pg = &c->page;
	struct workload_results fromp = {0};
	char err[256];

	r->page_present = pg->present;
	r->page_records = pg->records;
	r->page_lost = pg->lost;
	snprintf(r->page_where, sizeof(r->page_where), "%s", pg->where);
	if (pg->err[0]) {
		snprintf(r->why, sizeof(r->why), "%s", pg->err);
		return false;
	}
	if (!pg->present)
		return true;
	if (pg->lost || pg->gaps) {
		fprintf(stderr,
			"tessera bench run: the results page lost %llu records (%s): samples from the "
			"console\n",
			(unsigned long long)pg->lost, pg->where);
		return true;
	}
	if (workload_parse_text(pg->text ? pg->text : "", "results page", &fromp, err, sizeof(err))) {
		snprintf(r->why, sizeof(r->why), "malformed results page: %s", err);
		return false;
	}
	if (workload_results_compare(&r->parsed, &fromp, err, sizeof(err))) {
		snprintf(r->why, sizeof(r->why), "console and results page differ: %s", err);
		workload_results_free(&fromp);
		return false;
	}
	workload_results_free(&r->parsed);
	r->parsed = fromp;
	r->page_used = true;
	return true;
}

char *run_boot_set_iters(const char *text, unsigned int count)
{
	size_t cap = strlen(text) + 64, n = 0;
	char *out = malloc(cap);
	bool found = false;

	for (const char *p = text; out && *p;) {
		const char *at = strstr(p, "iters=");
		/* a whole word: iters= at the start of an argument, not maxiters= */
		while (at && at > text && at[-1] != ' ' && at[-1] != '"' && at[-1] != '\'')
			at = strstr(at + 1, "iters=");
		size_t keep = at ? (size_t)(at - p) : strlen(p);
		if (n + keep + 32 > cap) {
			char *o = realloc(out, cap = cap * 2 + keep + 32);
			if (!o) {
				free(out);
				return NULL;
			}
			out = o;
		}
		memcpy(out + n, p, keep);
		n += keep;
		if (!at)
			break;
		found = true;
		n += (size_t)sprintf(out + n, "iters=%u", count);
		p = at + strlen("iters=");
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (out)
		out[n] = 0;
	if (!found) {
		free(out);
		return NULL;
	}
	return out;
}

bool run_boot_collect(const struct plan *p, const char *workload, struct run_boot_result *r)
{
	const struct workload_results *res = &r->parsed;
	unsigned int want = p->warmup + p->iterations, nr_runs = 0;

	for (size_t i = 0; i < res->nr_runs; i++) {
		const struct workload_run *run = &res->runs[i];
		if (strcmp(run->workload, workload))
			continue;
		if (!run->done) {
			snprintf(r->why, sizeof(r->why), "workload %s in cell %s did not finish", workload,
				 run->cell);
			return false;
		}
		nr_runs++;
	}
	if (!nr_runs) {
		snprintf(r->why, sizeof(r->why), "no results of workload %s on the console", workload);
		return false;
	}
	r->samples = calloc(res->nr_samples ? res->nr_samples : 1, sizeof(*r->samples));
	if (!r->samples) {
		snprintf(r->why, sizeof(r->why), "out of memory");
		return false;
	}
	unsigned int nr_names = 0;
	for (size_t i = 0; i < res->nr_samples; i++) {
		const struct workload_sample *s = &res->samples[i];
		if (strcmp(s->workload, workload))
			continue;
		/* one run: the workload's name; several cells: each its own name, so no sample collides */
		char name[64];
		snprintf(name, sizeof(name), nr_runs > 1 ? "%s.%s" : "%s", workload, s->cell);
		unsigned int k = 0;
		while (k < nr_names && strcmp(r->workload_names[k], name))
			k++;
		if (k == nr_names) {
			if (nr_names == sizeof(r->workload_names) / sizeof(r->workload_names[0])) {
				snprintf(r->why, sizeof(r->why), "workload %s runs in too many cells",
					 workload);
				return false;
			}
			snprintf(r->workload_names[nr_names++], sizeof(r->workload_names[0]), "%s", name);
		}
		if (s->iteration >= want)
			continue; /* a workload that measures more than asked: only the planned iterations */
		r->samples[r->nr_samples++] = (struct rdb_sample){
			.workload = r->workload_names[k],
			.metric = s->metric,
			.unit = workload_unit_name(s->unit),
			.iteration = (unsigned int)s->iteration,
			.value = (double)s->value,
			.warmup = s->iteration < p->warmup,
		};
	}
	/* every metric must have all its iterations: a short series would bias the boot's median */
	for (size_t i = 0; i < r->nr_samples; i++) {
		if (r->samples[i].iteration != 0)
			continue;
		unsigned int count = 0;
		for (size_t k = 0; k < r->nr_samples; k++)
			count += r->samples[k].workload == r->samples[i].workload &&
				 !strcmp(r->samples[k].metric, r->samples[i].metric);
		if (count != want) {
			snprintf(r->why, sizeof(r->why), "%s/%s: %u iterations, the plan wants %u",
				 r->samples[i].workload, r->samples[i].metric, count, want);
			return false;
		}
	}
	if (!r->nr_samples) {
		snprintf(r->why, sizeof(r->why), "workload %s printed no samples", workload);
		return false;
	}
	return true;
}

int run_boot_write_system(const struct plan *p, const char *src, const char *dir, char *out, size_t size,
			  const char *prog)
{
	size_t len;
	char *text = config_read_file(src, &len);
	char *set = text ? run_boot_set_iters(text, p->warmup + p->iterations) : NULL;
	FILE *f = NULL;
	int ret = -1;

	snprintf(out, size, "%s/system.yaml", dir);
	if (set && (f = fopen(out, "w")) && fputs(set, f) >= 0)
		ret = 0;
	if (f && fclose(f))
		ret = -1;
	if (ret)
		fprintf(stderr, "%s: cannot write %s from %s: %s\n", prog, out, src, strerror(errno));
	free(set);
	free(text);
	return ret;
}

/* The boot's record: what the plan asked for (the system config before its iters= was set), how it went,
 * and the runner's run record (whose config is the rewritten copy it booted). */
static char *record_json(const struct run_boot_result *r, const struct lab_run *run, const char *system,
			 unsigned int iters, uint64_t host_cpus)
{
	char *rec = lab_run_record_json(&run->record);
	/* the host CPUs QEMU was confined to (null: wherever the host scheduled it) */
	json_t *cpus = NULL;
	if (host_cpus) {
		cpus = json_array();
		for (unsigned int i = 0; i < 64; i++)
			if (host_cpus & (1ULL << i))
				json_array_append_new(cpus, json_integer(i));
	}
	/* where the samples came from, and what the results page held (null: the boot had no page) */
	json_t *page = r->page_present ? json_pack("{s:I, s:I, s:s?}", "records", (json_int_t)r->page_records,
						   "lost", (json_int_t)r->page_lost, "where",
						   r->page_where[0] ? r->page_where : NULL)
				       : json_null();
	json_t *o = json_pack("{s:s, s:i, s:s, s:s?, s:i, s:o?, s:s, s:o?, s:o?}", "system", system, "iters",
			      (int)iters, "summary", run->summary, "failure", r->ok ? NULL : r->why,
			      "exit_status", run->exit_status, "host_cpus", cpus ? cpus : json_null(),
			      "samples_from", r->page_used ? "results_page" : "console", "results_page", page,
			      "record", rec ? json_loads(rec, 0, NULL) : NULL);
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	free(rec);
	return text;
}

/* The guests beside the original config stay reachable from the rewritten copy. */
static void guest_path_add(const char *config, char **saved)
{
	char dir[PATH_MAX], val[2 * PATH_MAX + 2];
	const char *old = getenv("TESSERA_GUEST_PATH");

	*saved = old ? strdup(old) : NULL;
	snprintf(dir, sizeof(dir), "%s", config);
	snprintf(val, sizeof(val), "%s%s%s", dirname(dir), old ? ":" : "", old ? old : "");
	setenv("TESSERA_GUEST_PATH", val, 1);
}

static void guest_path_restore(char *saved)
{
	if (saved)
		setenv("TESSERA_GUEST_PATH", saved, 1);
	else
		unsetenv("TESSERA_GUEST_PATH");
	free(saved);
}

int run_boot(const struct plan *p, const struct plan_config *c, unsigned int w, struct run_boot_result *r)
{
	char dir[PATH_MAX], system[PATH_MAX + 16], channel[PATH_MAX + 16], hv[1024], *saved;
	struct console con = {0};
	struct lab_run run;
	cpu_set_t old_set, set;
	bool pinned = false;

	memset(r, 0, sizeof(*r));
	if (lab_make_scratch_dir(dir, sizeof(dir), "tessera-bench")) {
		fprintf(stderr, "tessera bench run: cannot make a scratch directory: %s\n", strerror(errno));
		return -1;
	}
	if (run_boot_write_system(p, c->system[w], dir, system, sizeof(system), "tessera bench run")) {
		lab_remove_tree(dir);
		return -1;
	}
	snprintf(channel, sizeof(channel), "%s/channel", dir);
	snprintf(hv, sizeof(hv), "%s%s%s", c->hv_cmdline,
		 c->tracing == PLAN_TRACING_ALL_ON && c->hv_cmdline[0] ? " " : "",
		 c->tracing == PLAN_TRACING_ALL_ON ? ALL_EVENTS : "");
	struct lab_system s = {
		.config = system,
		.hv_cmdline = hv[0] ? hv : NULL,
		/* a channel without trace_events= gets every event off from the runner: "events-off" */
		.channel = c->tracing == PLAN_TRACING_OFF ? NULL : channel,
		.mode = p->mode == PLAN_MODE_DETERMINISTIC ? LAB_MODE_DETERMINISTIC : LAB_MODE_WALLCLOCK,
		.seed = p->seed,
		.qemu_args = (char **)c->qemu_args,
		.nr_qemu_args = c->nr_qemu_args,
	};
	con.channel = s.channel;
	struct lab_hooks h = {.on_line = on_line,
			      .after = after_boot,
			      .ctx = &con,
			      .quiet = true,
			      .prog = "tessera bench run"};

	if (c->host_cpus) {
		CPU_ZERO(&set);
		for (unsigned int i = 0; i < 64; i++)
			if (c->host_cpus & (1ULL << i))
				CPU_SET(i, &set);
		/* QEMU inherits the mask: its threads run on these CPUs only. A boot that cannot be
		 * placed as the plan says is not the boot the plan asked for: an error, not a result. */
		if (sched_getaffinity(0, sizeof(old_set), &old_set) ||
		    sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr,
				"tessera bench run: configuration '%s': cannot run QEMU on host_cpus %#llx: "
				"%s\n",
				c->name, (unsigned long long)c->host_cpus, strerror(errno));
			lab_remove_tree(dir);
			return -1;
		}
		pinned = true;
	}
	guest_path_add(c->system[w], &saved);
	r->exit_status = lab_run(&s, &h, &run);
	guest_path_restore(saved);
	if (pinned)
		sched_setaffinity(0, sizeof(old_set), &old_set);
	snprintf(r->started, sizeof(r->started), "%s", run.record.started);
	snprintf(r->qemu_version, sizeof(r->qemu_version), "%s", run.record.qemu_version);
	snprintf(r->ended, sizeof(r->ended), "%s", run.record.ended);
	r->load_start = run.record.load_start;
	r->load_end = run.record.load_end;
	char err[256];
	if (r->exit_status) {
		snprintf(r->why, sizeof(r->why), "the boot failed (exit status %d): %s", r->exit_status,
			 run.summary);
	} else if (workload_parse_text(con.text ? con.text : "", "console", &r->parsed, err, sizeof(err))) {
		snprintf(r->why, sizeof(r->why), "malformed results: %s", err);
	} else if (cross_check(&con, r)) {
		r->ok = run_boot_collect(p, p->workloads[w], r);
	}
	r->record_json = record_json(r, &run, c->system[w], p->warmup + p->iterations, c->host_cpus);
	lab_run_release(&run);
	results_page_close(&con.page);
	free(con.text);
	lab_remove_tree(dir);
	return 0;
}

void run_boot_release(struct run_boot_result *r)
{
	free(r->samples);
	free(r->record_json);
	workload_results_free(&r->parsed);
	memset(r, 0, sizeof(*r));
}
