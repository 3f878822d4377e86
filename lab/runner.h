/*
 * The lab's runner: boot one system and hand every console line to the caller. Every feature that boots
 * the hypervisor (run, trace record, bench run, fi campaign, the lab's regressions) goes through it, so
 * a boot is described once (struct lab_system: what to boot) apart from the machine that boots it (QEMU
 * here, struct machine; a LAVA device later), and every boot leaves a run record (struct lab_run_record)
 * that says how to repeat it.
 *
 * Re-entrant: no state outlives a call, so one process may boot any number of systems one after the
 * other (bench run, a campaign's experiments), and forked children may each boot one at the same time.
 * A boot never outlives its call: SIGINT, SIGTERM, the timeout and the death of the caller end QEMU.
 */
#ifndef TESSERA_LAB_RUNNER_H
#define TESSERA_LAB_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"
#include "qmp.h"

/* What LAB_MODE_DETERMINISTIC adds to QEMU's command line, before the caller's arguments. */
#define LAB_ICOUNT_OPTION "-icount"
#define LAB_ICOUNT_VALUE  "shift=0,sleep=off"

enum lab_mode {
	LAB_MODE_WALLCLOCK,	/* real time, real noise */
	LAB_MODE_DETERMINISTIC, /* -icount shift=0,sleep=off: exact instruction counts, repeatable */
};

/* What to boot. Strings are not owned; NULL or 0 means "the default" (as `tessera run` has it). */
struct lab_system {
	const char *config;	/* the system config (YAML); NULL: configs/default.yaml */
	bool no_config;		/* the hypervisor alone, no cells */
	const char *hv_cmdline; /* more hypervisor command line: "bench_exit_work=100 trace_events=all" */
	const char *faults;	/* a fault plan (YAML) handed to the engine at boot, NULL for none */
	const char *channel;	/* create the host channel at this path (removed after the boot), NULL none */
	enum lab_mode mode;
	uint64_t seed;		/* recorded in the run record; plans and campaigns derive theirs from it */
	unsigned int smp;	/* 0: what the config needs */
	const char *mem;	/* NULL: what the config needs */
	unsigned int timeout_s; /* 0: the runner's default (120 s; deterministic boots get 600 s) */
	char **qemu_args;	/* appended to QEMU's command line as given */
	int nr_qemu_args;
	/* Added after the interface was first published (all optional, zero means the default): */
	const char *hv_image; /* NULL: x86_64_hv/tessera-hv.elf beside the executable */
	const char *qemu;     /* NULL: qemu-system-x86_64 */
	const char *cpu;      /* NULL: EPYC */
	bool bundle;	      /* the config's modules as one boot bundle, as a LAVA job boots them */
	bool verbose;	      /* print the QEMU command line on stderr and keep QEMU's warnings */
	const char *batch; /* an experiment batch (a file named batch.blob, abi/batch.h) as a boot module */
};

/* timeout_s for a boot without a time limit */
#define LAB_TIMEOUT_NONE 0xffffffffu

/* How to repeat a boot (docs/lab-runner.md). Filled in by lab_run() whether or not the boot succeeded. */
struct lab_run_record {
	char config_sha256[65]; /* of the compiled config blob ("" without a config) */
	char image_sha256[65];	/* of the hypervisor image and every boot module, hashed in order */
	char qemu_version[64];	/* "QEMU emulator version 7.2.x ..." first line, trimmed */
	char *qemu_cmdline;	/* the full QEMU command line, shell-quoted (malloc'd) */
	char *hv_cmdline;	/* the hypervisor's whole command line (malloc'd) */
	uint64_t seed;
	const char *mode; /* "deterministic" or "wallclock" */
	char git_revision[48];
	char host_cpu[96];	     /* /proc/cpuinfo model name */
	char host_kernel[160];	     /* uname: sysname release version */
	double load_start, load_end; /* the 1-minute load average */
	char started[32], ended[32]; /* ISO 8601 UTC with milliseconds */
	/* Added after the interface was first published: */
	char *config; /* the config's real path (malloc'd), NULL without */
	char *faults; /* the fault plan's real path (malloc'd), NULL without */
	char *images; /* what image_sha256 covers, "SHA256  PATH\n" per file as sha256sum prints (malloc'd) */
	int exit_status; /* the boot's, as struct lab_run has it (for a record read on its own) */
	/* The `tessera run` command that boots the same system again (malloc'd, shell-quoted; NULL when
	 * s names a hypervisor image or QEMU binary of its own, which tessera run cannot). What a before
	 * hook adds (trace record's channel) is not in it. */
	char *repeat;
};

struct lab_hooks {
	/* Each console line (no newline), as it arrives. Non-zero: stop the boot now (the result's
	 * exit_status is then LAB_RUN_STOPPED). NULL: lines go to stdout as `tessera run` prints them. */
	int (*on_line)(const char *line, void *ctx);
	/* After the system is prepared and before QEMU starts: change the machine (add QEMU arguments,
	 * the trace channel). Non-zero: no boot; that value is the exit status. */
	int (*before)(struct machine *m, const char *workdir, void *ctx);
	void *ctx;
	bool quiet; /* QEMU's own messages are not copied to stderr */
	/* Added after the interface was first published: */
	/* After QEMU has been reaped (or could not start), before the scratch directory goes, with the
	 * boot's exit status. NULL: none. */
	void (*after)(int status, void *ctx);
	const char *prog; /* prefix of the runner's own messages on stderr; NULL: "tessera" */
	/* QEMU's monitor: with on_started set, QEMU gets a QMP socket in the scratch directory, and once
	 * QEMU is up the runner connects (lab/qmp.h) and calls on_started(q, ctx) before the guest's
	 * first line is passed on. q stays valid until QEMU has been reaped, so on_line may use it too
	 * (inject a machine check when a line comes, query the status, quit). The last lines may be passed
	 * on after QEMU has ended (the console file is read to its end): calls then fail, q->error says why. Calls block the runner
	 * for at most their own time limit: the console goes to a file, so the guest never waits on
	 * us. Non-zero from on_started: stop the boot (LAB_RUN_STOPPED). A QEMU whose socket does not
	 * answer within 60 s is stopped: exit status 1. NULL: no monitor. */
	int (*on_started)(struct qmp *q, void *ctx);
};

#define LAB_RUN_STOPPED 125 /* the on_line callback asked for the boot to stop */

struct lab_run {
	/* as `tessera run` exits: 0, 1 (the system failed or QEMU could not start), 2 (bad config or plan:
	 * nothing booted), 124 timeout, 125 stopped by on_line, 130/143 SIGINT/SIGTERM */
	int exit_status;
	char summary[160]; /* one line: how the boot ended */
	struct lab_run_record record;
};

/* Boot s (h may be NULL). Returns r->exit_status; r must be released with lab_run_release() afterwards. */
int lab_run(const struct lab_system *s, const struct lab_hooks *h, struct lab_run *r);
void lab_run_release(struct lab_run *r);

/* The run record as one JSON object (docs/lab-runner.md), heap-allocated; NULL when out of memory. */
char *lab_run_record_json(const struct lab_run_record *rec);
/* That JSON into path (replaced whole: written under a temporary name, then renamed). 0, or -1 with errno. */
int lab_run_record_write(const struct lab_run_record *rec, const char *path);

#endif
