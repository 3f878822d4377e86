/* Integration test harness: runs out/tessera as a subprocess (see harness.h). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../lab/host_files.h"
#include "harness.h"

#define POLL_MS 20

static void tessera_path(char *path, size_t size)
{
	/* The test binary is out/integration_tests; the tool is out/tessera. */
	cr_assert_eq(lab_path_beside_exe(path, size, "tessera"), 0, "cannot read /proc/self/exe");
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

bool process_is_machine_qemu(pid_t pid)
{
	char path[64], args[8192];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(args, 1, sizeof(args) - 1, f);
	fclose(f);
	args[n] = '\0';
	if (!strstr(args, "qemu-system"))
		return false;
	for (size_t i = 0; i < n; i += strlen(args + i) + 1)
		if (!strcmp(args + i, "-kernel"))
			return true;
	return false;
}

/* The QEMU child of `parent` in /proc, or 0. tessera's other children (git and `qemu --version`, asked
 * for the run record) are not it. */
static pid_t find_child(pid_t parent)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", parent, parent);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	pid_t child = 0;
	int pid;
	while (!child && fscanf(f, "%d", &pid) == 1)
		if (process_is_machine_qemu(pid))
			child = pid;
	fclose(f);
	return child;
}

bool process_exists(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

void tessera_start(struct tessera_proc *p, const char *const *args)
{
	char exe[PATH_MAX];
	const char *argv[64];
	int n = 0;

	memset(p, 0, sizeof(*p));
	tessera_path(exe, sizeof(exe));
	argv[n++] = exe;
	for (; args[n - 1]; n++) {
		cr_assert_lt(n, 63);
		argv[n] = args[n - 1];
	}
	argv[n] = NULL;
	strcpy(p->out_path, "/tmp/tessera-it-out.XXXXXX");
	strcpy(p->err_path, "/tmp/tessera-it-err.XXXXXX");
	int out = mkstemp(p->out_path), err = mkstemp(p->err_path);
	cr_assert(out >= 0 && err >= 0, "mkstemp: %s", strerror(errno));
	pid_t parent = getpid();
	p->pid = fork();
	cr_assert_geq(p->pid, 0, "fork: %s", strerror(errno));
	if (p->pid == 0) {
		/* If the test process dies (criterion's runner stopped on Ctrl-C, a crash, a timeout), tessera
		 * gets SIGTERM and stops what it started, as on Ctrl-C. Without this it ran on as an orphan. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		int null_fd = open("/dev/null", O_RDONLY);
		dup2(null_fd, 0);
		dup2(out, 1);
		dup2(err, 2);
		/* Criterion may block or ignore signals in test processes; tessera must start clean. */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	close(out);
	close(err);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	char *buf = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&buf, &size);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(m);
	fclose(f);
	unlink(path);
	return buf;
}

pid_t tessera_wait_for_qemu(struct tessera_proc *p, int limit_s)
{
	for (int t = 0; t < limit_s * 1000 && !p->qemu_pid; t += POLL_MS) {
		p->qemu_pid = find_child(p->pid);
		if (!p->qemu_pid)
			sleep_ms(POLL_MS);
	}
	return p->qemu_pid;
}

void tessera_wait(struct tessera_proc *p, int limit_s)
{
	int ws;

	for (int t = 0;; t += POLL_MS) {
		if (!p->qemu_pid)
			p->qemu_pid = find_child(p->pid);
		pid_t r = waitpid(p->pid, &ws, WNOHANG);
		if (r == p->pid) {
			p->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
			break;
		}
		if (t >= limit_s * 1000) {
			/* Clean up before failing, so that a broken tool does not leave QEMU running. */
			if (p->qemu_pid)
				kill(p->qemu_pid, SIGKILL);
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &ws, 0);
			p->status = -1;
			break;
		}
		sleep_ms(POLL_MS);
	}
	p->out = slurp(p->out_path);
	p->err = slurp(p->err_path);
}

void tessera_run(struct tessera_proc *p, int limit_s, const char *const *args)
{
	tessera_start(p, args);
	tessera_wait(p, limit_s);
}

void tessera_free(struct tessera_proc *p)
{
	free(p->out);
	free(p->err);
}

bool has_line_with(const char *text, const char *needle)
{
	return text && strstr(text, needle);
}

int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

bool tessera_wait_for_output(const struct tessera_proc *p, const char *needle, int limit_s)
{
	static char buf[1 << 16];

	for (int i = 0; i < limit_s * 10; i++) {
		FILE *f = fopen(p->out_path, "r");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		if (f)
			fclose(f);
		buf[n] = '\0';
		if (strstr(buf, needle))
			return true;
		if (p->pid > 0 && !process_exists(p->pid))
			return false; /* it ended without printing it */
		nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
	}
	return false;
}

void expect_line(const struct tessera_proc *p, const char *needle)
{
	cr_expect(has_line_with(p->out, needle), "no line with \"%s\" in:\n%s\nstderr:\n%s", needle, p->out,
		  p->err);
}

int pids_with_env(const char *entry, pid_t *pids, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t len = strlen(entry);
	int n = 0;

	cr_assert_not_null(d, "/proc: %s", strerror(errno));
	while ((e = readdir(d))) {
		char path[300], buf[65536];
		pid_t pid = (pid_t)atoi(e->d_name);
		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t got = read(fd, buf, sizeof(buf));
		close(fd);
		/* Entries are NUL-separated: match a whole entry, at the start or after a NUL. */
		for (ssize_t i = 0; got > 0 && i + (ssize_t)len < got; i++)
			if ((i == 0 || buf[i - 1] == '\0') && !memcmp(buf + i, entry, len) &&
			    buf[i + len] == '\0') {
				if (n < max)
					pids[n] = pid;
				n++;
				break;
			}
	}
	closedir(d);
	return n;
}
