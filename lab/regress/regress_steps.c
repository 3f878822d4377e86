/*
 * The regression suite's steps (regress.h), in the order they run. The probe boots through lab_run
 * (regress_boot.c), or as a LAVA job with --on lava: (regress_lava.c); trace and exit-cost run `tessera trace record` and `tessera bench exit-cost` as a
 * user would (they boot through lab_run themselves and keep their run records). Each judges the isolation probe's TEST lines, the trace's
 * exits against the hypervisor's own counts, and the exit-cost figures (exact under -icount).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runner.h"
#include "regress.h"

#define BOOT_TIMEOUT_S 120

/* Each line of text in turn (the text is changed in place: '\n' -> '\0'). */
#define for_each_line(line, text)                                      \
	for (char *line = (text), *next_; line && *line; line = next_) \
		if ((next_ = strchr(line, '\n')) ? (*next_++ = '\0', 1) : 1)

/*
 * The isolation probe's system booted through lab_run with the context's --append, its console judged by
 * TEST lines. Cases are named STEP/CELL/TEST; the boot itself is the case STEP/boot (exit 0 and the
 * hypervisor's orderly end).
 */
static int step_probe(const struct regress_ctx *ctx, struct regress_result *r)
{
	char config[4096];
	struct regress_console p;

	snprintf(config, sizeof(config), "%s/guests/probe/isolation.yaml", ctx->root);
	struct lab_system s = {.config = config, .timeout_s = BOOT_TIMEOUT_S};
	if (ctx->lava)
		regress_boot_lava(ctx, r, "boot guests/probe/isolation.yaml", config, "probe", &p);
	else
		regress_boot(ctx, r, "boot guests/probe/isolation.yaml", &s, &p);
	bool ended = strstr(p.text, "] shutdown: ") != NULL;
	regress_add_case(r, p.status == 0 && ended, "the boot did not end in order", "probe/boot");
	if (p.status < 0 || p.timed_out)
		regress_incomplete(r, "the probe's boot %s", p.timed_out ? "timed out" : "did not start");
	unsigned int tests = 0;
	for_each_line(line, p.text)
	{
		char cell[64], name[128], result[8];
		int at = 0;
		if (sscanf(line, "[%63[^]]] TEST %127[^:]: %7[A-Z]%n", cell, name, result, &at) != 3)
			continue;
		const char *detail = line[at] == ' ' && line[at + 1] == '(' ? line + at + 2 : "";
		char d[256];
		snprintf(d, sizeof(d), "%.*s", (int)strcspn(detail, ")"), detail);
		regress_add_case(r, !strcmp(result, "PASS"), d, "probe/%s/%s", cell, name);
		tests++;
	}
	if (!tests)
		regress_incomplete(r, "the probe printed no TEST lines");
	regress_console_free(&p);
	return 0;
}

/* A file a command left (a run record) into the step's log, under a header. */
static void log_file(struct regress_result *r, const char *what, const char *dir, const char *name)
{
	char path[4200], buf[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "r")))
		return;
	n = (size_t)snprintf(buf, sizeof(buf), "== %s (%s)\n", what, name);
	regress_log(r, buf, n);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		regress_log(r, buf, n);
	regress_log(r, "\n", 1);
	fclose(f);
}

/* The exit rows of one cell's report: the trace's count per reason against the hypervisor's (hv_count). */
static void check_cell_trace(struct regress_result *r, json_t *cell)
{
	const char *name = json_string_value(json_object_get(cell, "name"));
	json_t *rows = json_object_get(json_object_get(cell, "tables"), "exit"), *row;
	char detail[256] = "";
	size_t i;

	json_array_foreach(rows, i, row)
	{
		json_int_t count = json_integer_value(json_object_get(row, "count"));
		json_int_t hv = json_integer_value(json_object_get(row, "hv_count"));
		if (count != hv && !detail[0])
			snprintf(detail, sizeof(detail),
				 "%s: %lld exits in the trace, the hypervisor counted %lld",
				 json_string_value(json_object_get(row, "name")), (long long)count,
				 (long long)hv);
	}
	regress_add_case(r, json_array_size(rows) && !detail[0], detail[0] ? detail : "no exit rows",
			 "trace/%s/exits_match", name ? name : "?");
	json_int_t v = json_integer_value(json_object_get(cell, "violations"));
	json_int_t hv = json_integer_value(json_object_get(cell, "hv_violations"));
	snprintf(detail, sizeof(detail), "%lld violations in the trace, the hypervisor counted %lld",
		 (long long)v, (long long)hv);
	regress_add_case(r, v == hv, detail, "trace/%s/violations_match", name ? name : "?");
}

/* The CTF conversion is read back whole by babeltrace2: one line per record of the trace. */
static void check_ctf(const struct regress_ctx *ctx, struct regress_result *r, const char *dir,
		      long long records)
{
	char ctf[4200], detail[160];
	struct regress_proc p;
	long long lines = 0;

	snprintf(ctf, sizeof(ctf), "%s/ctf", dir);
	regress_proc_run(
		&p, BOOT_TIMEOUT_S,
		(const char *const[]){ctx->tessera, "trace", "convert", dir, "--to", "ctf", "-o", ctf, NULL});
	int converted = p.status;
	regress_proc_free(&p);
	if (converted == 0)
		regress_proc_run(&p, BOOT_TIMEOUT_S,
				 (const char *const[]){"/usr/bin/babeltrace2", ctf, NULL});
	else
		memset(&p, 0, sizeof(p)), p.status = -1;
	for (const char *c = p.out; c && *c; c++)
		lines += *c == '\n';
	if (converted)
		snprintf(detail, sizeof(detail), "trace convert --to ctf: exit status %d", converted);
	else
		snprintf(detail, sizeof(detail), "babeltrace2 (exit status %d) read %lld of %lld records",
			 p.status, lines, records);
	regress_add_case(r, !converted && p.status == 0 && lines == records && records > 0, detail,
			 "trace/ctf_reads_every_record");
	regress_proc_free(&p);
}

/*
 * `tessera trace record` of the default system, then `trace report --json`: the recording worked, lost
 * nothing, babeltrace2 reads its CTF conversion whole, and per cell every exit and violation the
 * hypervisor counted is an event of the trace.
 */
static int step_trace(const struct regress_ctx *ctx, struct regress_result *r)
{
	char dir[4096], config[4096];
	struct regress_proc p;
	const char *argv[16] = {ctx->tessera, "trace", "record", "-o", dir, "--", "--config", config};
	int n = 8;

	snprintf(dir, sizeof(dir), "%s/trace", ctx->tmp);
	snprintf(config, sizeof(config), "%s/configs/default.yaml", ctx->root);
	if (ctx->append)
		argv[n++] = "--append", argv[n++] = ctx->append;
	argv[n] = NULL;
	regress_proc_run(&p, BOOT_TIMEOUT_S, argv);
	regress_log_proc(r, "tessera trace record -- --config configs/default.yaml", &p);
	bool recorded = p.status == 0 && strstr(p.err, "tessera trace record: ");
	log_file(r, "run record", dir, "run-record.json");
	regress_add_case(r, recorded, "the recording failed", "trace/record");
	regress_proc_free(&p);
	if (!recorded) {
		regress_incomplete(r, "trace record failed");
		return 0;
	}
	regress_proc_run(&p, BOOT_TIMEOUT_S,
			 (const char *const[]){ctx->tessera, "trace", "report", dir, "--json", NULL});
	json_error_t jerr;
	json_t *root = p.status == 0 ? json_loads(p.out, 0, &jerr) : NULL;
	if (!root) {
		regress_log_proc(r, "tessera trace report --json", &p);
		regress_incomplete(r, "trace report --json failed or printed no JSON");
		regress_proc_free(&p);
		return 0;
	}
	json_int_t lost = json_integer_value(json_object_get(root, "lost"));
	json_int_t records = json_integer_value(json_object_get(root, "records"));
	check_ctf(ctx, r, dir, records);
	char detail[64];
	snprintf(detail, sizeof(detail), "%lld records lost", (long long)lost);
	regress_add_case(r, lost == 0, detail, "trace/no_loss");
	json_t *cells = json_object_get(root, "cells"), *cell;
	size_t i;
	json_array_foreach(cells, i, cell) check_cell_trace(r, cell);
	if (!json_array_size(cells))
		regress_incomplete(r, "the trace report has no cells");
	json_decref(root);
	regress_proc_free(&p);
	return 0;
}

/*
 * `tessera bench exit-cost --calls 20` over every row but the doorbell's (its logged boot takes about a
 * minute): one metric per figure (instructions, exact under icount), and a case per figure that has a
 * goal. Its exit status 1 means a goal was exceeded, which the cases carry.
 */
#define EXIT_COST_ROWS "hypercall,cpuid,msr,port,mem,apic_read,apic_icr,ipi,timer"

static int step_exit_cost(const struct regress_ctx *ctx, struct regress_result *r)
{
	struct regress_proc p;
	const char *argv[16] = {ctx->tessera, "bench",	"exit-cost",   "--calls",
				"20",	      "--rows", EXIT_COST_ROWS};
	int n = 7;

	if (ctx->append)
		argv[n++] = "--append", argv[n++] = ctx->append;
	argv[n] = NULL;
	regress_proc_run(&p, 4 * BOOT_TIMEOUT_S, argv);
	regress_log_proc(r, "tessera bench exit-cost --calls 20 --rows " EXIT_COST_ROWS, &p);
	if (p.status != 0 && p.status != 1)
		regress_incomplete(r, "bench exit-cost failed (exit status %d)", p.status);
	/* Its first complaint says which figure is missing and why (the whole output is in the log). */
	const char *why = strstr(p.err, "tessera bench exit-cost: ");
	char reason[256] = "";
	if (why)
		snprintf(reason, sizeof(reason), "%.*s", (int)strcspn(why, "\n"), why);
	unsigned int figures = 0;
	for_each_line(line, p.out)
	{
		char row[32], tcase[32], verdict[32], name[128];
		unsigned long long v;
		if (sscanf(line, "exit-cost: %31[^:]: %31[^:]: %llu goal=%*s %31s", row, tcase, &v,
			   verdict) != 4)
			continue;
		snprintf(name, sizeof(name), "exit_cost/%s/%s", row, tcase);
		for (char *c = name; *c; c++)
			*c = *c == ' ' ? '_' : *c;
		regress_add_metric(r, name, "insns", (double)v);
		if (strcmp(verdict, "(no"))
			regress_add_case(r, !strcmp(verdict, "ok"), strstr(line, "goal="), "%s/goal", name);
		figures++;
	}
	if (!figures)
		regress_incomplete(r, "bench exit-cost printed no figures%s%s", reason[0] ? ": " : "",
				   reason);
	regress_proc_free(&p);
	return 0;
}

int regress_step_corpus(const struct regress_ctx *ctx, struct regress_result *r);
int regress_step_bench(const struct regress_ctx *ctx, struct regress_result *r);
int regress_step_campaign(const struct regress_ctx *ctx, struct regress_result *r);

const struct regress_step regress_steps[] = {
	{"probe", "the isolation probe beside two cells (guests/probe/isolation.yaml), one case per attempt",
	 step_probe, NULL},
	{"corpus", "the bad-config corpus forced past the host checker: the hypervisor must refuse each",
	 regress_step_corpus,
	 "each boot is judged by the hypervisor's exit status (bad config), which a LAVA job does not "
	 "report"},
	{"trace",
	 "a trace of the default system: nothing lost, read whole as CTF, every counted exit and violation "
	 "an event",
	 step_trace, "the trace is read through the host channel, which a LAVA job does not have"},
	{"exit-cost", "instructions per exit by kind under -icount (exact), with their goals", step_exit_cost,
	 "bench exit-cost boots on this machine only"},
	{"bench",
	 "the shipped tracing plan's CI form (deterministic) through bench run: every boot done, each "
	 "metric's median exact",
	 regress_step_bench, NULL},
	{"campaign",
	 "the reduced machine-check campaign (configs/campaigns/ci/mce-fiself.yaml): no panic, no isolation "
	 "break, every experiment judged, the outcome table as the baseline's",
	 regress_step_campaign, NULL},
};
const size_t regress_steps_count = sizeof(regress_steps) / sizeof(regress_steps[0]);
