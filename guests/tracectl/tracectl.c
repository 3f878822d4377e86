/*
 * tracectl: drives the trace_control hypercall. One image, two roles (args):
 *   role=manager  (a cell with the manager flag) disables the `hypercall` trace event for every cell and
 *                 the hypervisor, makes `quiet` null hypercalls, enables it again, makes `loud` null
 *                 hypercalls, then tries an invalid command. A recorded trace must hold exactly `loud`
 *                 of those null hypercalls (tests/integration/trace_control_test.c). Without a trace
 *                 channel every call answers -ENOTSUP, which is reported, not a failure.
 *   role=plain    (no manager flag) must be refused with -EPERM.
 */
#include <guest/hypercall.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <guest/test.h>
#include <tessera/cmdline.h>
#include <tessera/error.h>

#include "../../trace/events.h"

#define TRACE_ENABLE  1
#define TRACE_DISABLE 2
#define ALL_CELLS     (~0ULL) /* every cell, and bit 63: the hypervisor's own events */

static int64_t trace_control(uint64_t op, uint64_t events, uint64_t cells)
{
	return hypercall(TESSERA_HC_TRACE_CONTROL, op, events, cells, 0);
}

static void nops(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		hypercall_nop();
}

static int run_manager(void)
{
	const uint64_t hc_event = 1ULL << TESSERA_TRACE_EV_hypercall;
	uint64_t quiet = args_number("quiet", 100), loud = args_number("loud", 37);

	int64_t off = trace_control(TRACE_DISABLE, hc_event, ALL_CELLS);
	nops(quiet);
	int64_t on = trace_control(TRACE_ENABLE, hc_event, ALL_CELLS);
	nops(loud);
	int64_t bad = trace_control(99, hc_event, ALL_CELLS);
	/* These lines are what the integration tests read; print them before the verdicts. */
	printf("tracectl: disable -> %ld, enable -> %ld, bad op -> %ld; %lu quiet and %lu loud null "
	       "hypercalls\n",
	       (long)off, (long)on, (long)bad, (unsigned long)quiet, (unsigned long)loud);
	bool channel = off != -HV_ENOTSUP;
	test_report("trace_control_disable", off == 0 || off == -HV_ENOTSUP, "returned %ld", (long)off);
	test_report("trace_control_enable", on == (channel ? 0 : -HV_ENOTSUP), "returned %ld", (long)on);
	test_report("trace_control_bad_op", bad == (channel ? -HV_EINVAL : -HV_ENOTSUP), "returned %ld",
		    (long)bad);
	return test_summary() ? 1 : 0;
}

static int run_plain(void)
{
	int64_t r = trace_control(TRACE_DISABLE, 1ULL << TESSERA_TRACE_EV_exit, ALL_CELLS);

	test_report("trace_control_not_manager", r == -HV_EPERM, "returned %ld", (long)r);
	return test_summary() ? 1 : 0;
}

int main(const struct tessera_cell_boot_info *info)
{
	const char *role;
	size_t len;

	(void)info;
	if (args_get("role", &role, &len) && cmdline_is(role, len, "manager"))
		return run_manager();
	return run_plain();
}
