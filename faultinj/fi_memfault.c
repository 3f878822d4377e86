/*
 * Model 5, memory_fault (models/memory_fault.h): at the trigger the 4 KiB page at `addr` is remapped in
 * the cell's second-stage map not-present or read-only (a large page is split around it); after
 * duration_exits exits of the vCPU or duration_us, or when the fault is disarmed, it is mapped again as
 * the config has it. Both changes happen at an exit of the target vCPU, on its own CPU, which then drops
 * what it cached of the map. An access meanwhile is a nested page fault outside the cell's rights: a
 * violation, handled by the cell's on_violation policy. Other vCPUs of the cell may keep a stale
 * translation until their next flush (a one-vCPU cell, or vcpu: N, sees it exactly).
 */
#include <tessera/arch.h>
#include <tessera/config_check.h>
#include <tessera/console.h>
#include <tessera/error.h>
#include <tessera/pgtable.h>

#include "engine.h"

#define PAGE_4K 4096ULL

/* The config's flags for the page (its region's), as second-stage flags. */
static unsigned int config_flags(const struct cell *c, uint64_t gpa)
{
	for (uint32_t i = 0; i < c->cfg->memory_count; i++)
		if (gpa >= c->mem[i].guest && gpa - c->mem[i].guest < c->mem[i].size)
			return arch_stage2_flags(cell_memory_pgflags(c->mem[i].flags));
	return 0;
}

static void page_restore(struct fi_slot *s, struct vcpu *v)
{
	struct cell *c = v->cell;
	uint64_t gpa = s->f.params[FP_memory_fault_addr] & ~(PAGE_4K - 1);
	uint64_t pa = 0;

	for (uint32_t i = 0; i < c->cfg->memory_count; i++)
		if (gpa >= c->mem[i].guest && gpa - c->mem[i].guest < c->mem[i].size)
			pa = c->mem[i].phys + (gpa - c->mem[i].guest);
	if (pgtable_map(&c->stage2, gpa, pa, PAGE_4K, config_flags(c, gpa)))
		pr_err("faultinj: fault %u: cannot map page %#llx of cell '%s' again", s->id,
		       (unsigned long long)gpa, c->name);
	arch_vcpu_stage2_changed(v);
	s->page_taken = false;
	pr_info("faultinj: fault %u: page %#llx of cell '%s' restored", s->id, (unsigned long long)gpa,
		c->name);
}

static void memory_fault(struct fi_slot *s, struct vcpu *v, struct vcpu_exit *e, bool fire)
{
	const uint64_t *p = s->f.params;
	struct cell *c = v->cell;
	uint64_t gpa = p[FP_memory_fault_addr] & ~(PAGE_4K - 1), pa;
	unsigned int flags, level;

	(void)e;
	if (s->page_taken) {
		bool due = (p[FP_memory_fault_duration_exits] && --s->due_exits == 0) ||
			   (s->due_tsc && arch_timestamp() >= s->due_tsc);
		if (due) {
			page_restore(s, v);
			fi_settle(s);
		}
		return;
	}
	if (!fire || pgtable_walk(&c->stage2, gpa, &pa, &flags, &level))
		return;
	pa &= ~(PAGE_4K - 1);
	int err = p[FP_memory_fault_mode] == MEM_NOT_PRESENT
			  ? pgtable_unmap(&c->stage2, gpa, PAGE_4K)
			  : pgtable_map(&c->stage2, gpa, pa, PAGE_4K, config_flags(c, gpa) & ~PGF_WRITE);
	if (err) {
		pr_err("faultinj: fault %u: cannot change page %#llx of cell '%s': %s", s->id,
		       (unsigned long long)gpa, c->name, hv_strerror(err));
		return;
	}
	arch_vcpu_stage2_changed(v);
	s->page_taken = true;
	s->due_exits = p[FP_memory_fault_duration_exits];
	s->due_tsc =
		p[FP_memory_fault_duration_us]
			? arch_timestamp() + p[FP_memory_fault_duration_us] * (arch_timestamp_hz() / 1000000)
			: 0;
	fi_injected(s, c, gpa, p[FP_memory_fault_mode], s->exits);
}

const struct fi_model_ops fi_ops_memory_fault = {
	.points = HOOK_BIT(HOOK_RESULT),
	.at_exit = memory_fault,
	.undo = page_restore,
};
