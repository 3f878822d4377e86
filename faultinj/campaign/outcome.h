/*
 * The outcome of one experiment, judged from its console against the golden run's (a pure function,
 * outcome.c). The outcome classes are one table, X(NAME, name, definition), from which come the report's
 * rows, the database's words and the definitions in docs/fault-campaigns.md. The order is the order of
 * precedence: the first class whose definition holds is the verdict.
 */
#ifndef TESSERA_FAULTINJ_CAMPAIGN_OUTCOME_H
#define TESSERA_FAULTINJ_CAMPAIGN_OUTCOME_H

#include <stdbool.h>
#include <regex.h>
#include <stddef.h>

#define TESSERA_OUTCOMES(X)                                                                                 \
	X(INFRASTRUCTURE, infrastructure,                                                                   \
	  "QEMU or the host failed: nothing booted, QEMU could not start, or the hypervisor never printed " \
	  "its first line")                                                                                 \
	X(NO_VERDICT, no_verdict,                                                                           \
	  "the experiment ended without a console to judge (its worker died); recorded, never dropped")     \
	X(HV_PANIC, hv_panic, "the hypervisor panicked (a PANIC line)")                                     \
	X(ISOLATION_BREAK, isolation_break,                                                                 \
	  "a canary reported a change it did not make, a cell other than the target failed or ended "       \
	  "differently from the golden run, or the hypervisor reported a violation by another cell")        \
	X(HANG, hang, "the experiment reached its time limit (a multiple of the golden run's)")             \
	X(CELL_CRASH, cell_crash,                                                                           \
	  "the target cell failed without its own check reporting it: a violation, a triple fault, an "     \
	  "exception, a non-zero exit status with no detection line, or it never finished")                 \
	X(DETECTED, detected,                                                                               \
	  "the workload's own check reported the error (its detection line), or the hypervisor caught it "  \
	  "and said so (a failed operation reported for the target, a machine check handled, a restart)")   \
	X(SDC, sdc,                                                                                         \
	  "silent data corruption: the target finished as in the golden run but its output differs, and "   \
	  "nothing detected it")                                                                            \
	X(BENIGN, benign, "the target's output and final state equal the golden run's")

enum outcome {
#define OUTCOME_ENUM(NAME, name, def) OUTCOME_##NAME,
	TESSERA_OUTCOMES(OUTCOME_ENUM)
#undef OUTCOME_ENUM
		OUTCOME_COUNT
};

const char *outcome_name(enum outcome o);
const char *outcome_definition(enum outcome o);
/* The outcome of a name, or -1. */
int outcome_by_name(const char *name);

/* How the campaign judges (from the campaign file). */
struct outcome_judge {
	const char *target;
	const char *output_prefix; /* the target's lines compared ("" every line) */
	const regex_t *output_re;  /* or: the target's lines it matches, by the text it matches (NULL) */
	const char *detected;	   /* the workload's detection text */
	const char *canary_alarm;
	const char *const *canaries;
	unsigned int nr_canaries;
	const char *const *peers; /* cells that talk with the target: their end is not an isolation matter */
	unsigned int nr_peers;
};

/* A boot's console, one line per string, without newlines; and how lab_run ended it. */
struct outcome_console {
	const char *const *lines;
	size_t nr_lines;
	int exit_status; /* as lab_run returns it: 0, 1, 2, 124 timeout, ... */
};

struct outcome_verdict {
	enum outcome outcome;
	char detail[200]; /* the line or the reason that decided it */
};

/* Judge run against golden (both consoles of the same system). */
void outcome_classify(const struct outcome_judge *j, const struct outcome_console *golden,
		      const struct outcome_console *run, struct outcome_verdict *v);

/* The text of line after "[cell] " when it is that cell's line, else NULL. */
const char *outcome_cell_text(const char *line, const char *cell);
/*
 * When line is the hypervisor's report that `cell` ended ("finished: ...", "failed: ..."; a failed start
 * as "failed: image load failed: ..."): that end into buf, returned; else NULL.
 */
const char *outcome_line_ends_cell(const char *line, const char *cell, char *buf, size_t size);
/* True for a hypervisor line ("[cpuN] ..."). */
bool outcome_is_hv_line(const char *line);

#endif
