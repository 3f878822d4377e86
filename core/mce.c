/*
 * Machine checks in the core (mce.h): the hw_error hook's built-in client, the queue between #MC context
 * and normal context, and the actions.
 *
 * The queue is a small array of slots that any CPU claims with a compare-and-swap (free -> filling ->
 * ready), so that a producer never waits: an #MC handler may have interrupted anything, a drain or
 * another producer on its own CPU included. Records carry a sequence number and are handled in its
 * order. A full queue drops the record and counts it (the console line at shutdown says so).
 */
#include <tessera/arch.h>
#include <tessera/cell.h>
#include <tessera/config_check.h>
#include <tessera/console.h>
#include <tessera/hooks.h>
#include <tessera/mce.h>

#include "../trace/write.h"

#define MCE_QUEUE_LEN 32

enum { SLOT_FREE, SLOT_FILLING, SLOT_READY };

struct mce_slot {
	uint32_t state;
	uint64_t seq;
	struct mce_record r;
	int owner;
	uint8_t action;
};

static const struct tessera_config_header *config;
static struct mce_slot slots[MCE_QUEUE_LEN];
static uint64_t next_seq, lost;
static uint64_t counts[TESSERA_MCE_SEV_COUNT];
static uint32_t draining;
/* Slots READY: the idle loops' drain (every wake of a halted vCPU) reads one word, not the queue. */
static uint32_t nr_ready;

typedef unsigned long long ull;

uint64_t mce_count(unsigned int severity)
{
	return severity < TESSERA_MCE_SEV_COUNT ? __atomic_load_n(&counts[severity], __ATOMIC_RELAXED) : 0;
}

static const char *owner_name(int owner)
{
	return owner == MCE_OWNER_HV ? "hypervisor" : config_cells(config)[owner].name;
}

/*
 * An uncorrected error in the hypervisor's own memory (or on a CPU no cell owns, with no address):
 * nothing can be sacrificed to contain it. The report is whole under the console lock when it can be
 * had in bounded time (the #MC may have interrupted a print on this CPU), then the machine stops with
 * the panic status (`tessera run` exits 1).
 */
static __noreturn void mce_panic(const struct mce_record *r)
{
	unsigned long flags;

	if (!console_lock_bounded(&flags))
		console_printf_locked("\n(console lock not released: reporting without it)\n");
	console_printf_locked("[cpu%u] PANIC: uncorrected machine check in the hypervisor (%s, %s)\n",
			      arch_cpu_id(), mce_severity_name(r->severity),
			      r->software ? "synthesized by a fault plan" : "from the hardware");
	console_printf_locked("[cpu%u] MCE cpu %u bank %u status %#llx addr %#llx misc %#llx mcg_status "
			      "%#llx\n",
			      arch_cpu_id(), r->cpu, r->bank, (ull)r->status, (ull)r->addr, (ull)r->misc,
			      (ull)r->mcg_status);
	console_printf_locked("[cpu%u] MCE owner: the hypervisor (%s); no cell can be stopped in its place\n",
			      arch_cpu_id(),
			      r->addr_valid ? "the address is outside every cell's memory"
					    : "no address, and no "
					      "cell owns the CPU");
	arch_machine_stop(TESSERA_EXIT_PANIC);
}

static void enqueue(const struct mce_record *r, int owner, uint8_t action)
{
	for (unsigned int i = 0; i < MCE_QUEUE_LEN; i++) {
		uint32_t free = SLOT_FREE;
		struct mce_slot *s = &slots[i];
		if (!__atomic_compare_exchange_n(&s->state, &free, SLOT_FILLING, false, __ATOMIC_ACQUIRE,
						 __ATOMIC_RELAXED))
			continue;
		s->seq = __atomic_fetch_add(&next_seq, 1, __ATOMIC_RELAXED);
		s->r = *r;
		s->owner = owner;
		s->action = action;
		__atomic_store_n(&s->state, SLOT_READY, __ATOMIC_RELEASE);
		__atomic_fetch_add(&nr_ready, 1, __ATOMIC_RELEASE);
		return;
	}
	__atomic_fetch_add(&lost, 1, __ATOMIC_RELAXED);
}

/* The hw_error client: may run in #MC context, so it only decides, counts and queues (mce.h). */
static void mce_hw_error(const struct mce_record *r, void *ctx)
{
	int owner = mce_attribute(config, r);
	/* From the blob, not cells[]: a machine check may come before the cells are built. */
	uint32_t policy = owner == MCE_OWNER_HV ? TESSERA_MCE_STOP : config_cells(config)[owner].mce_policy;
	enum tessera_trace_mce_action action = mce_decide(r->severity, owner, policy);

	(void)ctx;
	if (r->severity < TESSERA_MCE_SEV_COUNT)
		__atomic_fetch_add(&counts[r->severity], 1, __ATOMIC_RELAXED);
	if (action == TESSERA_MCE_ACT_PANIC)
		mce_panic(r);
	enqueue(r, owner, (uint8_t)action);
}

static const struct hook_client mce_client = {
	.name = "mce",
	.hw_error = mce_hw_error,
};

void mce_init(const struct tessera_config_header *hdr)
{
	config = hdr;
	if (hooks_register(&mce_client))
		pr_err("mce: no room for the machine-check hook client: machine checks are not handled");
}

/* The vCPU a forwarded record goes to: the owner's on the CPU that took it, else the owner's first. */
static struct vcpu *forward_target(struct cell *c, uint32_t cpu)
{
	struct vcpu *v = vcpu_of_cpu(cpu);

	return v && v->cell == c ? v : c->vcpus[0];
}

/* The record as the cell sees it: its own guest-physical address, or none (mce_guest_addr). */
static void forward_record(struct mce_record *fwd, const struct mce_record *r, int owner)
{
	uint64_t gpa;

	*fwd = *r;
	if (r->addr_valid && mce_guest_addr(config, owner, r->addr, &gpa)) {
		fwd->addr = gpa;
		return;
	}
	fwd->addr_valid = false;
	fwd->addr = 0; /* and the arch's virtual status says so (x86: ADDRV clear) */
}

static void mce_act(const struct mce_slot *s)
{
	const struct mce_record *r = &s->r;
	struct mce_record fwd;
	struct cell *c = s->owner == MCE_OWNER_HV || s->owner >= (int)nr_cells ? NULL : &cells[s->owner];
	const char *sev = mce_severity_name(r->severity);

	trace_point(mce, arch_cpu_id(), s->owner, r->cpu, r->bank, r->status, r->addr, r->misc, r->severity,
		    s->owner, s->action, r->software);
	pr_info("MCE cpu %u bank %u status %#llx addr %#llx misc %#llx: %s, owner %s, action %s%s", r->cpu,
		r->bank, (ull)r->status, (ull)r->addr, (ull)r->misc, sev, owner_name(s->owner),
		mce_action_name(s->action), r->software ? " (synthesized)" : "");
	if (!c)
		return;
	switch (s->action) {
	case TESSERA_MCE_ACT_FORWARD:
		if (READ_ONCE(c->state) != TESSERA_CELL_RUNNING)
			break;
		forward_record(&fwd, r, s->owner);
		if (arch_vcpu_inject_mce(forward_target(c, r->cpu), &fwd))
			/* What the CPU does with a machine check while MCIP is set: shut down. */
			cell_stop(
				c, TESSERA_CELL_FAILED,
				"machine check (%s, bank %u) while the cell's previous one was in progress: "
				"shutdown",
				sev, r->bank);
		break;
	case TESSERA_MCE_ACT_RESTART:
		cell_restart(c, "machine check (%s, bank %u, status %#llx, addr %#llx)", sev, r->bank,
			     (ull)r->status, (ull)r->addr);
		break;
	case TESSERA_MCE_ACT_STOP:
		cell_stop(c, TESSERA_CELL_FAILED, "machine check (%s, bank %u, status %#llx, addr %#llx)",
			  sev, r->bank, (ull)r->status, (ull)r->addr);
		break;
	default: break;
	}
}

/* The ready slot with the lowest sequence number, or NULL. */
static struct mce_slot *oldest_ready(void)
{
	struct mce_slot *best = NULL;

	for (unsigned int i = 0; i < MCE_QUEUE_LEN; i++)
		if (__atomic_load_n(&slots[i].state, __ATOMIC_ACQUIRE) == SLOT_READY &&
		    (!best || slots[i].seq < best->seq))
			best = &slots[i];
	return best;
}

void mce_drain(void)
{
	struct mce_slot *s, copy;

	if (!__atomic_load_n(&nr_ready, __ATOMIC_ACQUIRE) ||
	    __atomic_exchange_n(&draining, 1, __ATOMIC_ACQUIRE))
		return;
	while ((s = oldest_ready())) {
		copy = *s;
		__atomic_store_n(&s->state, SLOT_FREE, __ATOMIC_RELEASE);
		__atomic_fetch_sub(&nr_ready, 1, __ATOMIC_RELEASE);
		mce_act(&copy);
	}
	__atomic_store_n(&draining, 0, __ATOMIC_RELEASE);
}

void mce_drain_all(void)
{
	while (oldest_ready()) {
		mce_drain();
		arch_cpu_relax();
	}
}

void mce_print_summary(void)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < TESSERA_MCE_SEV_COUNT; i++)
		total += mce_count(i);
	if (!total)
		return;
	pr_info("machine checks: %llu (corrected %llu, ucna %llu, action optional %llu, action required "
		"%llu, fatal %llu; %llu lost to a full queue)",
		(ull)total, (ull)mce_count(TESSERA_MCE_SEV_CORRECTED), (ull)mce_count(TESSERA_MCE_SEV_UCNA),
		(ull)mce_count(TESSERA_MCE_SEV_AO), (ull)mce_count(TESSERA_MCE_SEV_AR),
		(ull)mce_count(TESSERA_MCE_SEV_FATAL), (ull)__atomic_load_n(&lost, __ATOMIC_RELAXED));
}
