/* The hook points: order, consumption, capacity, arming and disarming. */
#include <criterion/criterion.h>
#include <tessera/error.h>
#include <tessera/exit.h>
#include <tessera/hooks.h>

static char trail[HOOKS_MAX + 8];
static unsigned int trail_len;

static enum hook_result record(struct vcpu *v, struct vcpu_exit *exit, void *ctx)
{
	(void)v;
	(void)exit;
	const char *tag = ctx;
	trail[trail_len++] = tag[0];
	return tag[1] == '!' ? HOOK_CONSUMED : HOOK_CONTINUE;
}

static void result_rec(struct vcpu *v, struct vcpu_exit *exit, void *ctx)
{
	(void)v;
	(void)exit;
	trail[trail_len++] = ((const char *)ctx)[0] + 1;
}

static void entry_rec(struct vcpu *v, void *ctx)
{
	(void)v;
	trail[trail_len++] = ((const char *)ctx)[0] + 2;
}

static void tick_rec(void *ctx)
{
	trail[trail_len++] = ((const char *)ctx)[0] + 3;
}

static int fail_rec(enum fail_site site, struct cell *c, struct vcpu *v, void *ctx)
{
	(void)c;
	(void)v;
	(void)ctx;
	return site == FAIL_PAGE_ALLOC ? -HV_ENOMEM : 0;
}

/* One process per test (criterion forks), so the static list starts empty in each. */
Test(hooks, run_in_registration_order_until_one_consumes)
{
	static const struct hook_client a = {.name = "a", .ctx = "a", .exit = record},
					b = {.name = "b", .ctx = "b!", .exit = record},
					c = {.name = "c", .ctx = "c", .exit = record};
	struct vcpu_exit exit = {.reason = TESSERA_ER_CPUID};

	cr_assert_eq(hooks_register(&a), 0);
	cr_assert_eq(hooks_register(&b), 0);
	cr_assert_eq(hooks_register(&c), 0);
	cr_assert_eq(hooks_count(), 3);
	cr_assert(hook_armed(HOOK_EXIT));
	cr_assert_eq(hooks_run_exit(NULL, &exit), HOOK_CONSUMED);
	cr_assert_eq(trail_len, 2);
	cr_assert(!strncmp(trail, "ab", 2));
}

Test(hooks, all_run_when_none_consumes)
{
	static const struct hook_client a = {.name = "a", .ctx = "a", .exit = record},
					c = {.name = "c", .ctx = "c", .exit = record};
	struct vcpu_exit exit = {.reason = TESSERA_ER_HALT};

	hooks_register(&a);
	hooks_register(&c);
	cr_assert_eq(hooks_run_exit(NULL, &exit), HOOK_CONTINUE);
	cr_assert_eq(trail_len, 2);
}

Test(hooks, list_is_bounded)
{
	static const struct hook_client a = {.name = "a", .ctx = "a", .exit = record};

	for (unsigned int i = 0; i < HOOKS_MAX; i++)
		cr_assert_eq(hooks_register(&a), 0);
	cr_assert_eq(hooks_register(&a), -HV_ENOMEM);
	cr_assert_eq(hooks_count(), HOOKS_MAX);
}

Test(hooks, each_point_runs_only_the_clients_that_have_it)
{
	static const struct hook_client a = {.name = "a",
					     .ctx = "a",
					     .result = result_rec,
					     .entry = entry_rec},
					b = {.name = "b", .ctx = "b!", .exit = record};
	struct vcpu_exit exit = {.reason = TESSERA_ER_CPUID};

	cr_assert_eq(hooks_armed, 0, "nothing registered, nothing armed");
	cr_assert_eq(hooks_register(&a), 0);
	cr_assert(!hook_armed(HOOK_EXIT), "a has no exit callback");
	cr_assert(hook_armed(HOOK_RESULT) && hook_armed(HOOK_ENTRY));
	cr_assert_eq(hooks_register(&b), 0);
	cr_assert_eq(hooks_run_exit(NULL, &exit), HOOK_CONSUMED); /* only b has an exit callback */
	hooks_run_result(NULL, &exit);
	hooks_run_entry(NULL);
	trail[trail_len] = 0;
	cr_assert_str_eq(trail, "bbc");
	cr_assert(!hook_armed(HOOK_TICK) && !hook_armed(HOOK_INJECT) && !hook_armed(HOOK_FAIL));
}

Test(hooks, a_disarmed_point_is_skipped_and_rearming_restores_it)
{
	static const struct hook_client a = {.name = "a", .ctx = "a", .exit = record, .tick = tick_rec},
					c = {.name = "c", .ctx = "c", .exit = record};
	struct vcpu_exit exit = {.reason = TESSERA_ER_CPUID};

	hooks_register(&a);
	hooks_register(&c);
	hooks_arm(&a, HOOK_BIT(HOOK_EXIT), false);
	cr_assert(hook_armed(HOOK_EXIT), "c still has it armed");
	hooks_run_exit(NULL, &exit);
	hooks_arm(&c, HOOK_BIT(HOOK_EXIT), false);
	cr_assert(!hook_armed(HOOK_EXIT), "no client has it armed any more");
	cr_assert(hook_armed(HOOK_TICK), "a's other point is untouched");
	hook_tick();
	hooks_arm(&a, HOOK_BIT(HOOK_EXIT) | HOOK_BIT(HOOK_FAIL), true);
	cr_assert(!hook_armed(HOOK_FAIL), "a point without a callback stays disarmed");
	hooks_run_exit(NULL, &exit);
	trail[trail_len] = 0;
	cr_assert_str_eq(trail, "cda");
}

Test(hooks, fail_points_fail_only_when_a_client_says_so)
{
	static const struct hook_client f = {.name = "f", .fail = fail_rec};

	cr_assert_eq(hook_fail(FAIL_PAGE_ALLOC, NULL, NULL), 0, "disarmed: no failure");
	hooks_register(&f);
	cr_assert_eq(hook_fail(FAIL_PAGE_ALLOC, NULL, NULL), -HV_ENOMEM);
	cr_assert_eq(hook_fail(FAIL_CELL_START, NULL, NULL), 0);
	cr_assert_str_eq(fail_site_name(FAIL_VCPU_RESET), "vcpu_reset");
	cr_assert_str_eq(hook_point_name(HOOK_CELL_STATE), "cell_state");
}
