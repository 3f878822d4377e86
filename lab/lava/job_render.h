/*
 * A LAVA job definition for one machine (docs/lab.md): the QEMU command line `tessera run` would use,
 * split into what LAVA's `qemu` device type provides (the binary, -nographic for the serial console and no
 * display, -monitor none, -m from the job context's `memory`), the images (-kernel, with -append in its
 * image argument, and -initrd, which must be one file: a boot bundle) and everything else, passed through
 * the job context's `extra_options` unchanged. Pure: unit-tested.
 */
#ifndef TESSERA_LAB_LAVA_JOB_RENDER_H
#define TESSERA_LAB_LAVA_JOB_RENDER_H

#include <stddef.h>
#include <stdio.h>

/* The console protocol's markers and case pattern (docs/lab.md "Console protocol"). */
#define LAVA_START_MARKER "Tessera hypervisor starting"
#define LAVA_END_MARKER	  "] shutdown: "
/* pexpect regex: the end marker's ']' escaped. */
#define LAVA_END_REGEX "\\] shutdown: "

struct lava_job {
	const char *name;	/* job_name */
	char *const *argv;	/* qemu_cmdline_build()'s argv */
	const char *kernel_url; /* where the worker gets the hypervisor image */
	const char *initrd_url; /* ... and the boot bundle */
	unsigned int timeout_s; /* the run's limit (0: none, LAVA gets an hour) */
	/* The job's `metadata:` (key, value, key, value, ..., NULL): what a plan's or campaign's job stands
	 * for, so that its results map back to exactly one boot. NULL: none. */
	const char *const *metadata;
};

/*
 * The host channel's memory as a LAVA job gives it: QEMU's `memory-backend-file,...,mem-path=P,...`
 * names a file of this host, which a worker does not have and nobody reads there; the same device over
 * anonymous shared memory (`memory-backend-memfd`, zero-filled like a new channel file) looks the same
 * to the hypervisor. Returns a malloc'd rewrite of arg, or NULL when arg is not such a backend.
 */
char *lava_job_channel_arg(const char *arg);

/*
 * The monitor's pattern (a Python regex; docs/lab.md "Console protocol"). It matches a test case,
 * `[cell] TEST name: PASS|FAIL`, and a benchmark sample, `[cell] BENCH workload metric unit iteration
 * value`, which LAVA keeps as a measurement. LAVA's monitor has one pattern with fixed group names and
 * treats any match with a `result` group as a case, so a sample's result is its unit word (the job's
 * fixupdict maps each unit of WORKLOAD_UNITS to pass) and a case's `units` is empty, not absent
 * (lava-server stores units as text that cannot be NULL). The case id keeps the cell ("probe] TEST name",
 * "membw] BENCH membw copy"); a sample must end in white space, so that pexpect never takes a value
 * whose last digits have not arrived yet. Written into buf (NUL-terminated); returns its length.
 */
size_t lava_monitor_pattern(char *buf, size_t size);

/*
 * Write the job as YAML to f. Returns 0; 2 with a message in err when the command line cannot be expressed
 * in a LAVA job (more than one -initrd file, an argument with a space or quote, no -kernel).
 */
int lava_job_write(FILE *f, const struct lava_job *j, char *err, size_t err_size);

#endif
