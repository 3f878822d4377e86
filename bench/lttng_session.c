/* An LTTng session for a benchmark, driven with the `lttng` command (see lttng_session.h). */
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* The newest live lttng-sessiond (pgrep would count zombies too, and `lttng` would spawn one itself). */
static pid_t find_sessiond(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[300], comm[64] = "";
		pid_t pid = (pid_t)atoi(e->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
		if (!strcmp(comm, "lttng-sessiond\n") && process_alive(pid) && pid > found)
			found = pid;
	}
	closedir(d);
	return found;
}

int lttng_session_daemon(struct lttng_session *s)
{
	/* `lttng` would spawn a daemon of its own: look first, so that we know whether we started it. */
	if (find_sessiond())
		return 0;
	if (sh("lttng-sessiond --daemonize")) {
		snprintf(s->error, sizeof(s->error),
			 "lttng-sessiond --daemonize failed (is lttng-tools installed?)");
		return -1;
	}
	s->started_sessiond = find_sessiond();
	if (sh("lttng list")) {
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
	char cmd[128], buf[8192];

	if (!s->created)
		return -1;
	snprintf(cmd, sizeof(cmd), "lttng list %s 2>/dev/null", s->name);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	int st = pclose(p);
	return st == 0 ? lttng_parse_discarded(buf) : -1;
}

void lttng_session_destroy(struct lttng_session *s)
{
	if (s->started)
		sh("lttng stop %s", s->name);
	if (s->created) {
		sh("lttng destroy %s", s->name);
		sh("rm -rf '%s'", s->dir);
	}
	s->created = s->started = false;
	if (s->started_sessiond) {
		kill(s->started_sessiond, SIGTERM);
		/* Wait for it, so that a run right after ours does not find a daemon on its way out. */
		for (int i = 0; i < 300 && process_alive(s->started_sessiond); i++)
			usleep(10000);
		s->started_sessiond = 0;
	}
}
