/*
 * Running one QEMU machine: start it in its own process group, stream its console to stdout (or to the
 * machine's on_line callback) line by line, enforce the timeout, and make sure it never outlives the run (SIGINT, SIGTERM, timeout and the
 * death of this process all end it).
 */
#ifndef TESSERA_LAB_QEMU_RUN_H
#define TESSERA_LAB_QEMU_RUN_H

#include <sys/types.h>

#include "machine.h"

/* Exit statuses of a run that was stopped rather than ended by the hypervisor. */
#define QEMU_RUN_TIMEOUT 124
#define QEMU_RUN_STOPPED 125 /* the machine's on_line callback asked for the stop */
#define QEMU_RUN_SIGINT	 130
#define QEMU_RUN_SIGTERM 143

struct qemu_run_result {
	int exit_status;   /* what `tessera run` exits with: 0, 1, 124, 125, 130 or 143 */
	int wait_status;   /* QEMU's raw waitpid() status (meaningful when the run was not stopped) */
	pid_t pid;	   /* QEMU's pid (also its process group), reaped by the time qemu_run returns */
	char summary[160]; /* one line: how the run ended */
};

/*
 * Run argv (built by qemu_cmdline_build() for m; m gives the timeout and verbosity). Returns 0 once QEMU
 * has been reaped, with the outcome in *r; -1 (errno set, *r->summary explains) when QEMU could not be
 * started at all.
 */
int qemu_run(char *const *argv, const struct machine *m, struct qemu_run_result *r);

#endif
