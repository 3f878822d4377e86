/*
 * Models 4, 7, 8: bit flips at an at-exit trigger (exit, icount, tsc, now), done at the result point of
 * that exit, so that they land in what the guest resumes with. register_flip: a guest register
 * (a hypercall's RAX and RIP are the result and the return address the arch writes after this point: the
 * flip goes there); memory_flip: a byte of guest memory through the cell's second-stage map;
 * hv_data_flip: a field of the hypervisor's own per-cell state (struct cell).
 */
#include <tessera/arch.h>
#include <tessera/pgtable.h>

#include "engine.h"

static void register_flip(struct fi_slot *s, struct vcpu *v, struct vcpu_exit *e, bool fire)
{
	enum guest_reg r = (enum guest_reg)s->f.params[FP_register_flip_reg];
	uint64_t bit = 1ULL << s->f.params[FP_register_flip_bit], old;

	if (!fire)
		return;
	if (e->reason == TESSERA_ER_HYPERCALL && r == GUEST_REG_RAX) {
		old = (uint64_t)e->hypercall.result;
		e->hypercall.result = (int64_t)(old ^ bit);
	} else if (e->reason == TESSERA_ER_HYPERCALL && r == GUEST_REG_RIP) {
		old = e->next_pc;
		e->next_pc ^= bit;
	} else if (arch_vcpu_reg_get(v, r, &old) || arch_vcpu_reg_set(v, r, old ^ bit)) {
		return;
	}
	fi_injected(s, v->cell, r, old ^ bit, s->exits);
}

static void memory_flip(struct fi_slot *s, struct vcpu *v, struct vcpu_exit *e, bool fire)
{
	uint64_t gpa = s->f.params[FP_memory_flip_addr], pa;
	unsigned int flags, level;

	(void)e;
	/* The walk, not cell_copy_to_guest: the engine's own access is no pass of the guest_copy fail
	 * point, and a page made read-only by a memory_fault can still be flipped. */
	if (!fire || pgtable_walk(&v->cell->stage2, gpa, &pa, &flags, &level))
		return;
	volatile uint8_t *b = (volatile uint8_t *)(uintptr_t)pa;
	*b ^= (uint8_t)(1u << s->f.params[FP_memory_flip_bit]);
	fi_injected(s, v->cell, gpa, *b, s->exits);
}

/* The field's address and width in bits. */
static void *hv_field(struct cell *c, uint64_t field, unsigned int *bits)
{
	switch (field) {
	case HVF_EXIT_STATUS: *bits = 64; return &c->exit_status;
	case HVF_GENERATION: *bits = 32; return (void *)&c->generation;
	case HVF_HALTED: *bits = 32; return &c->halted;
	default: *bits = 64; return &c->boot_area;
	}
}

static void hv_data_flip(struct fi_slot *s, struct vcpu *v, struct vcpu_exit *e, bool fire)
{
	unsigned int bits;
	void *p = hv_field(v->cell, s->f.params[FP_hv_data_flip_field], &bits);
	uint64_t bit = s->f.params[FP_hv_data_flip_bit] % bits, now;

	(void)e;
	if (!fire)
		return;
	if (bits == 32)
		now = *(volatile uint32_t *)p ^= (uint32_t)(1u << bit);
	else
		now = *(volatile uint64_t *)p ^= 1ULL << bit;
	fi_injected(s, v->cell, s->f.params[FP_hv_data_flip_field], now, s->exits);
}

const struct fi_model_ops fi_ops_register_flip = {.points = HOOK_BIT(HOOK_RESULT), .at_exit = register_flip};
const struct fi_model_ops fi_ops_memory_flip = {.points = HOOK_BIT(HOOK_RESULT), .at_exit = memory_flip};
const struct fi_model_ops fi_ops_hv_data_flip = {.points = HOOK_BIT(HOOK_RESULT), .at_exit = hv_data_flip};
