/* An LTTng session for a benchmark, driven with the `lttng` command (see lttng_session.h). */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lab/host_files.h"
#include "lttng_session.h"

/* Run a shell command with its output discarded; its exit status, or -1. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd) - 20)
		return -1;
	strcat(cmd, " >/dev/null 2>&1");
	int st = system(cmd);
	return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

/* A process that has exited may stay a zombie when its parent (init here) does not reap it. */
static bool process_alive(pid_t pid)
{
	char path[64], stat[256];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(stat, 1, sizeof(stat) - 1, f);
	fclose(f);
	stat[n] = '\0';
	const char *paren = strrchr(stat, ')');
	return paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

int lttng_sessiond_rundir(char *buf, size_t size, unsigned int uid, const char *lttng_home, const char *home)
{
	int n;

	/* As lttng-tools does: root's daemon lives in /var/run/lttng, a user's in $LTTNG_HOME/.lttng
	 * ($LTTNG_HOME defaults to $HOME). */
	if (uid == 0)
		n = snprintf(buf, size, "/var/run/lttng");
	else if (lttng_home && *lttng_home)
		n = snprintf(buf, size, "%s/.lttng", lttng_home);
	else if (home && *home)
		n = snprintf(buf, size, "%s/.lttng", home);
	else
		return -1;
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/*
 * Whether a session daemon answers us: `lttng list` talks to the daemon through the client socket in our
 * rundir, as every lttng command will. A process named lttng-sessiond proves nothing: it may serve another
 * chroot or mount namespace, whose rundir is not ours. --no-sessiond: never spawn one while asking.
 */
static bool sessiond_reachable(void)
{
	return sh("lttng --no-sessiond list") == 0;
}

/* The pid the daemon serving our rundir wrote into lttng-sessiond.pid, or 0. */
static pid_t sessiond_pid(void)
{
	char dir[256], path[300];
	int pid = 0;

	if (lttng_sessiond_rundir(dir, sizeof(dir), (unsigned int)getuid(), getenv("LTTNG_HOME"),
				  getenv("HOME")))
		return 0;
	snprintf(path, sizeof(path), "%s/lttng-sessiond.pid", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid > 0 && process_alive(pid) ? (pid_t)pid : 0;
}

int lttng_session_lock(struct lttng_session *s)
{
	if (s->locked)
		return 0;
	s->lock_fd = open(TESSERA_LTTNG_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (s->lock_fd < 0 || flock(s->lock_fd, LOCK_EX)) {
		snprintf(s->error, sizeof(s->error), "cannot lock %s", TESSERA_LTTNG_LOCK);
		if (s->lock_fd >= 0)
			close(s->lock_fd);
		return -1;
	}
	s->locked = true;
	return 0;
}

int lttng_session_daemon(struct lttng_session *s)
{
	if (lttng_session_lock(s))
		return -1;
	/* Ask before starting one, so that we know whether the daemon is ours to stop afterwards. */
	if (sessiond_reachable())
		return 0;
	if (sh("lttng-sessiond --daemonize")) {
		snprintf(s->error, sizeof(s->error),
			 "lttng-sessiond --daemonize failed (is lttng-tools installed?)");
		return -1;
	}
	s->started_sessiond = sessiond_pid();
	if (!sessiond_reachable()) {
		snprintf(s->error, sizeof(s->error), "lttng-sessiond started but `lttng list` fails");
		return -1;
	}
	return 0;
}

int lttng_session_start(struct lttng_session *s, const char *event)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(s->name, sizeof(s->name), "tessera-bench-%d", (int)getpid());
	snprintf(s->dir, sizeof(s->dir), "%s/%s", tmp && *tmp ? tmp : "/tmp", s->name);
	if (sh("lttng create %s --output=%s", s->name, s->dir)) {
		snprintf(s->error, sizeof(s->error), "lttng create %s failed", s->name);
		return -1;
	}
	s->created = true;
	/* 8 x 4 MiB sub-buffers: room for bursts of a few hundred thousand records between consumer reads. */
	if (sh("lttng enable-channel -u -s %s --subbuf-size=4M --num-subbuf=8 bench", s->name) ||
	    sh("lttng enable-event -u -s %s -c bench '%s'", s->name, event) ||
	    sh("lttng start %s", s->name)) {
		snprintf(s->error, sizeof(s->error), "lttng: cannot enable and start %s in session %s", event,
			 s->name);
		return -1;
	}
	s->started = true;
	return 0;
}

int64_t lttng_parse_discarded(const char *text)
{
	static const char key[] = "Discarded events:";
	int64_t sum = -1;

	for (const char *p = strstr(text, key); p; p = strstr(p + 1, key)) {
		char *end;
		long long v = strtoll(p + sizeof(key) - 1, &end, 10);
		if (end == p + sizeof(key) - 1 || v < 0)
			return -1;
		sum = (sum < 0 ? 0 : sum) + v;
	}
	return sum;
}

int64_t lttng_session_discarded(struct lttng_session *s)
{
	char *out = NULL;

	if (!s->created)
		return -1;
	int st = lab_spawn_capture((char *[]){"lttng", "list", s->name, NULL}, false, &out);
	int64_t n = st == 0 && out ? lttng_parse_discarded(out) : -1;
	free(out);
	return n;
}

void lttng_session_destroy(struct lttng_session *s)
{
	if (s->started)
		sh("lttng stop %s", s->name);
	if (s->created) {
		sh("lttng destroy %s", s->name);
		lab_remove_tree(s->dir);
	}
	s->created = s->started = false;
	if (s->started_sessiond) {
		kill(s->started_sessiond, SIGTERM);
		/* Wait for it, so that a run right after ours does not find a daemon on its way out. */
		for (int i = 0; i < 300 && process_alive(s->started_sessiond); i++)
			usleep(10000);
		s->started_sessiond = 0;
	}
	if (s->locked) {
		close(s->lock_fd); /* the next user may check for a daemon now */
		s->locked = false;
	}
}
