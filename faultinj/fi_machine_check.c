/*
 * Model 6, machine_check (models/machine_check.h): at an at-exit trigger (exit, icount, tsc, now), at the
 * result point of that exit on the target vCPU's own CPU, the bank contents the fault names are handed to
 * arch_mce_synthesize: the same classifier, hw_error hook point, queue and actions as a machine check from
 * the hardware (docs/machine-checks.md), drained at once. Attribution follows the record, not the fault's
 * target: an address in another cell's memory is that cell's machine check, taken on this CPU.
 */
#include <tessera/arch.h>
#include <tessera/console.h>
#include <tessera/error.h>

#include "engine.h"

static void machine_check(struct fi_slot *s, struct vcpu *v, struct vcpu_exit *e, bool fire)
{
	const uint64_t *p = s->f.params;
	unsigned int bank = (unsigned int)p[FP_machine_check_bank];

	(void)e;
	if (!fire)
		return;
	/* Counted first: the record's action may stop or restart this very cell. */
	fi_injected(s, v->cell, bank, p[FP_machine_check_status], s->exits);
	int err = arch_mce_synthesize(v->cpu, bank, p[FP_machine_check_status], p[FP_machine_check_addr],
				      p[FP_machine_check_misc], p[FP_machine_check_mcg_status]);
	if (err)
		pr_err("faultinj: fault %u: machine check in bank %u refused: %s (the machine lacks the "
		       "bank)",
		       s->id, bank, hv_strerror(err));
}

const struct fi_model_ops fi_ops_machine_check = {.points = HOOK_BIT(HOOK_RESULT), .at_exit = machine_check};
