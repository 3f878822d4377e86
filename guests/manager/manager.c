/*
 * manager: exercises the cell lifecycle hypercalls. One image, two roles (args):
 *   role=manager target=N   (a cell with the manager flag) watches cell N finish, restarts it, stops it
 *                           while it runs, starts it again, and checks states and error codes.
 *     via=control           the same through the `control` hypercall's cell commands (abi/control.h,
 *                           what the host's mailbox sends), plus what that hypercall refuses.
 *   role=target             counts its runs in a word of its RAM outside the image: a restarted cell must
 *                           find it zero (memory cleared when given up), so it reports the word and sets
 *                           it, then spins with nop hypercalls for a while (so a stop can catch it) and exits.
 */
#include <guest/hypercall.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <guest/test.h>
#include <tessera/cmdline.h>
#include <tessera/abi/control.h>

#define MARKER_MAGIC 0x4d41524b45520000ULL /* "MARKER" + run number */

static int run_target(const struct tessera_cell_boot_info *info)
{
	/* The last page below the boot area of the lowest region: no image, no stack lives there. */
	volatile uint64_t *marker =
		(volatile uint64_t *)(uintptr_t)(info->regions[0].guest_addr + info->regions[0].size -
						 TESSERA_BOOT_AREA_SIZE - 4096);
	uint64_t spins = args_number("spins", 2000);

	printf("target: marker word %#lx at start\n", *marker);
	*marker = MARKER_MAGIC | 1;
	for (uint64_t i = 0; i < spins; i++)
		hypercall_nop();
	printf("target: done\n");
	return 0;
}

static bool via_control;

/* A control ABI command through the `control` hypercall: args[0..1] in, the result out. */
static int64_t control(uint32_t op, uint64_t a0, uint64_t size)
{
	static struct tessera_control_request req;

	req = (struct tessera_control_request){.args = {a0}};
	return hypercall(TESSERA_HC_CONTROL, op, (uint64_t)(uintptr_t)&req, size, 0);
}

static int64_t cell_start(uint64_t cell)
{
	return via_control ? control(TESSERA_CTL_CELL_START, cell, sizeof(struct tessera_control_request))
			   : hypercall_cell_start(cell);
}

static int64_t cell_stop(uint64_t cell)
{
	return via_control ? control(TESSERA_CTL_CELL_STOP, cell, sizeof(struct tessera_control_request))
			   : hypercall_cell_stop(cell);
}

static int64_t cell_restart(uint64_t cell)
{
	return via_control ? control(TESSERA_CTL_CELL_RESTART, cell, sizeof(struct tessera_control_request))
			   : hypercall_cell_restart(cell);
}

/* What only the control hypercall can get wrong (docs/hypercalls.md). */
static void control_refusals(uint64_t target)
{
	int64_t r;

	r = control(TESSERA_CTL_TRACE_TIME_SYNC, 0, sizeof(struct tessera_control_request));
	test_report("control_time_sync_refused", r == -HV_EINVAL, "returned %ld", r);
	r = control(TESSERA_CTL_CELL_START, target, sizeof(struct tessera_control_request) - 8);
	test_report("control_short_request_refused", r == -HV_EINVAL, "returned %ld", r);
	r = control(99, target, sizeof(struct tessera_control_request));
	test_report("control_unknown_command_refused", r == -HV_EINVAL, "returned %ld", r);
}

static int64_t wait_not_running(uint64_t cell)
{
	int64_t st;

	while ((st = hypercall_cell_state(cell)) == TESSERA_CELL_RUNNING)
		cpu_relax();
	return st;
}

static int run_manager(void)
{
	uint64_t target = args_number("target", 1);
	uint64_t self = (uint64_t)hypercall_cell_id();
	struct tessera_cell_stats stats;
	int64_t r;

	r = wait_not_running(target);
	test_report("target_finishes", r == TESSERA_CELL_FINISHED, "state %ld", r);

	r = cell_restart(target);
	test_report("restart_finished_cell", r == 0, "returned %ld", r);
	r = wait_not_running(target);
	test_report("restarted_target_finishes", r == TESSERA_CELL_FINISHED, "state %ld", r);

	r = cell_start(target);
	test_report("start_finished_cell", r == 0, "returned %ld", r);
	r = hypercall_cell_state(target);
	test_report("started_cell_runs", r == TESSERA_CELL_RUNNING, "state %ld", r);
	r = cell_stop(target);
	test_report("stop_running_cell", r == 0, "returned %ld", r);
	r = hypercall_cell_state(target);
	test_report("stopped_cell_is_stopped", r == TESSERA_CELL_STOPPED, "state %ld", r);
	r = cell_stop(target);
	test_report("stop_stopped_cell_refused", r == -HV_EINVAL, "returned %ld", r);

	/* The stopped cell's vCPU leaves at its next exit; start succeeds once it has. */
	while ((r = cell_start(target)) == -HV_EBUSY)
		cpu_relax();
	test_report("start_stopped_cell", r == 0, "returned %ld", r);
	r = wait_not_running(target);
	test_report("started_target_finishes", r == TESSERA_CELL_FINISHED, "state %ld", r);

	r = cell_stop(self);
	test_report("stop_self_refused", r == -HV_EINVAL, "returned %ld", r);
	r = cell_restart(99);
	test_report("restart_unknown_refused", r == -HV_ENOENT, "returned %ld", r);
	if (via_control)
		control_refusals(target);
	r = hypercall_cell_stats(target, &stats, sizeof(stats));
	test_report("stats_of_other_cell",
		    r == (int64_t)sizeof(stats) && stats.exits[TESSERA_ER_HYPERCALL] > 0,
		    "returned %ld, %lu hypercalls", r, stats.exits[TESSERA_ER_HYPERCALL]);
	return test_summary() ? 1 : 0;
}

int main(const struct tessera_cell_boot_info *info)
{
	const char *role;
	size_t len;

	if (args_get("role", &role, &len) && cmdline_is(role, len, "target"))
		return run_target(info);
	via_control = args_get("via", &role, &len) && cmdline_is(role, len, "control");
	if (via_control)
		printf("manager: cell commands through the control hypercall\n");
	return run_manager();
}
