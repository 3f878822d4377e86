#include <criterion/criterion.h>
#include <string.h>

#include <tessera/cmdline_options.h>

static const char *why(const char *cl, size_t *off)
{
	struct cmdline_problem p;
	if (cmdline_check(cl, &p))
		return NULL;
	*off = p.offset;
	return p.why;
}

Test(cmdline_options, good_lines_pass)
{
	size_t off;
	cr_expect_null(why("", &off));
	cr_expect_null(why("  loglevel=debug  pool=16M bench_exit_work=100 trace_events=0x3f", &off));
	cr_expect_null(why("test_pic_pending insecure_test_grant_port=0x80 trace_ring=4K", &off));
	cr_expect_null(why("bench_exit_work=10000000 test_smp_skip=1", &off));
}

Test(cmdline_options, the_first_bad_word_is_named)
{
	size_t off = 99;
	cr_expect_str_eq(why("loglevel=debug nosuch_option=3 bench_exit_work=abc", &off), "unknown option");
	cr_expect_eq(off, 15);
	const char *w = why("bench_exit_work=abc", &off);
	cr_assert_not_null(w);
	cr_expect(strstr(w, "rounds"), "%s", w);
	cr_expect_eq(off, 0);
	cr_expect_not_null(why("bench_exit_work=10000001", &off), "over BENCH_EXIT_WORK_MAX");
	cr_expect_not_null(why("bench_exit_work", &off), "no value");
	cr_expect_not_null(why("pool=4K", &off), "under two pages");
	cr_expect_not_null(why("trace_events=all", &off), "not hex");
	cr_expect_not_null(why("insecure_test_grant_port=65536", &off));
	cr_expect_not_null(why("test_smp_skip=0", &off));
	cr_expect_not_null(why("bench_exit_workx=1", &off), "a longer key is another key");
}
