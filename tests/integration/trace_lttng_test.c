/*
 * The host tool's LTTng-UST tracepoints: record `tessera run` and `tessera trace record` (its drains) with
 * lttng, read them back with babeltrace2. Needs lttng-sessiond; the test starts one (and stops only that one) when none
 * runs, and is skipped with a message when it cannot.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static pid_t started_sessiond;

/* `lttng` would spawn a daemon by itself: look for one with pgrep, so that we know whether it is ours. */
static bool sessiond_ready(void)
{
	if (!sh("pgrep -x lttng-sessiond >/dev/null"))
		return true;
	if (sh("lttng-sessiond --daemonize >/dev/null 2>&1"))
		return false;
	FILE *p = popen("pgrep -xn lttng-sessiond", "r");
	int pid = 0;
	if (p && fscanf(p, "%d", &pid) == 1)
		started_sessiond = pid;
	if (p)
		pclose(p);
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
	if (started_sessiond)
		kill(started_sessiond, SIGTERM);
}
