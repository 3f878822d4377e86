/*
 * The manager-cell side of run-time trace control: the tracectl inmate disables the `hypercall` event by
 * hypercall, makes null hypercalls, enables it again and makes some more. The recorded trace must hold
 * exactly the null hypercalls made while the event was on, and the trace_command events that record each
 * change; a cell without the manager flag is refused; without a trace channel the call says so.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/abi/hypercall.h>

#include "../../trace/tracedir.h"
#include "harness.h"

#define CONFIG TESSERA_SOURCE_ROOT "/tests/integration/configs/tracectl.yaml"
#define QUIET  100 /* the config's quiet= and loud= */
#define LOUD   37

struct counts {
	unsigned int ctl_nops; /* null hypercalls of cell 0 (ctl) in the trace */
	unsigned int commands_ok, commands_refused;
};

static int count(const struct trace_rec *r, void *ctx)
{
	struct counts *n = ctx;

	const struct tessera_trace_common *common = r->payload;

	if (common->type == TESSERA_TRACE_EV_hypercall && r->cell == 0) {
		const struct tessera_trace_ev_hypercall *e = (const void *)r->hdr;
		n->ctl_nops += e->nr == TESSERA_HC_NOP;
	} else if (common->type == TESSERA_TRACE_EV_trace_command) {
		const struct tessera_trace_ev_trace_command *e = (const void *)r->hdr;
		if (e->result == 0)
			n->commands_ok++;
		else
			n->commands_refused++;
	}
	return 0;
}

Test(trace_control, manager_hypercall_turns_events_off_and_on, .timeout = 120)
{
	char dir[] = "/tmp/tessera-tracectl-XXXXXX", err[256];
	struct tessera_proc p;
	struct trace_dir td;
	struct counts n = {0};

	cr_assert_not_null(mkdtemp(dir));
	tessera_run(&p, 90,
		    (const char *const[]){"trace", "record", "-o", dir, "--", "--config", CONFIG, "--timeout",
					  "60", NULL});
	cr_assert_eq(p.status, 0, "trace record: %d\n%s\n%s", p.status, p.out, p.err);
	cr_expect(has_line_with(p.out, "tracectl: disable -> 0, enable -> 0, bad op -> -2"), "%s", p.out);
	cr_expect(has_line_with(p.out, "[ctl] TESTS: 3 passed, 0 failed"), "%s", p.out);
	cr_expect(has_line_with(p.out, "[plain] TESTS: 1 passed, 0 failed"), "%s", p.out);
	tessera_free(&p);

	cr_assert_eq(trace_dir_load(&td, dir, err, sizeof(err)), 0, "%s", err);
	uint64_t lost = 0;
	for (unsigned int c = 0; c < td.nr_cpus; c++)
		lost += td.lost[c];
	cr_assert_eq(lost, 0, "records were lost: the counts below would not be exact");
	trace_dir_for_each(&td, count, &n);
	trace_dir_free(&td);
	cr_expect_eq(n.ctl_nops, LOUD,
		     "%u null hypercalls in the trace; %u were made with the event on, %u off", n.ctl_nops,
		     LOUD, QUIET);
	/* disable and enable succeed (the refused non-manager call never reaches trace control); bad op fails */
	cr_expect_eq(n.commands_ok, 2, "%u successful trace_command events", n.commands_ok);
	cr_expect_eq(n.commands_refused, 1, "%u refused trace_command events", n.commands_refused);
	cr_expect_eq(sh("rm -rf %s", dir), 0);
}

Test(trace_control, without_a_channel_the_call_says_not_supported, .timeout = 90)
{
	struct tessera_proc p;

	tessera_run(&p, 80, (const char *const[]){"run", "--config", CONFIG, "--timeout", "60", NULL});
	cr_expect_eq(p.status, 0, "%d\n%s", p.status, p.err);
	cr_expect(has_line_with(p.out, "tracectl: disable -> -7, enable -> -7, bad op -> -7"), "%s", p.out);
	cr_expect(has_line_with(p.out, "[ctl] TESTS: 3 passed, 0 failed"), "%s", p.out);
	cr_expect(has_line_with(p.out, "[plain] TESTS: 1 passed, 0 failed"), "%s", p.out);
	tessera_free(&p);
}
