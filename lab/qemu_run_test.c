/* The runner with a shell script standing in for QEMU: exit statuses, streaming, timeout and escalation. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qemu_run.h"

static char out_path[] = "/tmp/tessera-qemu-run-test.XXXXXX";

/* Run `sh -c script` through qemu_run with stdout going to a file; returns that file's text. */
static char *run_script(const char *script, unsigned int timeout_s, struct qemu_run_result *r, int *ret)
{
	char *argv[] = {"sh", "-c", (char *)script, NULL};
	struct machine m;
	int fd = mkstemp(out_path), saved = dup(1);

	cr_assert(fd >= 0 && saved >= 0);
	machine_init_defaults(&m);
	m.timeout_s = timeout_s;
	fflush(stdout);
	dup2(fd, 1);
	*ret = qemu_run(argv, &m, r);
	dup2(saved, 1);
	close(saved);

	static char text[4096];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	text[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(out_path);
	return text;
}

Test(qemu_run, orderly_exit_and_streamed_lines)
{
	struct qemu_run_result r;
	int ret;
	/* The last line has no newline: it still comes out at the end. */
	char *out = run_script("echo one; echo two; printf three; exit 33", 0, &r, &ret);
	cr_assert_eq(ret, 0, "%s", r.summary);
	cr_assert_eq(r.exit_status, 0, "%s", r.summary);
	cr_assert_str_eq(out, "one\ntwo\nthree");
}

Test(qemu_run, hypervisor_fault_status)
{
	struct qemu_run_result r;
	int ret;
	run_script("exit 37", 0, &r, &ret); /* (0x12 << 1) | 1 */
	cr_assert_eq(r.exit_status, 1);
	cr_assert_str_eq(r.summary, "hypervisor fault (status 0x12)");
}

Test(qemu_run, missing_binary_is_an_error)
{
	char *argv[] = {"/nonexistent/qemu-system-x86_64", NULL};
	struct qemu_run_result r;
	struct machine m;
	machine_init_defaults(&m);
	cr_assert_eq(qemu_run(argv, &m, &r), -1);
	cr_assert(strstr(r.summary, "cannot start"), "%s", r.summary);
}

Test(qemu_run, timeout_stops_the_process_group, .timeout = 15)
{
	struct qemu_run_result r;
	int ret;
	/* sh and its sleep share the process group; both must go. */
	run_script("sleep 100", 1, &r, &ret);
	cr_assert_eq(ret, 0);
	cr_assert_eq(r.exit_status, QEMU_RUN_TIMEOUT, "%s", r.summary);
	cr_assert(kill(-r.pid, 0) == -1 && errno == ESRCH, "process group %d survived", r.pid);
}

Test(qemu_run, sigterm_ignored_then_sigkill, .timeout = 15)
{
	struct qemu_run_result r;
	int ret;
	/* A process that ignores SIGTERM gets SIGKILL after the grace period. */
	run_script("trap '' TERM; sleep 100", 1, &r, &ret);
	cr_assert_eq(r.exit_status, QEMU_RUN_TIMEOUT, "%s", r.summary);
	cr_assert(kill(-r.pid, 0) == -1 && errno == ESRCH, "process group %d survived", r.pid);
}

/* The console as a file the script appends to ($1), as QEMU's file chardev does. */
struct file_lines {
	char text[4096];
	size_t len;
	unsigned int n, nap_us;
};

static int file_line(const char *line, void *ctx)
{
	struct file_lines *l = ctx;

	l->n++;
	if (l->len + strlen(line) + 2 < sizeof(l->text))
		l->len += (size_t)snprintf(l->text + l->len, sizeof(l->text) - l->len, "%s\n", line);
	if (l->nap_us)
		usleep(l->nap_us);
	return 0;
}

static void run_with_console_file(const char *script, unsigned int timeout_s, struct file_lines *l,
				  struct qemu_run_result *r)
{
	char dir[] = "/tmp/tessera-qemu-run-file.XXXXXX", path[64];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/console", dir);
	char *argv[] = {"sh", "-c", (char *)script, "sh", path, NULL};
	struct machine m;

	machine_init_defaults(&m);
	m.timeout_s = timeout_s;
	m.console_path = path;
	m.on_line = file_line;
	m.on_line_ctx = l;
	m.quiet = true;
	cr_assert_eq(qemu_run(argv, &m, r), 0, "%s", r->summary);
	unlink(path);
	rmdir(dir);
}

/* Lines come from the file in order, the last one without its newline too; stdout is not the console. */
Test(qemu_run, console_file_is_followed_to_its_end)
{
	struct file_lines l = {0};
	struct qemu_run_result r;

	run_with_console_file("echo noise; for i in 1 2 3; do echo line $i >> \"$1\"; sleep 0.1; done;"
			      " printf 'last\\r\\n' >> \"$1\"; printf tail >> \"$1\"; exit 33",
			      0, &l, &r);
	cr_assert_eq(r.exit_status, 0, "%s", r.summary);
	cr_assert_str_eq(l.text, "line 1\nline 2\nline 3\nlast\ntail\n");
}

/* A console written far faster than on_line takes it: the time limit still ends the run on time (the
 * runner reads the file a bounded amount between polls), instead of after every line was taken. */
Test(qemu_run, a_flooded_console_file_does_not_hold_off_the_time_limit, .timeout = 20)
{
	struct file_lines l = {.nap_us = 500};
	struct qemu_run_result r;

	run_with_console_file("seq 1 100000 >> \"$1\"; sleep 100", 2, &l, &r);
	cr_assert_eq(r.exit_status, QEMU_RUN_TIMEOUT, "%s", r.summary);
	cr_assert_lt(l.n, 100000, "every line was taken before the time limit was looked at");
	cr_assert(kill(-r.pid, 0) == -1 && errno == ESRCH, "process group %d survived", r.pid);
}
