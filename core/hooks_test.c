/* The exit hooks list: order, consumption, capacity. */
#include <criterion/criterion.h>
#include <tessera/error.h>
#include <tessera/exit.h>
#include <tessera/hooks.h>

static char trail[HOOKS_MAX + 4];
static unsigned int trail_len;

static enum hook_result record(struct vcpu *v, struct vcpu_exit *exit, void *ctx)
{
	(void)v;
	(void)exit;
	const char *tag = ctx;
	trail[trail_len++] = tag[0];
	return tag[1] == '!' ? HOOK_CONSUMED : HOOK_CONTINUE;
}

/* One process per test (criterion forks), so the static list starts empty in each. */
Test(hooks, run_in_registration_order_until_one_consumes)
{
	static const struct exit_hook a = {"a", record, "a"}, b = {"b", record, "b!"}, c = {"c", record, "c"};
	struct vcpu_exit exit = {.reason = TESSERA_ER_CPUID};

	cr_assert_eq(hooks_register(&a), 0);
	cr_assert_eq(hooks_register(&b), 0);
	cr_assert_eq(hooks_register(&c), 0);
	cr_assert_eq(hooks_count(), 3);
	cr_assert_eq(hooks_run(NULL, &exit), HOOK_CONSUMED);
	cr_assert_eq(trail_len, 2);
	cr_assert(!strncmp(trail, "ab", 2));
}

Test(hooks, all_run_when_none_consumes)
{
	static const struct exit_hook a = {"a", record, "a"}, c = {"c", record, "c"};
	struct vcpu_exit exit = {.reason = TESSERA_ER_HALT};

	hooks_register(&a);
	hooks_register(&c);
	cr_assert_eq(hooks_run(NULL, &exit), HOOK_CONTINUE);
	cr_assert_eq(trail_len, 2);
}

Test(hooks, list_is_bounded)
{
	static const struct exit_hook a = {"a", record, "a"};

	for (unsigned int i = 0; i < HOOKS_MAX; i++)
		cr_assert_eq(hooks_register(&a), 0);
	cr_assert_eq(hooks_register(&a), -HV_ENOMEM);
	cr_assert_eq(hooks_count(), HOOKS_MAX);
}
