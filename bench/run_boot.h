/*
 * One boot of a benchmark plan (plan.h) through the lab runner (lab/runner.h): the configuration's system
 * for one workload, with the plan's iterations written into the workload's iters= argument, its mode,
 * tracing, hypervisor and QEMU options and host CPU placement; the console's BENCH lines read back into
 * database samples (bench/results_db.h) and the run record kept as JSON. With a host channel (tracing
 * events-off or all-on) the results page is drained too and cross-checked against the console; the
 * samples are then the page's (docs/workloads.md, "Channel").
 */
#ifndef TESSERA_BENCH_RUN_BOOT_H
#define TESSERA_BENCH_RUN_BOOT_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"
#include "results_db.h"
#include "workload_parse.h"

struct run_boot_result {
	int exit_status; /* the runner's (lab/runner.h): 130/143 mean the boot was interrupted */
	bool ok;	 /* booted, ended cleanly, every metric with the planned iterations */
	char why[320];	 /* when not ok: what went wrong */
	struct rdb_sample *samples;
	size_t nr_samples;
	char *record_json; /* {system, iters, summary, failure, exit_status, record} */
	char started[32], ended[32];
	char qemu_version[64];
	double load_start, load_end;
	struct workload_results parsed; /* the samples' strings point here */
	char workload_names[8][64];	/* "workload" or, when several cells run it, "workload.cell" */
	/* The results page (bench/results_page.h), when the boot had a host channel: */
	bool page_present, page_used; /* used: the samples are the page's, checked equal to the console's */
	uint64_t page_records, page_lost;
	char page_where[256]; /* the first loss */
};

/* Boot c with workload w. 0 when the boot could be attempted (r says how it went), -1 when it could not
 * even be prepared (no memory, no scratch directory), with a message on stderr. */
int run_boot(const struct plan *p, const struct plan_config *c, unsigned int w, struct run_boot_result *r);
void run_boot_release(struct run_boot_result *r);

/* The config text with every iters=N replaced by iters=count (malloc'd), NULL when it has none. */
char *run_boot_set_iters(const char *text, unsigned int count);

/*
 * The system config src with the plan's warm-up + iterations set (run_boot_set_iters), written to
 * dir/system.yaml, whose path goes to out. 0, or -1 (errno set; prog names the command in the message
 * printed then).
 */
int run_boot_write_system(const struct plan *p, const char *src, const char *dir, char *out, size_t size,
			  const char *prog);

/* The samples of workload in parsed into r->samples, warm-up flagged; false with r->why on a shortfall. */
bool run_boot_collect(const struct plan *p, const char *workload, struct run_boot_result *r);

#endif
