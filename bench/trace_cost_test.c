/* The pure parts of `tessera bench trace-cost`: nullcall summaries and the `lttng list` parser. */
#include <criterion/criterion.h>

#include "lttng_session.h"
#include "nullcall_stats.h"

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
