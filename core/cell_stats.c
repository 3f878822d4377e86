/*
 * Per-cell exit counters: the first hook on the exit path, and the table printed at shutdown. Several
 * vCPUs of one cell count into the same struct, hence atomic adds.
 */
#include <tessera/cell.h>
#include <tessera/console.h>
#include <tessera/exit.h>
#include <tessera/hooks.h>

static const char *const reason_names[] = {
#define REASON_NAME(NAME, name) name,
	TESSERA_EXIT_REASONS(REASON_NAME)
#undef REASON_NAME
};

static enum hook_result stats_hook(struct vcpu *v, struct vcpu_exit *exit, void *ctx)
{
	struct tessera_cell_stats *s = &v->cell->stats;

	(void)ctx;
	if (exit->reason < TESSERA_ER_COUNT)
		__atomic_fetch_add(&s->exits[exit->reason], 1, __ATOMIC_RELAXED);
	if (exit->reason == TESSERA_ER_HYPERCALL && exit->hypercall.nr < ARRAY_SIZE(s->hypercalls))
		__atomic_fetch_add(&s->hypercalls[exit->hypercall.nr], 1, __ATOMIC_RELAXED);
	return HOOK_CONTINUE;
}

static const struct exit_hook stats = {"stats", stats_hook, NULL};

void cell_stats_hook_register(void)
{
	hooks_register(&stats);
}

const char *cell_exit_reason_name(unsigned int reason)
{
	return reason < ARRAY_SIZE(reason_names) ? reason_names[reason] : "?";
}

/* One block per cell: its state and every non-zero counter, so the table stays short. */
void cell_stats_print(const struct cell *c)
{
	const struct tessera_cell_stats *s = &c->stats;
	uint64_t total = 0;

	for (unsigned int r = 0; r < TESSERA_ER_COUNT; r++)
		total += s->exits[r];
	pr_info("stats: cell '%s' (%s: %s): %llu exits, %llu violations", c->name, cell_state_name(c->state),
		c->reason, (unsigned long long)total, (unsigned long long)s->violations);
	for (unsigned int r = 0; r < TESSERA_ER_COUNT; r++)
		if (s->exits[r])
			pr_info("stats:   %-10s %12llu", reason_names[r], (unsigned long long)s->exits[r]);
}
