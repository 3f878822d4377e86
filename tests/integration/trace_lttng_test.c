/*
 * The host tool's LTTng-UST tracepoints: record `tessera run` and `tessera trace record` (its drains) with
 * lttng, read them back with babeltrace2. Needs lttng-sessiond; the test starts one (and stops only that one) when none
 * runs, and is skipped with a message when it cannot.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "../../bench/lttng_session.h"
#include "harness.h"

static pid_t started_sessiond;
static int lock_fd = -1;

/* Alive and not a zombie (init may leave a daemon's zombie unreaped). */
static bool running(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

/*
 * `lttng` would spawn a daemon by itself: look for one with pgrep, so that we know whether it is ours.
 * Holds the lock every user of the machine's one daemon takes (TESSERA_LTTNG_LOCK), so that no other
 * suite stops a daemon this test uses, nor this test one that another uses.
 */
static bool sessiond_ready(void)
{
	lock_fd = open(TESSERA_LTTNG_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	cr_assert(lock_fd >= 0 && flock(lock_fd, LOCK_EX) == 0, "cannot lock %s", TESSERA_LTTNG_LOCK);
	if (!sh("lttng --no-sessiond list >/dev/null 2>&1"))
		return true;
	if (sh("lttng-sessiond --daemonize >/dev/null 2>&1"))
		return false;
	/*
	 * The daemon's pid from its pid file, not `pgrep -n`: the daemon forks helpers of the same name, and
	 * stopping the newest of them left the daemon itself running after the test. Root's daemon lives in
	 * /var/run/lttng, a user's in $LTTNG_HOME/.lttng ($LTTNG_HOME defaults to $HOME).
	 */
	char pid_path[512];
	const char *home = getenv("LTTNG_HOME") ? getenv("LTTNG_HOME") : getenv("HOME");
	if (getuid() == 0)
		snprintf(pid_path, sizeof(pid_path), "/var/run/lttng/lttng-sessiond.pid");
	else
		snprintf(pid_path, sizeof(pid_path), "%s/.lttng/lttng-sessiond.pid", home ? home : "");
	FILE *p = fopen(pid_path, "r");
	int pid = 0;
	if (p && fscanf(p, "%d", &pid) == 1)
		started_sessiond = pid;
	if (p)
		fclose(p);
	return !sh("lttng list >/dev/null 2>&1");
}

Test(trace_lttng, host_tracepoints_are_recorded_and_readable, .timeout = 120)
{
	char dir[] = "/tmp/tessera-lttng-XXXXXX", session[64], out[600];
	struct tessera_proc p;

	if (!sessiond_ready())
		cr_skip_test("lttng-sessiond is not running and cannot be started here: LTTng test skipped");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(session, sizeof(session), "tessera-test-%d", getpid());
	snprintf(out, sizeof(out), "%s/lttng", dir);
	cr_assert_eq(sh("lttng create %s --output=%s >/dev/null", session, out), 0);
	cr_assert_eq(sh("lttng enable-event -s %s -u 'tessera_host:*' >/dev/null", session), 0);
	cr_assert_eq(sh("lttng start %s >/dev/null", session), 0);

	tessera_run(&p, 25,
		    (const char *const[]){"run", "--no-config", "--smp", "1", "--timeout", "20", NULL});
	cr_expect_eq(p.status, 0, "tessera run: %s", p.err);
	tessera_free(&p);
	char rec[600];
	snprintf(rec, sizeof(rec), "%s/rec", dir);
	tessera_run(&p, 60,
		    (const char *const[]){"trace", "record", "-o", rec, "--", "--timeout", "50", NULL});
	cr_expect_eq(p.status, 0, "tessera trace record: %s", p.err);
	tessera_free(&p);

	cr_assert_eq(sh("lttng stop %s >/dev/null && lttng destroy %s >/dev/null", session, session), 0);
	static const char *const events[] = {"tessera_host:run_start", "tessera_host:qemu_start",
					     "tessera_host:run_stop", "tessera_host:drain_stats"};
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		cr_expect_eq(sh("babeltrace2 %s | grep -q '%s:'", out, events[i]), 0,
			     "no %s event in the trace", events[i]);
	cr_expect_eq(sh("babeltrace2 %s | grep 'tessera_host:run_stop:' | grep -q 'status = 0'", out), 0);
	/* The recorder's final drain_stats: one per CPU of the default machine (4), with events drained. */
	cr_expect_eq(
		sh("test \"$(babeltrace2 %s | grep 'tessera_host:drain_stats:' | grep -c 'cpu = 3,')\" -ge 1",
		   out),
		0, "no drain_stats for CPU 3 from tessera trace record");
	cr_expect_eq(
		sh("babeltrace2 %s | grep 'tessera_host:drain_stats:' | grep -v 'events = 0,' | grep -q .",
		   out),
		0, "every drain_stats says 0 events");
	/* qemu_start carries the whole QEMU command line, not only argv[0]. */
	cr_expect_eq(
		sh("babeltrace2 %s | grep 'tessera_host:qemu_start:' | grep -q -- '-kernel .*tessera-hv.elf'",
		   out),
		0, "qemu_start's cmdline is not the whole command line");
	sh("rm -rf %s", dir);
	if (started_sessiond) {
		kill(started_sessiond, SIGTERM);
		/* gone before the lock is given back: the next user must not find it on its way out */
		for (int i = 0; i < 300 && running(started_sessiond); i++)
			usleep(10000);
	}
	close(lock_fd);
}

/*
 * One babeltrace2 command reads the host tools' LTTng trace and the hypervisor's CTF together, merged in
 * time order: the CTF clock is LTTng's monotonic clock domain (trace/ctf.c). The recorder's own
 * qemu_start comes before the hypervisor's first event and its run_stop after the last. The session
 * records vpid, so that other tessera processes on the machine do not count.
 */
Test(trace_lttng, one_babeltrace2_merges_host_and_hypervisor_traces, .timeout = 120)
{
	char dir[] = "/tmp/tessera-lttng-XXXXXX", session[64], out[600], rec[600], pidstr[32];
	struct tessera_proc p;

	if (!sessiond_ready())
		cr_skip_test("lttng-sessiond is not running and cannot be started here: LTTng test skipped");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(session, sizeof(session), "tessera-merge-%d", getpid());
	snprintf(out, sizeof(out), "%s/lttng", dir);
	snprintf(rec, sizeof(rec), "%s/rec", dir);
	cr_assert_eq(sh("lttng create %s --output=%s >/dev/null", session, out), 0);
	cr_assert_eq(sh("lttng enable-event -s %s -u 'tessera_host:*' >/dev/null", session), 0);
	cr_assert_eq(sh("lttng add-context -s %s -u -t vpid >/dev/null", session), 0);
	cr_assert_eq(sh("lttng start %s >/dev/null", session), 0);
	tessera_start(&p, (const char *const[]){"trace", "record", "-o", rec, "--", "--timeout", "50", NULL});
	snprintf(pidstr, sizeof(pidstr), "vpid = %d ", (int)p.pid);
	tessera_wait(&p, 60);
	cr_expect_eq(p.status, 0, "tessera trace record: %s", p.err);
	tessera_free(&p);
	cr_assert_eq(sh("lttng stop %s >/dev/null && lttng destroy %s >/dev/null", session, session), 0);
	tessera_run(&p, 30, (const char *const[]){"trace", "convert", rec, "--to", "ctf", NULL});
	cr_assert_eq(p.status, 0, "%s", p.err);
	tessera_free(&p);

	/* Line numbers in the merged output: ours among the host events, and the hypervisor's (no vpid). */
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
		 "babeltrace2 %s %s/ctf 2>&1 | awk -v me='%s' '"
		 "/ERROR|E PLUGIN/ {err=1} "
		 "/tessera_host:qemu_start:/ && index($0, me) && !q {q=NR} "
		 "/tessera_host:run_stop:/ && index($0, me) {s=NR} "
		 "!/tessera_host:/ && /^\\[/ {if (!f) f=NR; l=NR} "
		 "END {print err+0, q+0, f+0, l+0, s+0}'",
		 out, rec, pidstr);
	FILE *f = popen(cmd, "r");
	int err = -1, q = 0, first = 0, last = 0, stop = 0;
	cr_assert_not_null(f);
	cr_assert_eq(fscanf(f, "%d %d %d %d %d", &err, &q, &first, &last, &stop), 5);
	pclose(f);
	cr_assert_eq(err, 0, "babeltrace2 refused to read both traces in one command");
	cr_assert(q > 0 && first > 0 && stop > 0, "qemu_start %d, hypervisor events %d..%d, run_stop %d", q,
		  first, last, stop);
	cr_assert_lt(q, first, "the host's qemu_start (line %d) after the hypervisor's first event (%d)", q,
		     first);
	cr_assert_gt(stop, last, "the host's run_stop (line %d) before the hypervisor's last event (%d)",
		     stop, last);
	sh("rm -rf %s", dir);
	if (started_sessiond)
		kill(started_sessiond, SIGTERM);
}
