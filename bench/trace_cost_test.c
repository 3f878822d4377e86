/* The pure parts of `tessera bench trace-cost`: nullcall summaries and the `lttng list` parser. */
#include <criterion/criterion.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lttng_session.h"
#include "nullcall_parse.h"
#include "nullcall_stats.h"
#include "trace_cost_run.h"

Test(nullcall_stats, min_median_max_of_odd_and_even_counts)
{
	uint64_t odd[] = {9, 3, 7, 3, 420};
	struct nullcall_summary s = nullcall_summarize(odd, 5);
	cr_expect_eq(s.min, 3);
	cr_expect_eq(s.median, 7);
	cr_expect_eq(s.max, 420);
	for (int i = 1; i < 5; i++)
		cr_expect_leq(odd[i - 1], odd[i], "sorted in place");

	uint64_t even[] = {10, 2, 5, 4};
	s = nullcall_summarize(even, 4);
	cr_expect_eq(s.median, 4, "mean of 4 and 5, rounded down");
	uint64_t big[] = {UINT64_MAX, UINT64_MAX - 2};
	cr_expect_eq(nullcall_summarize(big, 2).median, UINT64_MAX - 1, "no overflow");

	uint64_t one[] = {6};
	s = nullcall_summarize(one, 1);
	cr_expect(s.min == 6 && s.median == 6 && s.max == 6);
	s = nullcall_summarize(NULL, 0);
	cr_expect(s.min == 0 && s.median == 0 && s.max == 0);
}

Test(nullcall_stats, net_never_negative)
{
	cr_expect_eq(nullcall_net(420, 6), 414);
	cr_expect_eq(nullcall_net(6, 6), 0);
	cr_expect_eq(nullcall_net(5, 6), 0);
}

Test(lttng_session, discarded_events_of_lttng_list)
{
	const char *one = "Channels:\n- bench: [enabled]\n\n    Statistics:\n      Discarded events: 17\n";
	cr_expect_eq(lttng_parse_discarded(one), 17);
	const char *two = "      Discarded events: 3\n...\n      Discarded events: 40\n";
	cr_expect_eq(lttng_parse_discarded(two), 43, "summed over channels");
	cr_expect_eq(lttng_parse_discarded("Recording session x: [inactive]\n"), -1, "no statistics");
	cr_expect_eq(lttng_parse_discarded("Discarded events: many\n"), -1, "not a number");
}

Test(nullcall_parse, the_last_result_line_of_a_console_log)
{
	const char *log =
		"[cpu0] cell 'nullcall' started (1 CPUs, entry 0x100000)\n"
		"[nullcall] nullcall: calls=5 call_min=1 call_median=2 empty_min=3 empty_median=4 net=5 "
		"total=6 loop_check=7\n"
		"[nullcall] nullcall: calls=1000 call_min=420 call_median=421 empty_min=6 "
		"empty_median=7 net=414 total=421007 loop_check=2000\n"
		"[cpu0] cell 'nullcall' finished: exit status 0\n";
	struct nullcall_result r;

	cr_assert_eq(nullcall_parse(log, &r), 0);
	cr_expect_eq(r.calls, 1000);
	cr_expect_eq(r.call_min, 420);
	cr_expect_eq(r.call_median, 421);
	cr_expect_eq(r.empty_min, 6);
	cr_expect_eq(r.empty_median, 7);
	cr_expect_eq(r.net, 414);
	cr_expect_eq(r.total, 421007);
	cr_expect_eq(r.loop_check, 2000);
	cr_expect_eq(nullcall_parse("nullcall: calls=1 call_min=2 call_median=3 empty_min=4 empty_median=5 "
				    "net=6 total=7 loop_check=8",
				    &r),
		     0, "no newline at the end");
	cr_expect_eq(r.loop_check, 8);
}

Test(nullcall_parse, refuses_incomplete_or_malformed_lines)
{
	struct nullcall_result r;

	cr_expect_eq(nullcall_parse("[cpu0] shutdown\n", &r), -1);
	cr_expect_eq(nullcall_parse("nullcall: calls=1 call_min=2 call_median=3 empty_min=4 empty_median=5 "
				    "net=6 total=7\n",
				    &r),
		     -1, "loop_check missing");
	cr_expect_eq(nullcall_parse("nullcall: calls=1 call_min=2 call_median=3 empty_min=4 empty_median=5 "
				    "net=-6 total=7 loop_check=8\n",
				    &r),
		     -1, "negative");
	cr_expect_eq(nullcall_parse("nullcall: calls=1 call_min=2x call_median=3 empty_min=4 "
				    "empty_median=5 net=6 total=7 loop_check=8\n",
				    &r),
		     -1, "trailing junk");
	cr_expect_eq(nullcall_parse("nullcall: calls=1 call_min=2 call_median=3 empty_min=4 empty_median=5 "
				    "net=6 total=7\nloop_check=8\n",
				    &r),
		     -1, "a field on the next line does not count");
}

Test(trace_cost, recording_summary_of_tessera_trace_record)
{
	uint64_t events = 0, lost = 0;

	cr_assert_eq(
		trace_cost_parse_record("[cpu0] shutdown\ntessera trace record: 6012 events (336736 bytes), "
					"3 lost, in /tmp/x\n",
					&events, &lost),
		0);
	cr_expect_eq(events, 6012);
	cr_expect_eq(lost, 3);
	cr_expect_eq(trace_cost_parse_record("tessera trace record: cannot start\n", &events, &lost), -1);
	cr_expect_eq(trace_cost_parse_record("", &events, &lost), -1);
}

Test(lttng_session, rundir_as_lttng_tools_has_it)
{
	char b[64];

	cr_assert_eq(lttng_sessiond_rundir(b, sizeof(b), 0, "/x", "/root"), 0);
	cr_assert_str_eq(b, "/var/run/lttng");
	cr_assert_eq(lttng_sessiond_rundir(b, sizeof(b), 1000, "/srv/lt", "/home/u"), 0);
	cr_assert_str_eq(b, "/srv/lt/.lttng");
	cr_assert_eq(lttng_sessiond_rundir(b, sizeof(b), 1000, "", "/home/u"), 0);
	cr_assert_str_eq(b, "/home/u/.lttng");
	cr_assert_eq(lttng_sessiond_rundir(b, sizeof(b), 1000, NULL, NULL), -1);
	cr_assert_eq(lttng_sessiond_rundir(b, 8, 0, NULL, NULL), -1);
}

/*
 * Regression: a process named lttng-sessiond was taken for a usable daemon, even one serving another
 * chroot or mount namespace. Here a stand-in of that name runs (a copy of sleep), and we look from a
 * mount namespace whose /var/run/lttng is empty: no daemon answers there, so one must be started (and
 * stopped again). Needs root, unshare and lttng-tools; skipped otherwise.
 */
Test(lttng_session, a_daemon_by_name_alone_is_not_reachable, .timeout = 60)
{
	char dir[] = "/tmp/tessera-lttng-ns.XXXXXX", fake[128], cmd[512];

	if (getuid() != 0 || system("command -v lttng-sessiond >/dev/null"))
		cr_skip_test("needs root and lttng-tools");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(fake, sizeof(fake), "%s/lttng-sessiond", dir);
	snprintf(cmd, sizeof(cmd), "cp \"$(command -v sleep)\" %s", fake);
	cr_assert_eq(system(cmd), 0);
	pid_t stand_in = fork();
	if (stand_in == 0) {
		execl(fake, "lttng-sessiond", "60", (char *)NULL);
		_exit(127);
	}
	pid_t child = fork();
	if (child == 0) {
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("tmpfs", "/var/run/lttng", "tmpfs", 0, NULL))
			_exit(77);
		struct lttng_session s = {0};
		if (lttng_session_daemon(&s)) {
			fprintf(stderr, "%s\n", s.error);
			_exit(2);
		}
		pid_t started = s.started_sessiond;
		lttng_session_destroy(&s);
		_exit(started ? 0 : 1);
	}
	int st;
	waitpid(child, &st, 0);
	kill(stand_in, SIGKILL);
	waitpid(stand_in, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	system(cmd);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		cr_skip_test("no mount namespace here");
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) != 2, "no daemon could be started (status %#x)", st);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "the stand-in named lttng-sessiond was taken for a reachable daemon");
}
