/*
 * The host's file chores that every feature needs once: files beside the executable (the build
 * directory holds the hypervisor image, the guests and, one level up, the source tree), a command run
 * (its output captured, or ours) and reaped, a scratch directory made, a scratch directory removed with everything in it.
 */
#ifndef TESSERA_LAB_HOST_FILES_H
#define TESSERA_LAB_HOST_FILES_H

#include <stdbool.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* The hypervisor image, relative to the directory of the executable (the build directory). */
#define LAB_HV_IMAGE_REL "x86_64_hv/tessera-hv.elf"

/* This executable's own path (/proc/self/exe) into path; 0, or -1 when it cannot be read or does not fit. */
int lab_exe_path(char *path, size_t size);

/* <directory of /proc/self/exe>/rel into path. 0, or -1 when the executable's path cannot be read or the
 * result does not fit. rel may be "" for the directory itself. */
int lab_path_beside_exe(char *path, size_t size, const char *rel);

/*
 * Run argv (argv[0] searched in PATH) with stdin from /dev/null and its stdout (with merge_stderr, its
 * stderr too; else stderr is discarded) captured into *out (heap, NUL-terminated; may be NULL when out of
 * memory). Returns its exit status, 128 + signal when a signal killed it, 127 when it could not start, -1
 * when no process could be made.
 */
int lab_spawn_capture(char *const *argv, bool merge_stderr, char **out);

/* What lab_capture_run() caught. */
struct lab_capture {
	int status; /* exit status, 128 + signal, 127 when it could not start, -1 when no process was made */
	bool timed_out;
	char *out, *err; /* its stdout and its stderr, each NUL-terminated (heap) */
};

/*
 * Run argv (argv[0] searched in PATH, our stdin) to its end, its stdout and stderr captured apart. Past
 * timeout_s, or once *stop (a signal handler's flag; may be NULL) is non-zero, it gets SIGTERM (it stops
 * its own QEMU), 10 s later SIGKILL; it gets SIGTERM when we die. Nothing starts when *stop is set.
 * Release with lab_capture_free().
 */
void lab_capture_run(struct lab_capture *c, char *const *argv, unsigned int timeout_s,
		     const volatile sig_atomic_t *stop);
void lab_capture_free(struct lab_capture *c);

/*
 * Start argv (argv[0] searched in PATH) with our stdin, stdout and stderr; it gets SIGTERM when we die,
 * however we die. Its pid (the caller may signal it, e.g. to pass a stop on), or -1 when no process could
 * be made; lab_wait() reaps it: its exit status, 128 + signal, 127 when it could not start, -1.
 */
pid_t lab_spawn(char *const *argv);
int lab_wait(pid_t pid);

/* What lab_spawn_with() changes in the child, beyond lab_spawn(). */
struct lab_spawn_opts {
	/* A process group of its own from before its exec (set in the child and, before returning, in the
	 * parent): kill(-pid) then reaches everything it starts, and a terminal's Ctrl-C does not reach it. */
	bool own_group;
	int stdout_fd;			  /* >= 0: the child's stdout (dup2); -1: ours */
	const char *env_name, *env_value; /* env_name non-NULL: set in the child's environment */
};

/* lab_spawn() with the changes of *o (NULL: none). */
pid_t lab_spawn_with(char *const *argv, const struct lab_spawn_opts *o);

/* A scratch directory TMPDIR/prefix.XXXXXX (TMPDIR unset: /tmp) into dir; 0 or -1 (errno set). */
int lab_make_scratch_dir(char *dir, size_t size, const char *prefix);

/* Remove dir and everything in it (symbolic links are removed, not followed). 0, or -1 when something
 * was left. */
int lab_remove_tree(const char *dir);

#endif
