/* Starting, watching and stopping one QEMU process (see qemu_run.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qemu_cmdline.h"
#include "qemu_run.h"
#include "../trace/probes.h"
#include "qemu_status.h"
#include "qmp.h"

#define STOP_GRACE_MS \
	500 /* SIGTERM first, SIGKILL this long after (QEMU keeps no state worth a longer wait) */
#define DRAIN_MS	1000 /* after QEMU is reaped, wait at most this long for the last output */
#define LINE_MAX_LEN	4096
#define FOLLOW_MS	100 /* a console file is read at least this often (inotify wakes us sooner) */
#define FOLLOW_SLICE_MS 20  /* the longest the console file is followed between two polls */
#define FOLLOW_READ	512 /* bytes per read of it: a slice ends soon after its time even with a slow on_line */
#define QMP_WAIT_MS	60000 /* QEMU creates its QMP socket before the machine runs: a loaded host is slow */
#define QMP_RETRY_MS	50
#define QEMU_RUN_NO_QMP 1 /* a stop for want of the monitor: the system did not get its run */

/* Signals reach the poll loop through this pipe, so there is no race between a signal and poll(). */
static int signal_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;
	if (write(signal_pipe[1], &c, 1) < 0) {
		/* full pipe: a signal of that kind is already pending */
	}
	errno = saved;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* output closed: nothing sensible to do with the console any more */
		p += w;
		n -= (size_t)w;
	}
}

/* One output stream of QEMU: bytes are collected and passed on a whole line at a time. */
struct stream {
	int fd;			 /* read end, -1 once closed */
	int out_fd;		 /* where lines go */
	bool quiet;		 /* drop QEMU's expected noise (not in verbose mode) */
	bool quiet_all;		 /* drop everything (the machine is quiet) */
	bool we_stopped_qemu;	 /* QEMU's "terminating on signal" notice is then expected too */
	const struct machine *m; /* its around_output hook */
	bool console;		 /* QEMU's stdout: lines go to m->on_line when it is set */
	bool file;		 /* a regular file QEMU appends to: end of file is "no more yet" */
	bool stop_asked;	 /* on_line returned non-zero: no more lines to it, stop QEMU */
	char buf[LINE_MAX_LEN];
	size_t len;
};

static bool line_is_dropped(const struct stream *s, const char *line, size_t len)
{
	/* -cpu EPYC names features TCG lacks; QEMU warns about each on every CPU. They are expected. */
	static const char noise[] = "TCG doesn't support requested feature";
	static const char term[] = "terminating on signal";

	if (!s->quiet)
		return false;
	return memmem(line, len, noise, sizeof(noise) - 1) ||
	       (s->we_stopped_qemu && memmem(line, len, term, sizeof(term) - 1));
}

/* A console line to the caller's callback, NUL-terminated and without its line end. */
static void stream_to_callback(struct stream *s, size_t n)
{
	char line[LINE_MAX_LEN + 1];
	size_t len = n;

	if (s->stop_asked)
		return;
	while (len && (s->buf[len - 1] == '\n' || s->buf[len - 1] == '\r'))
		len--;
	memcpy(line, s->buf, len);
	line[len] = '\0';
	if (s->m->on_line(line, s->m->on_line_ctx))
		s->stop_asked = true;
}

static void stream_emit(struct stream *s, size_t n)
{
	if (s->console && s->m && s->m->on_line) {
		stream_to_callback(s, n);
	} else if (s->quiet_all) {
		/* the caller wants none of QEMU's own messages */
	} else if (!line_is_dropped(s, s->buf, n)) {
		if (s->m && s->m->around_output)
			s->m->around_output(true, s->m->around_output_ctx);
		write_all(s->out_fd, s->buf, n);
		if (s->m && s->m->around_output)
			s->m->around_output(false, s->m->around_output_ctx);
	}
	memmove(s->buf, s->buf + n, s->len - n);
	s->len -= n;
}

static void stream_read(struct stream *s)
{
	ssize_t n = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		if (s->len)
			stream_emit(s, s->len);
		close(s->fd);
		s->fd = -1;
		return;
	}
	s->len += (size_t)n;
	char *nl;
	while ((nl = memchr(s->buf, '\n', s->len)))
		stream_emit(s, (size_t)(nl - s->buf) + 1);
	if (s->len == sizeof(s->buf))
		stream_emit(s, s->len); /* a line longer than the buffer goes out in pieces */
}

/*
 * What QEMU has appended to the console file since the last call, line by line, for at most
 * FOLLOW_SLICE_MS: a guest that prints faster than on_line takes its lines must not keep the loop from
 * signals and the time limit. Small reads keep a slice short even with a slow on_line. True when the
 * slice ran out before the end of the file (more may be waiting: come back at once).
 */
static bool console_follow(struct stream *s)
{
	long long until = now_ms() + FOLLOW_SLICE_MS;

	do {
		size_t room = sizeof(s->buf) - s->len;
		ssize_t n = read(s->fd, s->buf + s->len, room < FOLLOW_READ ? room : FOLLOW_READ);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		s->len += (size_t)n;
		char *nl;
		while ((nl = memchr(s->buf, '\n', s->len)))
			stream_emit(s, (size_t)(nl - s->buf) + 1);
		if (s->len == sizeof(s->buf))
			stream_emit(s, s->len);
	} while (now_ms() < until);
	return true;
}

/*
 * QEMU is gone: the file holds all it wrote, and all of it is passed on when QEMU ended by itself (the
 * whole console, however far behind the reader was). After a stop (time limit, signal) only until
 * `until` (ms, as the pipe was drained), so that Ctrl-C is not held up by a backlog. Its last line may
 * lack a line end.
 */
static void console_finish(struct stream *s, long long until)
{
	while (console_follow(s) && (until < 0 || now_ms() < until))
		;
	if (s->len)
		stream_emit(s, s->len);
	close(s->fd);
	s->fd = -1;
}

static int install_handlers(struct sigaction *old_int, struct sigaction *old_term, struct sigaction *old_chld)
{
	struct sigaction sa;

	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK))
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, old_int);
	sigaction(SIGTERM, &sa, old_term);
	sigaction(SIGCHLD, &sa, old_chld);
	return 0;
}

/*
 * A stop signal that came after the last look at the pipe (QEMU had ended, the run was over) is not
 * dropped with the pipe: it is raised again under the caller's handlers, so that a Ctrl-C between two
 * boots of a lab loop stops the loop as one during a boot does.
 */
static void restore_handlers(struct sigaction *old_int, struct sigaction *old_term,
			     struct sigaction *old_chld)
{
	unsigned char sigs[16];
	bool got_int = false, got_term = false;
	ssize_t n;

	sigaction(SIGINT, old_int, NULL);
	sigaction(SIGTERM, old_term, NULL);
	sigaction(SIGCHLD, old_chld, NULL);
	while ((n = read(signal_pipe[0], sigs, sizeof(sigs))) > 0)
		for (ssize_t i = 0; i < n; i++) {
			got_int = got_int || sigs[i] == SIGINT;
			got_term = got_term || sigs[i] == SIGTERM;
		}
	close(signal_pipe[0]);
	close(signal_pipe[1]);
	signal_pipe[0] = signal_pipe[1] = -1;
	if (got_term)
		raise(SIGTERM);
	if (got_int)
		raise(SIGINT);
}

/* In the child, between fork and exec. Only async-signal-safe calls. */
static void __attribute__((noreturn))
child_exec(char *const *argv, pid_t parent, int out_w, int err_w, int exec_err_w)
{
	int null_fd = open("/dev/null", O_RDONLY);

	setpgid(0, 0);
	/* If `tessera run` dies by any means, the kernel kills QEMU. Check the parent did not die already. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	/* QEMU gets no terminal: with a tty on stdin, -serial stdio would switch it to raw mode and Ctrl-C
	 * would no longer reach us. */
	if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
		goto fail;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(argv[0], argv);
fail:;
	int e = errno;
	if (write(exec_err_w, &e, sizeof(e)) < 0) {
		/* the parent then sees a plain exit 127 */
	}
	_exit(127);
}

/*
 * The console file, created empty before QEMU opens it (so reading starts at its first byte), and our
 * read end. QEMU's stdout then carries only its own messages: it joins stderr.
 */
static int open_console_file(const char *path, int *out_r)
{
	int w = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (w < 0)
		return -1;
	close(w);
	*out_r = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	return *out_r < 0 ? -1 : 0;
}

static pid_t start_qemu(char *const *argv, const char *console_path, int *out_r, int *err_r, int *exec_errno)
{
	int out[2] = {-1, -1}, err[2], ex[2];
	pid_t parent = getpid();

	if (console_path ? open_console_file(console_path, out_r) : pipe2(out, O_CLOEXEC))
		return -1;
	if (pipe2(err, O_CLOEXEC) || pipe2(ex, O_CLOEXEC))
		return -1;
	/* QEMU makes its stdout non-blocking: when this pipe is full, its UART holds the byte and retries
	 * on the host's clock, and a guest polling the line status sees host time, even under icount. As
	 * large a pipe as the system allows (1 MiB by default) makes that rare when this process is slow
	 * to read; it is not a guarantee (docs/lab-runner.md). */
	if (!console_path)
		fcntl(out[0], F_SETPIPE_SZ, 1 << 20);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		child_exec(argv, parent, console_path ? err[1] : out[1], err[1], ex[1]);
	/* Also set the group here: whichever of parent and child runs first, kill(-pid) then works. */
	setpgid(pid, pid);
	char *cmdline = qemu_cmdline_format(argv); /* the whole command line, as `run -v` prints it */
	probe_qemu_start(pid, cmdline ? cmdline : argv[0]);
	free(cmdline);
	if (!console_path)
		close(out[1]);
	close(err[1]);
	close(ex[1]);
	*exec_errno = 0;
	ssize_t n;
	do
		n = read(ex[0], exec_errno, sizeof(*exec_errno));
	while (n < 0 && errno == EINTR);
	close(ex[0]);
	if (!console_path) {
		fcntl(out[0], F_SETFL, O_NONBLOCK);
		*out_r = out[0];
	}
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	*err_r = err[0];
	return pid;
}

struct watch {
	pid_t pid;
	struct stream *err;
	bool reaped;
	int wait_status;
	int stop_status;       /* 0 while running, else the exit status a stop gives (124, 130, 143) */
	long long kill_at;     /* when SIGKILL follows SIGTERM, -1 before a stop */
	long long deadline;    /* the timeout, -1 for none */
	long long drain_until; /* after the reap, -1 before */
	char qmp_error[256];   /* why the monitor could not be reached (a QEMU_RUN_NO_QMP stop) */
};

static void watch_stop(struct watch *w, int status, long long now)
{
	if (w->reaped) {
		/* QEMU ended already (its last lines are being drained): nothing to signal, but the run
		 * still ends the way it was asked to. */
		if (!w->stop_status)
			w->stop_status = status;
		return;
	}
	if (w->stop_status) {
		/* A second Ctrl-C: do not wait for the grace period. */
		if (status == QEMU_RUN_SIGINT)
			w->kill_at = now;
		return;
	}
	w->stop_status = status;
	w->err->we_stopped_qemu = true;
	kill(-w->pid, SIGTERM);
	w->kill_at = now + STOP_GRACE_MS;
}

static int poll_timeout(const struct watch *w, long long now)
{
	long long until = -1;
	if (w->reaped)
		until = w->drain_until;
	else if (w->stop_status)
		until = w->kill_at;
	else if (w->deadline >= 0)
		until = w->deadline;
	if (until < 0)
		return -1;
	return until > now ? (int)(until - now) : 0;
}

static void watch_signals(struct watch *w)
{
	unsigned char sigs[16];
	ssize_t n;
	while ((n = read(signal_pipe[0], sigs, sizeof(sigs))) > 0)
		for (ssize_t i = 0; i < n; i++) {
			if (sigs[i] == SIGINT)
				watch_stop(w, QEMU_RUN_SIGINT, now_ms());
			else if (sigs[i] == SIGTERM)
				watch_stop(w, QEMU_RUN_SIGTERM, now_ms());
		}
}

static void watch_step(struct watch *w)
{
	long long now = now_ms();

	if (!w->reaped && waitpid(w->pid, &w->wait_status, WNOHANG) == w->pid) {
		w->reaped = true;
		w->drain_until = now + DRAIN_MS;
		/* Anything QEMU left in its group goes with it. As the subreaper we inherited those orphans
		 * (a machine's init may not reap them), so reap them here too. SIGKILL cannot be ignored, so
		 * this wait is short. */
		kill(-w->pid, SIGKILL);
		while (waitpid(-w->pid, NULL, 0) > 0)
			;
		return;
	}
	if (w->reaped)
		return;
	if (!w->stop_status && w->deadline >= 0 && now >= w->deadline)
		watch_stop(w, QEMU_RUN_TIMEOUT, now);
	if (w->stop_status && w->kill_at >= 0 && now >= w->kill_at) {
		kill(-w->pid, SIGKILL);
		w->kill_at = -1; /* sent; now wait for the reap */
	}
}

static void finish(const struct watch *w, const struct machine *m, struct qemu_run_result *r)
{
	r->wait_status = w->wait_status;
	switch (w->stop_status) {
	case QEMU_RUN_TIMEOUT:
		snprintf(r->summary, sizeof(r->summary), "timed out after %u s, QEMU stopped", m->timeout_s);
		break;
	case QEMU_RUN_SIGINT: snprintf(r->summary, sizeof(r->summary), "interrupted, QEMU stopped"); break;
	case QEMU_RUN_SIGTERM: snprintf(r->summary, sizeof(r->summary), "terminated, QEMU stopped"); break;
	case QEMU_RUN_STOPPED:
		snprintf(r->summary, sizeof(r->summary), "stopped by the caller, QEMU stopped");
		break;
	case QEMU_RUN_NO_QMP:
		snprintf(r->summary, sizeof(r->summary), "no QEMU monitor (%.100s), QEMU stopped",
			 w->qmp_error);
		break;
	default:
		r->exit_status = qemu_status_classify(w->wait_status, r->summary, sizeof(r->summary));
		return;
	}
	r->exit_status = w->stop_status;
}

/* The monitor, when the machine asks for it: connected once QEMU has made its socket, then handed over. */
struct monitor {
	struct qmp q;
	bool wanted, handed;
	long long give_up_at;
};

/* One attempt; 0 while it is pending or done, else the stop it calls for. */
static int monitor_step(struct monitor *mon, const struct machine *m, struct watch *w, long long now)
{
	if (!mon->wanted || mon->handed || w->reaped || w->stop_status)
		return 0;
	if (qmp_connect(&mon->q, m->qmp_path, 0)) {
		if (now < mon->give_up_at)
			return 0;
		snprintf(w->qmp_error, sizeof(w->qmp_error), "%s", mon->q.error);
		return QEMU_RUN_NO_QMP;
	}
	mon->handed = true;
	return m->on_qmp && m->on_qmp(&mon->q, m->on_qmp_ctx) ? QEMU_RUN_STOPPED : 0;
}

static int loop_timeout(const struct watch *w, const struct monitor *mon, const struct stream *out,
			bool backlog, long long now)
{
	int t = poll_timeout(w, now);

	if (backlog)
		return 0;
	int cap = mon->wanted && !mon->handed && !w->reaped ? QMP_RETRY_MS : -1;

	if (out->file && out->fd >= 0 && (cap < 0 || cap > FOLLOW_MS))
		cap = FOLLOW_MS;
	return cap >= 0 && (t < 0 || t > cap) ? cap : t;
}

int qemu_run(char *const *argv, const struct machine *m, struct qemu_run_result *r)
{
	struct sigaction old_int, old_term, old_chld;
	struct stream out = {.out_fd = 1, .m = m, .console = true, .file = m->console_path != NULL},
		      err = {.out_fd = 2, .quiet = !m->verbose, .quiet_all = m->quiet, .m = m};
	struct monitor mon = {.q = {.fd = -1}, .wanted = m->qmp_path != NULL};
	int exec_errno, notify = -1;
	bool backlog = false; /* the console file had more than one round of reads */

	memset(r, 0, sizeof(*r));
	/* Processes QEMU leaves behind become our children, not init's, so that we can reap them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (install_handlers(&old_int, &old_term, &old_chld)) {
		snprintf(r->summary, sizeof(r->summary), "cannot set up signal handling: %s",
			 strerror(errno));
		return -1;
	}
	struct watch w = {.err = &err, .kill_at = -1, .deadline = -1, .drain_until = -1};
	w.pid = start_qemu(argv, m->console_path, &out.fd, &err.fd, &exec_errno);
	if (w.pid < 0 || exec_errno) {
		int e = w.pid < 0 ? errno : exec_errno;
		snprintf(r->summary, sizeof(r->summary), "cannot start %s: %s", argv[0], strerror(e));
		if (w.pid > 0) {
			waitpid(w.pid, NULL, 0);
			close(out.fd);
			close(err.fd);
		}
		restore_handlers(&old_int, &old_term, &old_chld);
		errno = e;
		return -1;
	}
	r->pid = w.pid;
	if (m->timeout_s)
		w.deadline = now_ms() + (long long)m->timeout_s * 1000;
	mon.give_up_at = now_ms() + QMP_WAIT_MS;
	if (out.file) {
		/* Woken when QEMU writes; without inotify the FOLLOW_MS reads alone follow the file. */
		notify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (notify >= 0 && inotify_add_watch(notify, m->console_path, IN_MODIFY) < 0) {
			close(notify);
			notify = -1;
		}
	}

	while (!w.reaped || ((out.fd >= 0 || err.fd >= 0) && now_ms() < w.drain_until)) {
		struct pollfd fds[3] = {
			{.fd = signal_pipe[0], .events = POLLIN},
			{.fd = out.file ? (out.fd >= 0 ? notify : -1) : out.fd, .events = POLLIN},
			{.fd = err.fd, .events = POLLIN},
		};
		int n = poll(fds, 3, loop_timeout(&w, &mon, &out, backlog, now_ms()));
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0) {
			if (fds[0].revents)
				watch_signals(&w);
			if (fds[1].revents && out.file) {
				/* only the wake-up matters; the file itself is read below */
				char events[4096];
				while (read(notify, events, sizeof(events)) > 0)
					;
			} else if (fds[1].revents) {
				stream_read(&out);
			}
			if (fds[2].revents)
				stream_read(&err);
		}
		int stop = monitor_step(&mon, m, &w, now_ms());
		if (stop)
			watch_stop(&w, stop, now_ms());
		/* A console file waits for the monitor: on_started comes before the first line. */
		backlog = out.file && out.fd >= 0 && (!mon.wanted || mon.handed || w.stop_status) &&
			  console_follow(&out);
		if (out.stop_asked && !w.stop_status)
			watch_stop(&w, QEMU_RUN_STOPPED, now_ms());
		if (out.stop_asked && w.reaped)
			break; /* no line is wanted any more: no need to drain */
		watch_step(&w);
		if (w.reaped && out.file && out.fd >= 0)
			console_finish(&out, w.stop_status ? w.drain_until : -1);
		if (w.reaped)
			qmp_close(&mon.q);
	}
	if (!w.reaped) {
		/* Only after poll() itself failed: never leave QEMU behind. */
		kill(-w.pid, SIGKILL);
		waitpid(w.pid, &w.wait_status, 0);
		while (waitpid(-w.pid, NULL, 0) > 0)
			;
	}
	qmp_close(&mon.q);
	if (notify >= 0)
		close(notify);
	if (out.fd >= 0)
		close(out.fd);
	if (err.fd >= 0)
		close(err.fd);
	finish(&w, m, r);
	restore_handlers(&old_int, &old_term, &old_chld);
	return 0;
}
