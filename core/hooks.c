/* The exit hooks list (see hooks.h). */
#include <tessera/error.h>
#include <tessera/hooks.h>

static const struct exit_hook *hooks[HOOKS_MAX];
static unsigned int nr_hooks;

int hooks_register(const struct exit_hook *hook)
{
	if (nr_hooks >= HOOKS_MAX)
		return -HV_ENOMEM;
	hooks[nr_hooks++] = hook;
	return 0;
}

enum hook_result hooks_run(struct vcpu *v, struct vcpu_exit *exit)
{
	for (unsigned int i = 0; i < nr_hooks; i++)
		if (hooks[i]->fn(v, exit, hooks[i]->ctx) == HOOK_CONSUMED)
			return HOOK_CONSUMED;
	return HOOK_CONTINUE;
}

unsigned int hooks_count(void)
{
	return nr_hooks;
}
