/*
 * Per-cell exit counters and the table printed at shutdown. Each vCPU counts into its own struct (only
 * its CPU writes it, so a plain increment suffices: no lock prefix on the exit path); a reader on another
 * CPU sums the cell's vCPUs with relaxed loads, each aligned 64-bit word being read whole.
 *
 * Counting is the exit path's own accounting (cell_stats_count, inline in exit_handle), not a client of
 * the exit hook point: a client that is always on would keep that point armed, and every exit would pay
 * the walk of the client list (45 instructions measured, with the call: docs/performance.md).
 */
#include <tessera/cell.h>
#include <tessera/console.h>
#include <tessera/exit.h>

static const char *const reason_names[] = {
#define REASON_NAME(NAME, name) name,
	TESSERA_EXIT_REASONS(REASON_NAME)
#undef REASON_NAME
};

const char *cell_exit_reason_name(unsigned int reason)
{
	return reason < ARRAY_SIZE(reason_names) ? reason_names[reason] : "?";
}

static uint64_t load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void cell_stats_get(const struct cell *c, struct tessera_cell_stats *out)
{
	*out = (struct tessera_cell_stats){.version = TESSERA_CELL_STATS_VERSION,
					   .nr_reasons = TESSERA_ER_COUNT};
	for (unsigned int i = 0; i < c->nr_vcpus; i++) {
		const struct tessera_cell_stats *s = &c->vcpus[i]->stats;
		for (unsigned int r = 0; r < TESSERA_ER_COUNT; r++)
			out->exits[r] += load(&s->exits[r]);
		for (unsigned int h = 0; h < ARRAY_SIZE(s->hypercalls); h++)
			out->hypercalls[h] += load(&s->hypercalls[h]);
		out->violations += load(&s->violations);
	}
}

/* One block per cell: its state and every non-zero counter, so the table stays short. */
void cell_stats_print(const struct cell *c)
{
	struct tessera_cell_stats s;
	uint64_t total = 0;

	cell_stats_get(c, &s);
	for (unsigned int r = 0; r < TESSERA_ER_COUNT; r++)
		total += s.exits[r];
	pr_info("stats: cell '%s' (%s: %s): %llu exits, %llu violations", c->name, cell_state_name(c->state),
		c->reason, (unsigned long long)total, (unsigned long long)s.violations);
	for (unsigned int r = 0; r < TESSERA_ER_COUNT; r++)
		if (s.exits[r])
			pr_info("stats:   %-10s %12llu", reason_names[r], (unsigned long long)s.exits[r]);
	uint64_t copy_failures = load(&c->copy_failures);
	if (copy_failures)
		pr_info("stats:   guest copies failed %llu", (unsigned long long)copy_failures);
	if (!s.violations)
		return;
	/* The full account of the violations, whatever the console's rate limit left out. */
	for (unsigned int r = 0; r < TESSERA_ER_COUNT; r++) {
		uint64_t n = 0;
		for (unsigned int i = 0; i < c->nr_vcpus; i++)
			n += load(&c->vcpus[i]->violations_by_reason[r]);
		if (n)
			pr_info("stats:   violations %-10s %12llu", reason_names[r], (unsigned long long)n);
	}
	if (c->vlog.suppressed_all)
		pr_info("stats:   VIOLATION lines suppressed %llu (of %llu)",
			(unsigned long long)c->vlog.suppressed_all, (unsigned long long)s.violations);
}
