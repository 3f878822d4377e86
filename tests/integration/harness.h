/*
 * Running `out/tessera` from integration tests: a subprocess with its output captured, its own time
 * limit, and a watch on the QEMU process it starts (found as a child of tessera in /proc), so that tests
 * can check that no QEMU outlives a run.
 */
#ifndef TESSERA_TESTS_HARNESS_H
#define TESSERA_TESTS_HARNESS_H

#include <stdbool.h>
#include <sys/types.h>

struct tessera_proc {
	pid_t pid;	/* the tessera process */
	pid_t qemu_pid; /* its QEMU child once seen, else 0 */
	int status;	/* exit status; 128 + signal when killed; -1 when the harness killed it */
	char out_path[64], err_path[64];
	char *out, *err; /* captured stdout and stderr, NUL-terminated, after tessera_wait() */
};

/* Start `tessera ARGS...` (args NULL-terminated, without "tessera"). Asserts on failure. */
void tessera_start(struct tessera_proc *p, const char *const *args);
/* Wait up to limit_s for tessera to end (killing it and its QEMU afterwards), then read its output. */
void tessera_wait(struct tessera_proc *p, int limit_s);
/* Wait up to limit_s for tessera's QEMU child to appear; returns its pid or 0. */
pid_t tessera_wait_for_qemu(struct tessera_proc *p, int limit_s);
/* While tessera runs: wait up to limit_s for `needle` in the output it has written so far (true when it
 * appeared; false at the limit or if tessera ended first). */
bool tessera_wait_for_output(const struct tessera_proc *p, const char *needle, int limit_s);
/* Start, wait, capture: the common case. */
void tessera_run(struct tessera_proc *p, int limit_s, const char *const *args);
void tessera_free(struct tessera_proc *p);

/* Run a shell command built with printf formatting; returns system()'s status. */
int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whether pid is a QEMU that boots a machine: QEMU with a -kernel argument (`qemu-system-x86_64
 * --version`, which tessera runs once for the run record, has none). */
bool process_is_machine_qemu(pid_t pid);
/* True while a process with that pid exists (zombies included). */
bool process_exists(pid_t pid);
/*
 * The processes (other than this one) whose environment holds the entry "NAME=VALUE" exactly: what a
 * command started with that entry left running, whatever session or group each moved to. Fills up to
 * max pids; returns how many there are.
 */
int pids_with_env(const char *entry, pid_t *pids, int max);
/* Expect (criterion, non-fatal) a line of the run's stdout containing needle; shows stdout and stderr if not. */
void expect_line(const struct tessera_proc *p, const char *needle);
/* A line of text that contains needle. */
bool has_line_with(const char *text, const char *needle);

#endif
