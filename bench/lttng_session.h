/*
 * Driving an LTTng session from a benchmark with the `lttng` command: make sure a session daemon runs
 * (start one with `lttng-sessiond --daemonize` when none does; as root it needs neither systemd nor kernel
 * modules), create a session that records user-space events into a scratch directory, and tear down what
 * was set up. Failures are reported as a message, never by exiting.
 */
#ifndef TESSERA_BENCH_LTTNG_SESSION_H
#define TESSERA_BENCH_LTTNG_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The session daemon is one per machine (root's lives in /var/run/lttng), shared by every test suite and
 * benchmark that runs at once: one that started a daemon and stops it when done would pull it from under
 * another that found it running. So whoever uses the daemon, from checking for it to stopping the one it
 * started, holds this lock (flock, exclusive; the kernel drops it if the holder dies).
 */
#define TESSERA_LTTNG_LOCK "/tmp/tessera-lttng.lock"

struct lttng_session {
	bool locked; /* holds TESSERA_LTTNG_LOCK (lock_fd) until lttng_session_destroy() */
	int lock_fd;
	char name[64];
	char dir[256]; /* the trace output, removed by lttng_session_destroy() */
	bool created, started;
	pid_t started_sessiond; /* the daemon we started, 0 if one already ran */
	char error[256];
};

/*
 * A session daemon that answers `lttng list` runs afterwards (ours or one that already did; a daemon in
 * another chroot or mount namespace does not count); -1 with s->error set otherwise. Takes
 * TESSERA_LTTNG_LOCK first (waiting for any other user); lttng_session_destroy() gives it back.
 */
int lttng_session_daemon(struct lttng_session *s);
/*
 * Take TESSERA_LTTNG_LOCK now, e.g. to measure with no session recording (no other user then has one
 * running); kept until lttng_session_destroy(). 0, or -1 with s->error set.
 */
int lttng_session_lock(struct lttng_session *s);
/*
 * Create session `tessera-bench-PID` with one user-space channel of large sub-buffers, enable `event`
 * (e.g. "tessera_bench:exit") in it, start it. -1 with s->error set.
 */
int lttng_session_start(struct lttng_session *s, const char *event);
/* Events the tracer discarded in this session so far (buffers full); -1 when it cannot be read. */
int64_t lttng_session_discarded(struct lttng_session *s);
/* Stop and destroy the session, remove its output, stop the daemon if we started it. */
void lttng_session_destroy(struct lttng_session *s);

/*
 * The runtime directory of the session daemon that `lttng` talks to for this user (its client socket and
 * lttng-sessiond.pid): /var/run/lttng for root, else $LTTNG_HOME/.lttng, $LTTNG_HOME defaulting to $HOME.
 * -1 when neither is set or buf is too small.
 */
int lttng_sessiond_rundir(char *buf, size_t size, unsigned int uid, const char *lttng_home, const char *home);

/* The "Discarded events: N" figures of `lttng list SESSION` output, summed; -1 if there are none. */
int64_t lttng_parse_discarded(const char *list_output);

#endif
