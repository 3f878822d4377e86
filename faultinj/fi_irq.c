/*
 * Model 2, interrupt (models/interrupt.h): on the target vCPU's virtual interrupts, by source and vector,
 * drop, delay (held by the engine, posted again after N exits or T us, checked at the vCPU's exits) or
 * duplicate (posted again at once); or raise a spurious vector at an at-exit trigger. The source is told
 * by the vector: the vCPU's timer vector, a doorbell vector the config gives this cell, else an IPI.
 */
#include <tessera/arch.h>
#include <tessera/config_check.h>
#include <tessera/string.h>

#include "../trace/events.h"
#include "engine.h"

static unsigned int source_of(struct vcpu *v, unsigned int vector)
{
	const struct tessera_config_header *cfg = fi_config();

	if (vector == arch_vcpu_timer_vector(v))
		return TIMER;
	for (uint32_t i = 0; cfg && i < cfg->nr_cells; i++) {
		const struct tessera_config_cell *c = &config_cells(cfg)[i];
		const struct tessera_config_doorbell *d = config_doorbells(cfg) + c->doorbell_first;
		for (uint32_t k = 0; k < c->doorbell_count; k++)
			if (d[k].vector == vector && !strncmp(d[k].peer, v->cell->name, TESSERA_NAME_LEN))
				return DOORBELL;
	}
	return IPI;
}

static void irq_inject(struct fi_slot *s, struct vcpu *v, struct hook_inject *inj)
{
	const uint64_t *p = s->f.params;
	unsigned int vec = (uint8_t)inj->event;
	uint64_t n;

	if (inj->kind != TESSERA_TRACE_IRQ_INTERRUPT || p[FP_interrupt_action] == SPURIOUS)
		return;
	if (s->held_vcpu == v && s->due_exits == ~0ULL && s->held_vector == vec) {
		/* the one this fault posted again (released or duplicated): it goes in untouched */
		s->held_vector = 0;
		s->held_vcpu = NULL;
		fi_settle(s);
		return;
	}
	if ((p[FP_interrupt_vector] && vec != p[FP_interrupt_vector]) ||
	    (p[FP_interrupt_source] != ANY && source_of(v, vec) != p[FP_interrupt_source]) ||
	    (s->held_vector && p[FP_interrupt_action] == DELAY) || !fi_pass(s, &n))
		return;
	switch (p[FP_interrupt_action]) {
	case DROP: inj->event = 0; break;
	case DELAY:
		inj->event = 0;
		s->held_vector = vec;
		s->held_vcpu = v;
		s->due_exits = p[FP_interrupt_delay_exits] ? p[FP_interrupt_delay_exits] : ~0ULL - 1;
		s->due_tsc = p[FP_interrupt_delay_us]
				     ? arch_timestamp() +
					       p[FP_interrupt_delay_us] * (arch_timestamp_hz() / 1000000)
				     : 0;
		break;
	default: /* DUPLICATE: delivered now, and once more when the guest can take it */
		arch_vcpu_post_irq(v, (uint8_t)vec, TESSERA_TRACE_IRQ_SRC_FAULT);
		s->held_vector = vec;
		s->held_vcpu = v;
		s->due_exits = ~0ULL;
		break;
	}
	fi_injected(s, v->cell, vec, p[FP_interrupt_action], n);
}

static void irq_at_exit(struct fi_slot *s, struct vcpu *v, struct vcpu_exit *e, bool fire)
{
	const uint64_t *p = s->f.params;

	(void)e;
	if (p[FP_interrupt_action] == SPURIOUS && fire) {
		arch_vcpu_post_irq(v, (uint8_t)p[FP_interrupt_vector], TESSERA_TRACE_IRQ_SRC_FAULT);
		fi_injected(s, v->cell, p[FP_interrupt_vector], SPURIOUS, s->exits);
		return;
	}
	/* A held (delayed) interrupt: released after its exits or its time. */
	if (!s->held_vector || s->held_vcpu != v || s->due_exits == ~0ULL)
		return;
	bool due = (p[FP_interrupt_delay_exits] && --s->due_exits == 0) ||
		   (s->due_tsc && arch_timestamp() >= s->due_tsc);
	if (!due)
		return;
	s->due_exits = ~0ULL; /* marks the next delivery of held_vector as this release */
	arch_vcpu_post_irq(v, (uint8_t)s->held_vector,
			   TESSERA_TRACE_IRQ_SRC_FAULT); /* the slot stays armed until it is delivered */
}

const struct fi_model_ops fi_ops_interrupt = {
	.points = HOOK_BIT(HOOK_INJECT) | HOOK_BIT(HOOK_RESULT),
	.at_exit = irq_at_exit,
	.inject = irq_inject,
};
