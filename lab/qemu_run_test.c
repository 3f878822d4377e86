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
