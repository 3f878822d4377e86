/* The pure parts of `tessera bench trace-cost`: nullcall summaries and the `lttng list` parser. */
#include <criterion/criterion.h>

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
