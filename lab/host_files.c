/* Files beside the executable, capturing a command's output, removing a scratch tree (host_files.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host_files.h"

int lab_exe_path(char *path, size_t size)
{
	ssize_t n = size > 1 ? readlink("/proc/self/exe", path, size - 1) : -1;

	/* readlink truncates silently: a result that fills the buffer may have been cut */
	if (n <= 0 || (size_t)n >= size - 1)
		return -1;
	path[n] = '\0';
	return 0;
}

int lab_path_beside_exe(char *path, size_t size, const char *rel)
{
	char exe[PATH_MAX];

	if (lab_exe_path(exe, sizeof(exe)))
		return -1;
	char *slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	int len = rel && rel[0] ? snprintf(path, size, "%s/%s", exe, rel) : snprintf(path, size, "%s", exe);
	return len < 0 || (size_t)len >= size ? -1 : 0;
}

int lab_spawn_capture(char *const *argv, bool merge_stderr, char **out)
{
	int fds[2];

	*out = NULL;
	fflush(stdout);
	fflush(stderr);
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid_t parent = getpid(), pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int null_fd = open("/dev/null", O_RDWR);
		/* Like QEMU, it must not outlive us whatever kills us. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(fds[1], 1) < 0 ||
		    dup2(merge_stderr ? fds[1] : null_fd, 2) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	for (;;) {
		if (buf && cap - len < 1024) {
			char *bigger = realloc(buf, cap * 2);
			if (!bigger) {
				free(buf);
				buf = NULL;
			} else {
				buf = bigger;
				cap *= 2;
			}
		}
		char sink[4096];
		ssize_t n = buf ? read(fds[0], buf + len, cap - len - 1) : read(fds[0], sink, sizeof(sink));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (buf)
			len += (size_t)n;
	}
	close(fds[0]);
	if (buf)
		buf[len] = '\0';
	*out = buf;
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

pid_t lab_spawn_with(char *const *argv, const struct lab_spawn_opts *o)
{
	fflush(stdout);
	fflush(stderr);
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		/* Whatever ends us (SIGKILL included), the child is told to stop too. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		if (o && o->own_group)
			setpgid(0, 0);
		if (o && o->env_name)
			setenv(o->env_name, o->env_value, 1);
		if (o && o->stdout_fd >= 0)
			dup2(o->stdout_fd, 1);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	/* Also here: the group exists before the caller can signal it, whichever of the two runs first. */
	if (pid > 0 && o && o->own_group)
		setpgid(pid, pid);
	return pid;
}

pid_t lab_spawn(char *const *argv)
{
	return lab_spawn_with(argv, NULL);
}

int lab_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Append n bytes to *buf (NUL-terminated); false when out of memory. */
static bool append(char **buf, size_t *len, const char *data, size_t n)
{
	char *more = realloc(*buf, *len + n + 1);
	if (!more)
		return false;
	memcpy(more + *len, data, n);
	*len += n;
	more[*len] = '\0';
	*buf = more;
	return true;
}

#define KILL_AFTER_S 10

void lab_capture_run(struct lab_capture *c, char *const *argv, unsigned int timeout_s,
		     const volatile sig_atomic_t *stop)
{
	int out[2], err[2], wstatus = 0;
	size_t lens[2] = {0, 0};
	char **bufs[2] = {&c->out, &c->err};

	memset(c, 0, sizeof(*c));
	c->status = -1;
	append(&c->out, &lens[0], "", 0);
	append(&c->err, &lens[1], "", 0);
	if ((stop && *stop) || pipe2(out, O_CLOEXEC))
		return;
	if (pipe2(err, O_CLOEXEC)) {
		close(out[0]), close(out[1]);
		return;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		struct sigaction dfl = {.sa_handler = SIG_DFL};
		sigaction(SIGINT, &dfl, NULL);
		sigaction(SIGTERM, &dfl, NULL);
		signal(SIGPIPE, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* it stops its own QEMU, if it has one */
		if (getppid() != parent || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		close(out[0]), close(err[0]);
		return;
	}
	double deadline = now_s() + timeout_s, term_at = 0;
	struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
	int open_fds = 2;
	pid_t w = 0;
	/* Until its output closes and it is reaped; a stop or the deadline: SIGTERM, 10 s later SIGKILL. */
	while (open_fds || w == 0) {
		if (open_fds) {
			int rc = poll(fds, 2, 200);
			for (int i = 0; i < 2 && rc > 0; i++) {
				if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
					continue;
				char buf[65536];
				ssize_t n = read(fds[i].fd, buf, sizeof(buf));
				if (n > 0) {
					append(bufs[i], &lens[i], buf, (size_t)n);
				} else if (n == 0 || errno != EINTR) {
					close(fds[i].fd);
					fds[i].fd = -1;
					open_fds--;
				}
			}
		} else {
			w = waitpid(pid, &wstatus, WNOHANG);
			if (w < 0 && errno == EINTR)
				w = 0;
			if (w)
				break;
			usleep(20000);
		}
		double t = now_s();
		if (!term_at && (t > deadline || (stop && *stop))) {
			c->timed_out = t > deadline;
			term_at = t;
			kill(pid, SIGTERM);
		} else if (term_at && t > term_at + KILL_AFTER_S) {
			kill(pid, SIGKILL);
		}
	}
	if (w < 0)
		return;
	c->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

void lab_capture_free(struct lab_capture *c)
{
	free(c->out);
	free(c->err);
	c->out = c->err = NULL;
}

int lab_make_scratch_dir(char *dir, size_t size, const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	int len = snprintf(dir, size, "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);

	if (len < 0 || (size_t)len >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_failed; /* nftw passes no context; set only while lab_remove_tree runs */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) && errno != ENOENT)
		remove_failed = 1;
	return 0;
}

int lab_remove_tree(const char *dir)
{
	remove_failed = 0;
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) && errno != ENOENT)
		return -1;
	return remove_failed ? -1 : 0;
}
