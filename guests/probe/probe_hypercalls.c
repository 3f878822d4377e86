/*
 * Hypercalls the cell may make but with arguments it must not get away with: managing another cell without
 * the manager flag, reading another cell's counters, making the hypervisor read or write memory the cell
 * does not own, and numbers that do not exist.
 */
#include "probe.h"
#include <guest/hypercall.h>
#include <guest/test.h>
#include <tessera/abi/results.h>
#include <tessera/string.h>

struct hc_args {
	uint64_t nr, a0, a1, a2, a3;
};

static uint64_t hc_call(void *arg)
{
	struct hc_args *a = arg;
	return (uint64_t)hypercall(a->nr, a->a0, a->a1, a->a2, a->a3);
}

static void expect_error(const char *name, int64_t want, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct hc_args a = {nr, a0, a1, a2, 0};
	probe_expect_error(name, hc_call, &a, want);
}

static void expect_refused(const char *name, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct hc_args a = {nr, a0, a1, a2, 0};
	probe_expect_refused(name, hc_call, &a);
}

void probe_hypercalls(struct probe *p)
{
	/* Another cell if there is one; otherwise this one, which a non-manager may not manage either. */
	uint64_t other = p->nr_cells > 1 ? (uint64_t)((p->cell_id + 1) % p->nr_cells) : (uint64_t)p->cell_id;
	const uint64_t stats_size = sizeof(struct tessera_cell_stats);
	const uint64_t outside = ALIGN_UP(p->ram_end, PAGE_SIZE);

	expect_error("hc_cell_stop_not_manager", -HV_EPERM, TESSERA_HC_CELL_STOP, other, 0, 0);
	expect_error("hc_cell_start_not_manager", -HV_EPERM, TESSERA_HC_CELL_START, other, 0, 0);
	expect_error("hc_cell_restart_not_manager", -HV_EPERM, TESSERA_HC_CELL_RESTART, other, 0, 0);
	if (p->nr_cells > 1)
		expect_error("hc_cell_stats_other_cell", 0, TESSERA_HC_CELL_STATS, other,
			     (uint64_t)(uintptr_t)p->scratch, stats_size);

	/* Unknown numbers must come back as an error, not a fault or a stopped cell. */
	expect_error("hc_unknown_number", 0, TESSERA_HC_COUNT, 0, 0, 0);
	expect_error("hc_huge_number", 0, ~0ULL, 0, 0, 0);

	/* The hypervisor must not write the counters outside the cell's memory. */
	expect_refused("hc_cell_stats_outside_ram", TESSERA_HC_CELL_STATS, (uint64_t)p->cell_id, outside,
		       stats_size);
	expect_refused("hc_cell_stats_straddling", TESSERA_HC_CELL_STATS, (uint64_t)p->cell_id,
		       p->ram_end - 8, stats_size);
	expect_refused("hc_cell_stats_wrapping", TESSERA_HC_CELL_STATS, (uint64_t)p->cell_id, ~0ULL - 7,
		       stats_size);
	for (unsigned int i = 0; i < p->nr_targets && i < 1; i++)
		expect_refused("hc_cell_stats_into_target", TESSERA_HC_CELL_STATS, (uint64_t)p->cell_id,
			       p->targets[i], stats_size);

	/* ... nor print memory the cell does not own. */
	expect_refused("hc_console_write_outside_ram", TESSERA_HC_CONSOLE_WRITE, outside, 16, 0);
	expect_refused("hc_console_write_straddling", TESSERA_HC_CONSOLE_WRITE, p->ram_end - 8, 16, 0);
	expect_refused("hc_console_write_wrapping", TESSERA_HC_CONSOLE_WRITE, ~0ULL - 7, 16, 0);
	expect_refused("hc_console_write_huge", TESSERA_HC_CONSOLE_WRITE, (uint64_t)(uintptr_t)p->scratch,
		       1ULL << 40, 0);
	for (unsigned int i = 0; i < p->nr_targets && i < 1; i++)
		expect_refused("hc_console_write_from_target", TESSERA_HC_CONSOLE_WRITE, p->targets[i], 16,
			       0);

	/* ... nor put memory the cell does not own on the results page, nor records of a bad length. The
	 * buffer is checked first, so these are refused whether or not the machine has a page. */
	expect_refused("hc_results_write_outside_ram", TESSERA_HC_RESULTS_WRITE, outside, 16, 0);
	expect_refused("hc_results_write_straddling", TESSERA_HC_RESULTS_WRITE, p->ram_end - 8, 16, 0);
	expect_refused("hc_results_write_wrapping", TESSERA_HC_RESULTS_WRITE, ~0ULL - 7, 16, 0);
	expect_error("hc_results_write_too_long", -HV_ERANGE, TESSERA_HC_RESULTS_WRITE,
		     (uint64_t)(uintptr_t)p->scratch, TESSERA_RESULTS_RECORD_MAX + 1, 0);
	expect_error("hc_results_write_empty", -HV_ERANGE, TESSERA_HC_RESULTS_WRITE,
		     (uint64_t)(uintptr_t)p->scratch, 0, 0);
	expect_error("hc_results_write_huge", -HV_ERANGE, TESSERA_HC_RESULTS_WRITE,
		     (uint64_t)(uintptr_t)p->scratch, 1ULL << 40, 0);
	/* The control: a good record from its own memory is taken (0), or there is no page (-ENOTSUP). */
	memcpy(p->scratch, "PROBE results_write", 19);
	int64_t ret = hypercall(TESSERA_HC_RESULTS_WRITE, (uint64_t)(uintptr_t)p->scratch, 19, 0, 0);
	test_report("hc_results_write_own_buffer", ret == 0 || ret == -HV_ENOTSUP,
		    "returned %ld, want 0 or %d", (long)ret, -HV_ENOTSUP);
	for (unsigned int i = 0; i < p->nr_targets && i < 1; i++)
		expect_refused("hc_results_write_from_target", TESSERA_HC_RESULTS_WRITE, p->targets[i], 16,
			       0);
}
