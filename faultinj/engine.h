/*
 * The engine's inside (engine.c), shared by the models' files (fi_*.c). A fault lives in a slot from the
 * plan at boot or a live injection (control ABI) until it is done or disarmed; the engine arms exactly
 * the hook points the armed slots' models need, so that with nothing armed it costs nothing.
 */
#ifndef TESSERA_FAULTINJ_ENGINE_H
#define TESSERA_FAULTINJ_ENGINE_H

#include <tessera/abi/fault_plan.h>
#include <tessera/cell.h>
#include <tessera/exit.h>
#include <tessera/hooks.h>

#include "models.h"

enum fi_state {
	FI_FREE = 0,
	FI_ARMED = 1,
	FI_DONE = 2, /* fired as often as it may, or disarmed: its counts stay for fi_status */
};

struct fi_slot {
	struct tessera_fault f;
	uint32_t state;	   /* enum fi_state */
	unsigned int id;   /* index in slots[] */
	uint64_t exits;	   /* target exits since arming (of the trigger's reason, if it has one) */
	uint64_t passes;   /* the model's passes since arming (fail point calls, interrupts, hypercalls) */
	uint64_t injected; /* faults injected */
	uint64_t armed_tsc;
	uint64_t prng;
	bool ready;		 /* an at-exit trigger (now, exit, icount, tsc) was reached */
	uint64_t deadline_vcpus; /* icount, tsc: bit n set once vCPU n was asked to exit at the deadline */
	/* Model state: a held interrupt (delay), a page taken away (memory_fault). */
	uint32_t held_vector;
	struct vcpu *held_vcpu;
	uint64_t due_exits, due_tsc; /* when the held interrupt goes in, or the page comes back */
	bool page_taken, restore_asked;
};

/* One model's engine: the points it needs and what it does at each (NULL: nothing). */
struct fi_model_ops {
	uint32_t points; /* HOOK_BIT mask */
	/* At each exit of a targeted vCPU, after the handler (the result point). `fire`: the at-exit
	 * trigger was reached at this exit and the fault may still fire. */
	void (*at_exit)(struct fi_slot *s, struct vcpu *v, struct vcpu_exit *e, bool fire);
	/* At the exit point, before the handler: may consume the exit. */
	enum hook_result (*exit)(struct fi_slot *s, struct vcpu *v, struct vcpu_exit *e);
	void (*inject)(struct fi_slot *s, struct vcpu *v, struct hook_inject *inj);
	int (*fail)(struct fi_slot *s, enum fail_site site, struct cell *c);
	/* Disarmed: undo what stays changed (a page taken away); from the target's CPU at its exit. */
	void (*undo)(struct fi_slot *s, struct vcpu *v);
};

#define FI_OPS_DECL(id, NAME, name, triggers, desc) extern const struct fi_model_ops fi_ops_##name;
TESSERA_FAULT_MODELS(FI_OPS_DECL)
#undef FI_OPS_DECL

/* The slot targets cell c (and vCPU v, when v is not NULL). */
bool fi_targets(const struct fi_slot *s, const struct cell *c, const struct vcpu *v);
/*
 * One pass of the model (a call, an interrupt, a hypercall): true when this one gets the fault, counted.
 * Under the engine's lock; `count` gets the pass number.
 */
bool fi_pass(struct fi_slot *s, uint64_t *count);
/* The fault was injected: the fault_inject event, the console line (the first few), the counters. */
void fi_injected(struct fi_slot *s, const struct cell *c, uint64_t target, uint64_t value, uint64_t count);
/* If the slot may not fire again and holds nothing (an interrupt, a page), it is done: its points are
 * disarmed unless another slot needs them. */
void fi_settle(struct fi_slot *s);
/* The config the hypervisor runs (for a model that looks at regions or doorbells). */
const struct tessera_config_header *fi_config(void);

#endif
