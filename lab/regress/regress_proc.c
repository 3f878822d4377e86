/*
 * Children of lab regress (regress.h): each step runs `tessera` subcommands and reads what they print.
 * A stop signal is passed on to the running child (it stops its own QEMU) and no further child starts, so
 * Ctrl-C or a kill of regress leaves nothing running; a child past its time gets SIGTERM, then SIGKILL.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "regress.h"

#define KILL_AFTER_S 10

static volatile sig_atomic_t stopping;
static volatile pid_t child;

static void on_signal(int sig)
{
	stopping = sig;
	if (child > 0)
		kill(child, SIGTERM);
}

void regress_signals_install(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int regress_stopping(void)
{
	return stopping;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void append(char **buf, size_t *len, const char *data, size_t n)
{
	char *more = realloc(*buf, *len + n + 1);
	if (!more) {
		fputs("tessera lab regress: out of memory\n", stderr);
		exit(1);
	}
	memcpy(more + *len, data, n);
	*len += n;
	more[*len] = '\0';
	*buf = more;
}

void regress_proc_run(struct regress_proc *p, int timeout_s, const char *const *argv)
{
	int out[2], err[2], wstatus = 0;
	size_t olen = 0, elen = 0;

	memset(p, 0, sizeof(*p));
	p->status = -1;
	append(&p->out, &olen, "", 0);
	append(&p->err, &elen, "", 0);
	if (stopping || pipe(out) || pipe(err))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		struct sigaction dfl = {.sa_handler = SIG_DFL};
		sigaction(SIGINT, &dfl, NULL);
		sigaction(SIGTERM, &dfl, NULL);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]), close(out[1]), close(err[0]), close(err[1]);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		close(out[0]), close(err[0]);
		return;
	}
	child = pid;
	if (stopping) /* a signal between fork and here */
		kill(pid, SIGTERM);
	double deadline = now_s() + timeout_s, term_at = 0;
	struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
	int open_fds = 2;
	while (open_fds) {
		int rc = poll(fds, 2, 200);
		if (rc < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2 && rc > 0; i++) {
			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char buf[65536];
			ssize_t n = read(fds[i].fd, buf, sizeof(buf));
			if (n > 0) {
				if (i == 0)
					append(&p->out, &olen, buf, (size_t)n);
				else
					append(&p->err, &elen, buf, (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
		double t = now_s();
		if (!term_at && t > deadline) {
			p->timed_out = true;
			term_at = t;
			kill(pid, SIGTERM);
		} else if (term_at && t > term_at + KILL_AFTER_S) {
			kill(pid, SIGKILL);
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	/* Its output closed; it may still be stopping: the same deadlines hold. */
	for (pid_t w; (w = waitpid(pid, &wstatus, WNOHANG)) == 0 || (w < 0 && errno == EINTR);) {
		double t = now_s();
		if (!term_at && t > deadline) {
			p->timed_out = true;
			term_at = t;
			kill(pid, SIGTERM);
		} else if (term_at && t > term_at + KILL_AFTER_S) {
			kill(pid, SIGKILL);
		}
		usleep(20000);
	}
	child = 0;
	p->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

void regress_proc_free(struct regress_proc *p)
{
	free(p->out);
	free(p->err);
	p->out = p->err = NULL;
}
