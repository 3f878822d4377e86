/*
 * A console write the hypervisor refuses is not lost in silence (campaign 4's pilot: with a guest_copy
 * fail point on fiself's first console write, its first line vanished and nothing said so). The runtime
 * says how many lines did not get out before its next line (guests/runtime/print.c), and the hypervisor
 * counts the failed copy in the cell's stats (core/cell_memory.c).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "harness.h"

#define ROOT TESSERA_SOURCE_ROOT

Test(fiself_console, a_failed_guest_copy_of_a_console_line_is_reported_and_counted, .timeout = 240)
{
	struct tessera_proc p;

	tessera_run(&p, 220,
		    (const char *const[]){"run", "--config", ROOT "configs/fi/selfcheck.yaml", "--faults",
					  ROOT "tests/integration/plans/fail-guest-copy.yaml", "--timeout",
					  "200", NULL});
	cr_expect_eq(p.status, 0, "status %d\n%s\n%s", p.status, p.out, p.err);
	cr_expect(
		has_line_with(p.out, "faultinj: fault 0 (fail_point guest_copy) injected into cell 'fiself'"),
		"%s", p.out);
	cr_expect(!has_line_with(p.out, "[fiself] FI round=0 "), "the refused line printed:\n%s", p.out);
	cr_expect(has_line_with(p.out, "[fiself] console: 1 line lost (console_write error "), "%s", p.out);
	cr_expect(has_line_with(p.out, "[fiself] FI round=1 "), "%s", p.out);
	cr_expect(has_line_with(p.out, "stats:   guest copies failed 1"), "%s", p.out);
	/* The report comes before the next line that got out, not after it. */
	const char *lost = strstr(p.out, "[fiself] console: 1 line lost");
	const char *next = strstr(p.out, "[fiself] FI round=1 ");
	cr_expect(lost && next && lost < next, "%s", p.out);
	tessera_free(&p);
}

/* Without a failure there is neither a loss line nor a failed-copy count. */
Test(fiself_console, a_clean_run_reports_no_loss, .timeout = 240)
{
	struct tessera_proc p;

	tessera_run(&p, 220,
		    (const char *const[]){"run", "--config", ROOT "configs/fi/selfcheck.yaml", "--timeout",
					  "200", NULL});
	cr_expect_eq(p.status, 0, "status %d\n%s\n%s", p.status, p.out, p.err);
	cr_expect(has_line_with(p.out, "[fiself] FI round=0 "), "%s", p.out);
	cr_expect(!has_line_with(p.out, "line lost"), "%s", p.out);
	cr_expect(!has_line_with(p.out, "guest copies failed"), "%s", p.out);
	tessera_free(&p);
}
