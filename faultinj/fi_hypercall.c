/*
 * Model 3, hypercall (models/hypercall.h): the target's hypercalls of one number (or any). fail: not
 * carried out, the guest gets the error (the exit is consumed); corrupt_arg: a bit of the argument's
 * register flips before the hypervisor reads it (the guest keeps the flipped register, as after a real
 * upset); corrupt_result: a bit of the result flips after it was computed.
 */
#include <tessera/arch.h>

#include "engine.h"

static bool matches(const struct fi_slot *s, const struct vcpu_exit *e)
{
	uint64_t call = s->f.params[FP_hypercall_call];

	return e->reason == TESSERA_ER_HYPERCALL && (call == HYPERCALL_ANY || e->hypercall.nr == call);
}

static enum hook_result hc_exit(struct fi_slot *s, struct vcpu *v, struct vcpu_exit *e)
{
	const uint64_t *p = s->f.params;
	uint64_t n, old;

	if (p[FP_hypercall_action] == HC_CORRUPT_RESULT || !matches(s, e) || !fi_pass(s, &n))
		return HOOK_CONTINUE;
	if (p[FP_hypercall_action] == HC_FAIL) {
		e->hypercall.result = -(int64_t)p[FP_hypercall_error];
		fi_injected(s, v->cell, e->hypercall.nr, (uint64_t)e->hypercall.result, n);
		return HOOK_CONSUMED;
	}
	enum guest_reg r = arch_hypercall_arg_reg((unsigned int)p[FP_hypercall_arg]);
	if (!arch_vcpu_reg_get(v, r, &old) && !arch_vcpu_reg_set(v, r, old ^ (1ULL << p[FP_hypercall_bit])))
		fi_injected(s, v->cell, e->hypercall.nr, old ^ (1ULL << p[FP_hypercall_bit]), n);
	return HOOK_CONTINUE;
}

static void hc_at_exit(struct fi_slot *s, struct vcpu *v, struct vcpu_exit *e, bool fire)
{
	uint64_t n;

	(void)fire;
	if (s->f.params[FP_hypercall_action] != HC_CORRUPT_RESULT || !matches(s, e) || !fi_pass(s, &n))
		return;
	e->hypercall.result ^= (int64_t)(1ULL << s->f.params[FP_hypercall_bit]);
	fi_injected(s, v->cell, e->hypercall.nr, (uint64_t)e->hypercall.result, n);
}

const struct fi_model_ops fi_ops_hypercall = {
	.points = HOOK_BIT(HOOK_EXIT) | HOOK_BIT(HOOK_RESULT),
	.at_exit = hc_at_exit,
	.exit = hc_exit,
};
