/*
 * One boot of a campaign's system through the lab runner (lab/runner.h): the golden run (no fault) or an
 * experiment (a one-fault plan of the engine, faultinj/plan), with its console kept, judged and hashed.
 */
#ifndef TESSERA_FAULTINJ_CAMPAIGN_BOOT_H
#define TESSERA_FAULTINJ_CAMPAIGN_BOOT_H

#include <stddef.h>

#include "../../lab/runner.h"
#include "campaign_db.h"
#include "campaign_file.h"
#include "campaign_space.h"

struct campaign_console {
	char *text;   /* the whole console, a '\n' after each line (malloc'd) */
	char **lines; /* pointers into a copy of text, one per line */
	size_t nr_lines;
	char *copy;
	int exit_status;
};

void campaign_console_free(struct campaign_console *c);
/* Split text (taken over) into lines. 0, or -1 when out of memory. */
int campaign_console_set(struct campaign_console *c, char *text, int exit_status);

/*
 * Boot c's system with plan_path as its fault plan (NULL: the golden run) and `timeout_s` as its limit.
 * Fills *con and r (the run record: release with lab_run_release). `plan_path` must stay until it returns.
 * Returns lab_run's exit status.
 */
int campaign_boot(const struct campaign *c, const char *plan_path, uint64_t seed, unsigned int timeout_s,
		  struct campaign_console *con, struct lab_run *r);

/* What is compared between runs of one experiment: the console with its scratch-directory names masked. */
char *campaign_trace_text(const struct campaign_console *con);

/* The console lines around the first injection (or the last lines), malloc'd: an experiment's excerpt. */
char *campaign_excerpt(const struct campaign_console *con);

/*
 * Boots of one experiment at most: a boot the host failed (outcome infrastructure: the hypervisor never
 * started, e.g. QEMU stayed silent on a loaded host) says nothing about the fault, so it is booted again.
 */
#define CAMPAIGN_BOOT_ATTEMPTS 3

/* The boots of one experiment (or one shared boot) that the host failed, and why. */
struct campaign_attempts {
	unsigned int n; /* the current boot's number, from 1 */
	bool again;	/* a shared boot: it failed that way, boot again */
	char earlier[512];
	size_t used;
};

/* Keep why boot a->n failed, as "attempt N: why". */
void campaign_attempts_add(struct campaign_attempts *a, const char *why);

/* After a boot that is not the first: " (attempt N of 3; attempt 1: ...)" appended to detail, cut to fit. */
void campaign_attempts_note(const struct campaign_attempts *a, char *detail, size_t size);

/*
 * Run experiment e against the golden console into *res (the worker's whole job), booting again while
 * the host fails the boot (CAMPAIGN_BOOT_ATTEMPTS): the result is the last attempt's, and its detail says
 * why each earlier one failed. Its plan is written to keep_plan and left there (replay), or to a
 * temporary file (NULL).
 */
void campaign_experiment_run(const struct campaign *c, const struct campaign_experiment *e,
			     const struct campaign_console *golden, unsigned int timeout_s,
			     const char *keep_plan, struct campaign_result *res);

/* The judge of c, pointing into c; canaries has room for 2 x CAMPAIGN_MAX_CANARIES (canaries, peers). */
void campaign_judge(const struct campaign *c, struct outcome_judge *j, const char **canaries);

/*
 * An experiment's console (its exit status `status`) judged against the golden run's, by c's judge:
 * res's outcome, detail and trace hash, and its excerpt (malloc'd) when `excerpt`. Every way an
 * experiment runs (a boot of its own, a shared boot, a LAVA job) ends here.
 */
void campaign_result_judge(const struct campaign *c, const struct campaign_console *golden,
			   const struct campaign_console *con, int status, bool excerpt,
			   struct campaign_result *res);

#endif
