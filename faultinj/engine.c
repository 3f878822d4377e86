/*
 * The fault-injection engine (tessera/faultinj.h, engine.h): the slots, the triggers, the hook client and
 * the control commands. Models act in fi_*.c. Deterministic by construction: a decision depends only on
 * the plan, its seed and the order of the target's own exits and passes, which under QEMU's -icount
 * shift=0 repeat exactly (docs/faultinj.md, "Determinism").
 */
#include <tessera/boot_modules.h>
#include <tessera/console.h>
#include <tessera/error.h>
#include <tessera/faultinj.h>
#include <tessera/spinlock.h>
#include <tessera/string.h>

#include "../trace/write.h"
#include "engine.h"
#include "plan_check.h"

#define FI_LOG_FIRST 8 /* console lines per fault; every injection is traced and counted all the same */

static struct fi_slot slots[TESSERA_FAULT_MAX];
static struct spinlock fi_lock = SPINLOCK_INIT;
static const struct tessera_config_header *cfg;
static uint64_t seed;
static bool registered;
static const struct hook_client fi_hook;

static const struct fi_model_ops *const ops_by_id[16] = {
#define FI_OPS_ENTRY(id, NAME, name, triggers, desc) [id] = &fi_ops_##name,
	TESSERA_FAULT_MODELS(FI_OPS_ENTRY)
#undef FI_OPS_ENTRY
};

static const struct fi_model_ops *ops_of(const struct fi_slot *s)
{
	return s->f.model < ARRAY_SIZE(ops_by_id) ? ops_by_id[s->f.model] : NULL;
}

const struct tessera_config_header *fi_config(void)
{
	return cfg;
}

static bool at_exit_kind(uint32_t kind)
{
	return kind <= TESSERA_FT_TSC;
}

/* How often a fault may fire; 0: no limit. */
static uint64_t fire_cap(const struct fi_slot *s)
{
	uint32_t k = s->f.trigger.kind;

	if (s->f.trigger.times)
		return s->f.trigger.times;
	return k == TESSERA_FT_EVERY || k == TESSERA_FT_PROBABILITY ? 0 : 1;
}

static bool may_fire(const struct fi_slot *s)
{
	uint64_t cap = fire_cap(s);
	return !cap || s->injected < cap;
}

/* splitmix64: one 64-bit state per slot, from the plan's seed and the slot. */
static uint64_t prng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

bool fi_targets(const struct fi_slot *s, const struct cell *c, const struct vcpu *v)
{
	if (s->f.cell != TESSERA_FAULT_ANY && (!c || (int32_t)c->id != s->f.cell))
		return false;
	return !v || s->f.vcpu == TESSERA_FAULT_ANY || (int32_t)v->index == s->f.vcpu;
}

bool fi_pass(struct fi_slot *s, uint64_t *count)
{
	const struct tessera_fault_trigger *t = &s->f.trigger;
	bool fire = false;

	spin_lock(&fi_lock);
	uint64_t n = ++s->passes;
	if (s->state == FI_ARMED && may_fire(s)) {
		switch (t->kind) {
		case TESSERA_FT_NTH: fire = n >= t->value && n - t->value < fire_cap(s); break;
		case TESSERA_FT_EVERY: fire = n % t->value == 0; break;
		case TESSERA_FT_PROBABILITY: fire = (prng_next(&s->prng) >> 32) < t->value; break;
		default: fire = s->ready; break; /* at-exit kinds: every pass once the trigger was reached */
		}
	}
	spin_unlock(&fi_lock);
	*count = n;
	return fire;
}

/* Arm exactly the points the armed slots need (under fi_lock). */
static void rearm(void)
{
	uint32_t need = 0;

	for (unsigned int i = 0; i < TESSERA_FAULT_MAX; i++) {
		uint32_t k = slots[i].f.trigger.kind;
		if (slots[i].state == FI_ARMED && ops_of(&slots[i]))
			need |= ops_of(&slots[i])->points | (at_exit_kind(k) ? HOOK_BIT(HOOK_RESULT) : 0) |
				/* icount and tsc count from the target's start (fi_cell_state) */
				(k == TESSERA_FT_ICOUNT || k == TESSERA_FT_TSC ? HOOK_BIT(HOOK_CELL_STATE)
									       : 0);
	}
	if (!registered)
		return;
	hooks_arm(&fi_hook, ~need, false);
	hooks_arm(&fi_hook, need, true);
}

void fi_settle(struct fi_slot *s)
{
	spin_lock(&fi_lock);
	if (s->state == FI_ARMED && !may_fire(s) && !s->page_taken && !s->held_vector) {
		s->state = FI_DONE;
		rearm();
	}
	spin_unlock(&fi_lock);
}

void fi_injected(struct fi_slot *s, const struct cell *c, uint64_t target, uint64_t value, uint64_t count)
{
	uint64_t n;

	spin_lock(&fi_lock);
	n = ++s->injected;
	spin_unlock(&fi_lock);
	int cell = c ? (int)c->id : -1;
	trace_point(fault_inject, arch_cpu_id(), cell, s->f.model, s->id, s->f.trigger.kind,
		    (uint32_t)s->f.params[0], target, value, count, seed);
	/* The model's first parameter says what kind of fault it was (a site, an action, a register). */
	const struct fault_model_desc *m = fault_model_by_id(s->f.model);
	const char *what = m && m->nr_params ? fault_param_word(m->params[0].type, s->f.params[0]) : NULL;
	if (n <= FI_LOG_FIRST)
		pr_info("faultinj: fault %u (%s%s%s) injected into cell '%s': target %#llx value %#llx at %s "
			"%llu%s",
			s->id, fault_model_name(s->f.model), what ? " " : "", what ? what : "",
			c ? c->name : "-", (unsigned long long)target, (unsigned long long)value,
			at_exit_kind(s->f.trigger.kind) ? "exit" : "pass", (unsigned long long)count,
			n == FI_LOG_FIRST ? " (further ones only counted)" : "");
	fi_settle(s);
}

/* An at-exit trigger's progress at one exit of a targeted vCPU; true when it is reached now. */
static bool trigger_step(struct fi_slot *s, const struct vcpu_exit *e)
{
	const struct tessera_fault_trigger *t = &s->f.trigger;
	bool was = s->ready;

	if (t->kind == TESSERA_FT_EXIT && (!t->reason || e->reason == t->reason - 1))
		s->exits++;
	switch (t->kind) {
	case TESSERA_FT_NOW: s->ready = true; break;
	case TESSERA_FT_EXIT: s->ready = s->exits >= t->value; break;
	case TESSERA_FT_ICOUNT:
	case TESSERA_FT_TSC: s->ready = arch_timestamp() - s->armed_tsc >= t->value; break;
	default: break;
	}
	return s->ready && !was;
}

/* A time trigger's vCPU exits at the deadline itself, not at whatever exit comes after it. */
static void deadline_ask(struct fi_slot *s, struct vcpu *v)
{
	uint32_t k = s->f.trigger.kind;

	if ((k == TESSERA_FT_ICOUNT || k == TESSERA_FT_TSC) && !s->ready && v->index < 64 &&
	    !(s->deadline_vcpus & (1ULL << v->index))) {
		s->deadline_vcpus |= 1ULL << v->index;
		arch_vcpu_exit_at(v, s->armed_tsc + s->f.trigger.value);
	}
}

/* ---- the hook client ---- */

static enum hook_result fi_exit(struct vcpu *v, struct vcpu_exit *e, void *ctx)
{
	(void)ctx;
	for (unsigned int i = 0; i < TESSERA_FAULT_MAX; i++) {
		struct fi_slot *s = &slots[i];
		const struct fi_model_ops *o = ops_of(s);
		if (READ_ONCE(s->state) == FI_ARMED && o && o->exit && fi_targets(s, v->cell, v) &&
		    o->exit(s, v, e) == HOOK_CONSUMED)
			return HOOK_CONSUMED;
	}
	return HOOK_CONTINUE;
}

static void fi_result(struct vcpu *v, struct vcpu_exit *e, void *ctx)
{
	(void)ctx;
	for (unsigned int i = 0; i < TESSERA_FAULT_MAX; i++) {
		struct fi_slot *s = &slots[i];
		const struct fi_model_ops *o = ops_of(s);
		if (READ_ONCE(s->state) != FI_ARMED || !o || !fi_targets(s, v->cell, v))
			continue;
		if (s->restore_asked && o->undo) {
			o->undo(s, v);
			s->restore_asked = false;
			spin_lock(&fi_lock);
			s->state = FI_DONE;
			rearm();
			spin_unlock(&fi_lock);
			continue;
		}
		deadline_ask(s, v);
		bool fire = at_exit_kind(s->f.trigger.kind) && trigger_step(s, e) && may_fire(s);
		if (o->at_exit)
			o->at_exit(s, v, e, fire);
	}
}

static void fi_inject(struct vcpu *v, struct hook_inject *inj, void *ctx)
{
	(void)ctx;
	for (unsigned int i = 0; i < TESSERA_FAULT_MAX && inj->event; i++) {
		struct fi_slot *s = &slots[i];
		const struct fi_model_ops *o = ops_of(s);
		if (READ_ONCE(s->state) == FI_ARMED && o && o->inject && fi_targets(s, v->cell, v))
			o->inject(s, v, inj);
	}
}

static int fi_fail(enum fail_site site, struct cell *c, struct vcpu *v, void *ctx)
{
	(void)ctx;
	if (!c)
		c = v ? v->cell : cell_at_work();
	for (unsigned int i = 0; i < TESSERA_FAULT_MAX; i++) {
		struct fi_slot *s = &slots[i];
		const struct fi_model_ops *o = ops_of(s);
		int err;
		if (READ_ONCE(s->state) == FI_ARMED && o && o->fail && fi_targets(s, c, NULL) &&
		    (err = o->fail(s, site, c)))
			return err;
	}
	return 0;
}

/*
 * An icount or tsc trigger counts from the later of its arming and its target cell's start: a boot's plan
 * is armed before the cells are built and a many-per-boot experiment's fault before every cell of the
 * command is prepared, so counting from arming put the boot's (or the preparation's) own work into the
 * count, and the same experiment landed elsewhere in the two modes. Called as the cell becomes running,
 * before any of its vCPUs is released, so no exit of the target races with it.
 */
static void fi_cell_state(struct cell *c, unsigned int state, int64_t status, void *ctx)
{
	(void)status;
	(void)ctx;
	if (state != TESSERA_CELL_RUNNING)
		return;
	for (unsigned int i = 0; i < TESSERA_FAULT_MAX; i++) {
		struct fi_slot *s = &slots[i];
		uint32_t k = s->f.trigger.kind;
		if (READ_ONCE(s->state) == FI_ARMED && (k == TESSERA_FT_ICOUNT || k == TESSERA_FT_TSC) &&
		    !s->ready && !s->injected && fi_targets(s, c, NULL)) {
			s->armed_tsc = arch_timestamp();
			s->deadline_vcpus = 0; /* each vCPU asks for the new deadline at its next exit */
		}
	}
}

static const struct hook_client fi_hook = {
	.name = "faultinj",
	.exit = fi_exit,
	.result = fi_result,
	.inject = fi_inject,
	.cell_state = fi_cell_state,
	.fail = fi_fail,
};

/* ---- arming, the control commands, boot ---- */

/*
 * Under fi_lock: the slot a new fault goes into (a free one, else the oldest done one), or NULL. `reuse`:
 * the lowest one not armed, so that after a disarm of all the fault is slot 0 as a plan's first is
 * (a many-per-boot experiment's console then reads as its boot's would).
 */
static struct fi_slot *slot_for_new(bool reuse)
{
	for (unsigned int i = 0; reuse && i < TESSERA_FAULT_MAX; i++)
		if (slots[i].state != FI_ARMED)
			return &slots[i];
	for (unsigned int i = 0; i < TESSERA_FAULT_MAX; i++)
		if (slots[i].state == FI_FREE)
			return &slots[i];
	for (unsigned int i = 0; i < TESSERA_FAULT_MAX; i++)
		if (slots[i].state == FI_DONE)
			return &slots[i];
	return NULL;
}

static void slot_arm(struct fi_slot *s, const struct tessera_fault *f, uint64_t with_seed)
{
	unsigned int id = (unsigned int)(s - slots);

	memset(s, 0, sizeof(*s));
	s->f = *f;
	s->id = id;
	s->prng = with_seed ^ ((uint64_t)(id + 1) * 0x9e3779b97f4a7c15ULL);
	s->armed_tsc = arch_timestamp();
	__atomic_store_n(&s->state, FI_ARMED, __ATOMIC_RELEASE);
}

static int64_t fi_inject_live(const struct tessera_control_request *req)
{
	struct tessera_fault f;

	if (!cfg)
		return -HV_ENOTSUP;
	if (req->payload_size != sizeof(f))
		return -HV_EINVAL;
	memcpy(&f, req->payload, sizeof(f));
	return faultinj_arm(&f, seed, false);
}

int64_t faultinj_arm(const struct tessera_fault *fault, uint64_t with_seed, bool reuse)
{
	struct tessera_fault f = *fault;
	struct fault_plan_error err;

	if (!cfg)
		return -HV_ENOTSUP;
	spin_lock(&fi_lock);
	struct fi_slot *s = slot_for_new(reuse);
	int64_t ret = s ? (int64_t)(s - slots) : -HV_ENOMEM;
	if (s && fault_check(&f, (int)ret, cfg, &err)) {
		pr_warn("faultinj: live fault refused: %s", err.message);
		ret = err.code;
	} else if (s) {
		slot_arm(s, &f, with_seed);
		rearm();
	}
	spin_unlock(&fi_lock);
	if (ret >= 0)
		pr_info("faultinj: fault %lld (%s) armed live", (long long)ret, fault_model_name(f.model));
	return ret;
}

/* Under fi_lock. A slot that changed something that stays (a page) gives it back first, at its target's
 * next exit: the slot stays armed until then. */
static void slot_disarm(struct fi_slot *s)
{
	if (s->state != FI_ARMED)
		return;
	if (s->page_taken) {
		s->restore_asked = true;
		return;
	}
	s->held_vector = 0;
	s->state = FI_DONE;
}

int64_t faultinj_control(uint32_t op, struct tessera_control_request *req)
{
	uint64_t i = req->args[0];
	int64_t ret = 0;

	switch (op) {
	case TESSERA_CTL_FI_INJECT: return fi_inject_live(req);
	case TESSERA_CTL_FI_DISARM:
		if (i != ~0ULL && i >= TESSERA_FAULT_MAX)
			return -HV_ENOENT;
		spin_lock(&fi_lock);
		for (unsigned int k = 0; k < TESSERA_FAULT_MAX; k++)
			if (i == ~0ULL || i == k)
				slot_disarm(&slots[k]);
		rearm();
		spin_unlock(&fi_lock);
		return 0;
	case TESSERA_CTL_FI_STATUS:
		if (i >= TESSERA_FAULT_MAX)
			return -HV_ENOENT;
		spin_lock(&fi_lock);
		ret = slots[i].state;
		req->args[1] = slots[i].injected;
		req->args[2] = slots[i].passes;
		req->args[3] = slots[i].f.model;
		spin_unlock(&fi_lock);
		return ret;
	default: return -HV_EINVAL;
	}
}

void faultinj_boot(const struct boot_info *info, const struct tessera_config_header *hdr)
{
	const struct boot_module *m = boot_module_find(info, TESSERA_FAULT_PLAN_MODULE);
	struct fault_plan_error err;

	cfg = hdr;
	if (hooks_register(&fi_hook)) {
		pr_warn("faultinj: no room for the engine's hook client: fault injection off");
		cfg = NULL;
		if (m) {
			pr_err("config: fault plan '%s' cannot be armed", TESSERA_FAULT_PLAN_MODULE);
			arch_machine_stop(TESSERA_EXIT_BAD_CONFIG);
		}
		return;
	}
	spin_lock(&fi_lock);
	registered = true;
	rearm(); /* nothing armed yet: registering armed every point the client has */
	spin_unlock(&fi_lock);
	if (!m)
		return;
	const void *blob = (const void *)(uintptr_t)m->start;
	if (fault_plan_check(blob, m->size, hdr, &err)) {
		if (err.fault >= 0)
			pr_err("config: fault plan: fault %d: %s", err.fault, err.message);
		else
			pr_err("config: %s", err.message);
		arch_machine_stop(TESSERA_EXIT_BAD_CONFIG);
	}
	const struct tessera_fault_plan_header *h = blob;
	seed = h->seed;
	spin_lock(&fi_lock);
	for (uint32_t i = 0; i < h->nr_faults; i++)
		slot_arm(&slots[i], &fault_plan_faults(h)[i], seed);
	rearm();
	spin_unlock(&fi_lock);
	pr_info("faultinj: plan of %u faults armed, seed %#llx", h->nr_faults, (unsigned long long)seed);
}

void faultinj_report(void)
{
	for (unsigned int i = 0; i < TESSERA_FAULT_MAX; i++) {
		const struct fi_slot *s = &slots[i];
		if (s->state == FI_FREE)
			continue;
		pr_info("faultinj: fault %u (%s): %llu injected, %llu passes, %llu exits seen", i,
			fault_model_name(s->f.model), (unsigned long long)s->injected,
			(unsigned long long)s->passes, (unsigned long long)s->exits);
	}
}
