/*
 * The hypervisor side of tracing: the control block and per-CPU rings in the host channel, the trace hook
 * on the exit path and the enable masks (layout in abi/trace.h, API in tessera/trace.h); the block's mailbox
 * is the control ABI's (abi/control.h, core/control.c).
 *
 * Masks: trace_enabled[cell + 1] bit n records event n for that cell, trace_enabled[0] for the hypervisor
 * itself. They start from the boot options, so that a recording sees a cell's first exit; the mailbox and
 * the trace_control hypercall change them at run time. Each mask is one 64-bit word stored atomically;
 * writers on other CPUs see a change at their next trace point.
 *
 * Two CPUs can change the masks at once: CPU 0 carrying out a mailbox command (in its loop, and at each
 * exit it takes itself if it runs a cell) and a manager cell's CPU in the trace_control hypercall. Both
 * read-modify-write trace_enabled[] and the control block's copies, so masks_apply runs under a lock;
 * without it one CPU's change could overwrite the other's. The mailbox itself has one consumer, CPU 0.
 */
#include <tessera/arch.h>
#include <tessera/cell.h>
#include <tessera/cmdline_options.h>
#include <tessera/console.h>
#include <tessera/control.h>
#include <tessera/error.h>
#include <tessera/exit.h>
#include <tessera/hooks.h>
#include <tessera/results.h>
#include <tessera/spinlock.h>
#include <tessera/string.h>
#include <tessera/trace.h>

#include "catalog.h"
#include "exit_path.h"
#include "write.h"

#define CTL_ALIGN 4096
#define RING_MIN  256

uint64_t trace_enabled[TESSERA_TRACE_MAX_CELLS + 1];

/*
 * A CPU without a ring of its own (before trace_hv_init, or beyond the CPUs it set up) points at this
 * one, which is always full: its records are counted lost here and go nowhere. So trace points never test
 * for NULL (write.h). mask 0 makes it one byte long, which no record fits.
 */
static struct tessera_trace_ring_desc full_desc;
static struct trace_ring full_ring = {.desc = &full_desc, .mask = 0, .limit = 0};
struct trace_ring *trace_cpu_rings[TESSERA_TRACE_MAX_CPUS] = {[0 ... TESSERA_TRACE_MAX_CPUS - 1] =
								      &full_ring};

static struct trace_ring rings[TESSERA_TRACE_MAX_CPUS];
static struct tessera_trace_control *ctl;
static uint64_t valid_events; /* the catalog's ids */
static struct spinlock masks_lock = SPINLOCK_INIT;
/* The OR of every mask, kept by masks_apply: HOOK_TRACE_BIT is set while it is not 0. */
static uint64_t any_enabled;
/* On the exit path tracing is no hook client: it calls trace_hv_exit/result/entry directly while
 * HOOK_TRACE_BIT is set, so with all events off they cost nothing but the exit path's one test of the
 * armed mask; its client has the cell_state point only. The mailbox is the control ABI's
 * (core/control.c). Set once the masks may arm that bit. */
static bool hook_registered;

#ifndef TRACE_CLOCK_INLINE
uint64_t trace_clock(void)
{
	return arch_timestamp();
}
#endif

/* A malformed mask was named at boot (cmdline_report) and is ignored: dflt stays. */
static uint64_t option_hex(const char *cmdline, enum cmdline_id id, uint64_t dflt)
{
	struct cmdline_arg a;

	return cmdline_option(cmdline, id, &a) ? a.num : dflt;
}

static void masks_apply(bool enable, uint64_t events, uint64_t cells)
{
	uint64_t any = 0;

	spin_lock(&masks_lock);
	for (unsigned int i = 0; i <= TESSERA_TRACE_MAX_CELLS; i++) {
		bool selected = i == 0 ? cells & TESSERA_TRACE_CELLS_HV : (cells >> (i - 1)) & 1;
		uint64_t m = trace_enabled[i];
		if (selected) {
			m = enable ? m | events : m & ~events;
			__atomic_store_n(&trace_enabled[i], m, __ATOMIC_RELAXED);
			if (i > 0)
				__atomic_store_n(&ctl->cells[i - 1].enabled, m, __ATOMIC_RELAXED);
		}
		any |= m;
	}
	__atomic_store_n(&any_enabled, any, __ATOMIC_RELAXED);
	if (hook_registered)
		hooks_arm_trace(any != 0);
	spin_unlock(&masks_lock);
}

int64_t trace_hv_control(uint32_t op, uint64_t events, uint64_t cells)
{
	int64_t ret = 0;

	if (!ctl)
		return -HV_ENOTSUP;
	if ((op != TESSERA_CTL_TRACE_ENABLE && op != TESSERA_CTL_TRACE_DISABLE) || (events & ~valid_events))
		ret = -HV_EINVAL;
	else
		masks_apply(op == TESSERA_CTL_TRACE_ENABLE, events, cells);
	trace_point(trace_command, arch_cpu_id(), -1, op, (int32_t)ret, events, cells);
	return ret;
}

static void publish_counters(void)
{
	for (unsigned int i = 0; i < nr_cells && i < TESSERA_TRACE_MAX_CELLS; i++) {
		struct tessera_cell_stats stats, *s = &stats;
		struct tessera_trace_cell_info *ci = &ctl->cells[i];
		uint64_t total = 0;

		cell_stats_get(&cells[i], &stats);
		for (unsigned int r = 0; r < TESSERA_ER_COUNT && r < ARRAY_SIZE(ci->exits_by_reason); r++) {
			uint64_t n = __atomic_load_n(&s->exits[r], __ATOMIC_RELAXED);
			__atomic_store_n(&ci->exits_by_reason[r], n, __ATOMIC_RELAXED);
			total += n;
		}
		__atomic_store_n(&ci->exits, total, __ATOMIC_RELAXED);
		__atomic_store_n(&ci->violations, __atomic_load_n(&s->violations, __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
	}
}

void trace_hv_poll(void)
{
	if (!ctl)
		return;
	control_poll();
	publish_counters();
}

void trace_hv_finish(void)
{
	if (!ctl)
		return;
	control_poll();
	publish_counters();
	__atomic_store_n(&ctl->running, 0, __ATOMIC_RELEASE);
}

/* ---- the exit path's records ---- */

/* The events that depend on the exit's reason (a hypercall's comes after it was handled). */
__noinline void trace_exit_detail(struct vcpu *v, struct vcpu_exit *e)
{
	int cell = (int)v->cell->id;
	unsigned int cpu = v->cpu;

	switch (e->reason) {
	case TESSERA_ER_PIO:
		/* A granted port never exits (the I/O map lets it through), so every PIO exit is denied. */
		trace_point(pio, cpu, cell, e->pio.port, e->pio.size, e->pio.write, e->pio.string, 0,
			    e->pio.write ? e->pio.value : 0);
		break;
	case TESSERA_ER_MSR_READ:
	case TESSERA_ER_MSR_WRITE: {
		bool write = e->reason == TESSERA_ER_MSR_WRITE;
		trace_point(
			msr, cpu, cell, e->msr.index, write,
			cell_msr_allowed(v->cell, e->msr.index, write ? TESSERA_MSR_WRITE : TESSERA_MSR_READ),
			write ? e->msr.value : 0);
		break;
	}
	case TESSERA_ER_MMIO:
		trace_point(npf, cpu, cell, e->mem.gpa, e->mem.gla_valid ? e->mem.gla : 0, e->mem.write,
			    e->mem.exec, e->mem.in_walk);
		break;
	default: break;
	}
}

void trace_hv_exit(struct vcpu *v, struct vcpu_exit *e)
{
	trace_exit_inline(v, e);
}

void trace_hv_result(struct vcpu *v, struct vcpu_exit *e)
{
	trace_result_inline(v, e);
}

void trace_hv_entry(struct vcpu *v)
{
	trace_entry_inline(v);
}

/* The cell_state point's client: a cell's changes of state as cell_state events. */
static void trace_cell_state(struct cell *c, unsigned int state, int64_t status, void *ctx)
{
	(void)ctx;
	trace_point(cell_state, arch_cpu_id(), (int)c->id, c->id, state, status, c->name);
}

static const struct hook_client trace_hook = {
	.name = "trace",
	.cell_state = trace_cell_state,
};

/* ---- setup ---- */

static uint64_t pow2_floor(uint64_t x)
{
	uint64_t p = 1;

	while (p <= x / 2)
		p <<= 1;
	return x ? p : 0;
}

void trace_hv_init(const char *cmdline)
{
	unsigned int nr_cpus = MIN(arch_cpu_count(), (unsigned int)TESSERA_TRACE_MAX_CPUS);
	uint64_t size, hdr = ALIGN_UP(sizeof(*ctl), CTL_ALIGN), ring, results;
	struct cmdline_arg a;
	void *base;

	if (!arch_host_channel(&base, &size))
		return;
	if (size < hdr + nr_cpus * RING_MIN) {
		pr_warn("trace: host channel of %llu bytes is too small: tracing off",
			(unsigned long long)size);
		return;
	}
	/* The results page (core/results.c) at the channel's end, set aside before the rings take the rest. */
	results = results_hv_size(size - hdr);
	size -= results;
	trace_catalog_init();
	for (unsigned int i = 0; i < trace_event_count(); i++)
		valid_events |= 1ULL << trace_event_at(i)->id;
	ring = pow2_floor((size - hdr) / nr_cpus);
	/* The table's minimum for trace_ring is RING_MIN; a smaller or malformed one was named at boot. */
	if (cmdline_option(cmdline, CMDLINE_TRACE_RING, &a) && a.num >= RING_MIN)
		ring = MIN(ring, pow2_floor(a.num));

	ctl = base;
	memset(ctl, 0, sizeof(*ctl));
	ctl->version = TESSERA_TRACE_VERSION;
	ctl->header_size = sizeof(*ctl);
	ctl->total_size = hdr + nr_cpus * ring;
	if (results_hv_init((uint8_t *)base + size, size, results)) {
		ctl->results_offset = size;
		ctl->total_size = size + results;
	}
	ctl->nr_cpus = nr_cpus;
	ctl->nr_cells = MIN(nr_cells, (unsigned int)TESSERA_TRACE_MAX_CELLS);
	ctl->tsc_hz = arch_timestamp_hz();
	ctl->catalog_hash = trace_catalog_hash();
	for (unsigned int c = 0; c < nr_cpus; c++) {
		uint64_t off = hdr + c * ring;
		trace_ring_init(&rings[c], &ctl->rings[c], (uint8_t *)base + off, ring, off);
	}
	for (unsigned int i = 0; i < ctl->nr_cells; i++) {
		for (unsigned int k = 0; k < TESSERA_TRACE_NAME_LEN - 1 && cells[i].name[k]; k++)
			ctl->cells[i].name[k] = cells[i].name[k];
		for (unsigned int k = 0; k < cells[i].nr_vcpus; k++)
			ctl->cells[i].cpus |= 1ULL << cells[i].vcpus[k]->cpu;
	}
	uint64_t events = option_hex(cmdline, CMDLINE_TRACE_EVENTS, valid_events) & valid_events;
	uint64_t cellmask = option_hex(cmdline, CMDLINE_TRACE_CELLS, ~0ULL);
	masks_apply(true, events, cellmask);
	control_attach(&ctl->mailbox);
	if (hooks_register(&trace_hook))
		pr_warn("trace: no room for the trace hook: no cell_state events");
	spin_lock(&masks_lock);
	hook_registered = true;
	hooks_arm_trace(any_enabled != 0);
	spin_unlock(&masks_lock);
	ctl->tsc_offset = arch_timestamp();
	ctl->running = 1;
	for (unsigned int c = 0; c < nr_cpus; c++)
		trace_cpu_rings[c] = &rings[c];
	/* The magic last: a reader that sees it sees a complete block. */
	__atomic_store_n(&ctl->magic, TESSERA_TRACE_MAGIC, __ATOMIC_RELEASE);
	pr_info("trace: %u rings of %llu bytes in the host channel, events %#llx, cells %#llx", nr_cpus,
		(unsigned long long)ring, (unsigned long long)events, (unsigned long long)cellmask);
}
