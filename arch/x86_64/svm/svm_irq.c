/*
 * Interrupts for cells under SVM (docs/ivc.md): the virtual local APIC of each vCPU, emulated behind
 * its xAPIC page, and virtual interrupt injection.
 *
 * - The xAPIC page (guest-physical 0xfee00000) is never mapped in a cell's nested tables: every access
 *   exits (NPF), the instruction is decoded (apic/mmio_decode.c) and applied to the model
 *   (apic/vlapic.c). ICR writes are checked against the cell's CPUs before anything is sent.
 * - The physical LAPIC stays the hypervisor's. A vCPU's virtual timer is backed by the physical LAPIC
 *   timer of its CPU in one-shot mode (HV_TIMER_VECTOR); IPIs and doorbells from other CPUs post the
 *   vector (atomic OR) and send HV_KICK_VECTOR so that a running guest exits. Physical interrupts exit
 *   the guest (INTR intercept) and are taken by the host right after the exit, which EOIs them.
 * - Before each VMRUN the highest deliverable vector is injected through EVENTINJ when the guest can
 *   take it (IF=1, no interrupt shadow); otherwise a virtual interrupt request with the VINTR intercept
 *   brings the vCPU back as soon as it can. An injection the exit interrupted (EXITINTINFO) is
 *   injected again, so nothing is lost and nothing is delivered twice.
 * - Virtual NMI blocking, as the CPU does it: after an injected NMI no other is injected until the guest
 *   has executed an IRET. EVENTINJ ignores blocking, so the hypervisor keeps the state (nmi_block[]): an
 *   injection sets it and the IRET intercept; the intercepted IRET (the exit comes before it runs) only
 *   records its RIP; the first exit after it with a different RIP unblocks. While an NMI waits for that
 *   exit, the physical timer is armed NMI_WINDOW_US ahead so that it comes soon (docs/ivc.md, "NMIs").
 * - Every write of EVENTINJ is an irq_inject trace event (svm_trace_inject), with its kind: interrupt,
 *   NMI, re-injection here, fault in svm_vcpu.c.
 */
#include <tessera/arch.h>
#include <tessera/cell.h>
#include <tessera/console.h>
#include <tessera/exit.h>
#include <tessera/hooks.h>
#include <tessera/mce.h>
#include <tessera/pgtable.h>
#include <tessera/string.h>
#include "../../../trace/write.h"
#include "../apic/mmio_decode.h"
#include "../apic/vlapic.h"
#include "../config_platform.h"
#include "../lapic.h"
#include "../mce.h"
#include "svm.h"
#include "vmcb.h"

#define GUEST_APIC_PAGE X86_GUEST_LAPIC_PAGE
#define RFLAGS_IF	(1ULL << 9)
#define V_IRQ		(1u << 8)
#define V_IGN_TPR	(1u << 20)
#define VMCB_V_VECTOR	0x064
#define INTERCEPT_VINTR (1u << 4)
#define EVTINJ_NMI	(2u << 8)

#define NMI_WINDOW_US 20 /* how soon after the IRET a waiting NMI is injected, at most (plus exit costs) */

static struct vlapic vlapics[HV_MAX_CPUS];
static uint64_t armed_deadline[HV_MAX_CPUS];

static struct vlapic *vlapic_of(const struct vcpu *v)
{
	return &vlapics[v->cpu];
}

struct vlapic *svm_vlapic(unsigned int cpu)
{
	return &vlapics[cpu];
}

uint64_t arch_vcpu_timer_hz(void)
{
	return arch_timestamp_hz(); /* the virtual APIC timer counts at the TSC rate (before its divider) */
}

struct x86_cpu;
struct x86_cpu *x86_cpu_get(unsigned int id);
uint32_t x86_cpu_apic_id(unsigned int cpu);

static uint32_t apic_id_of_cpu(unsigned int cpu)
{
	return x86_cpu_apic_id(cpu);
}

/* The APIC IDs of the cell's CPUs, as a bitmap. */
static uint64_t cell_apic_ids(const struct cell *c)
{
	uint64_t ids = 0;

	for (unsigned int i = 0; i < c->nr_vcpus; i++)
		ids |= 1ULL << (apic_id_of_cpu(c->vcpus[i]->cpu) & 63);
	return ids;
}

static struct vcpu *vcpu_of_apic_id(const struct cell *c, uint32_t id)
{
	for (unsigned int i = 0; i < c->nr_vcpus; i++)
		if (apic_id_of_cpu(c->vcpus[i]->cpu) == id)
			return c->vcpus[i];
	return NULL;
}

void svm_s2cache_flush(struct svm_vcpu *s)
{
	for (unsigned int i = 0; i < SVM_S2CACHE_PAGES; i++)
		s->s2cache.gpa[i] = ~0ULL;
	s->s2cache.next = 0;
}

void svm_irq_reset(struct vcpu *v)
{
	((struct svm_vcpu *)v->arch)->vlapic = vlapic_of(v);
	svm_s2cache_flush(v->arch);
	vlapic_reset(vlapic_of(v), apic_id_of_cpu(v->cpu), arch_timestamp_hz(), arch_vcpu_timer_hz());
	armed_deadline[v->cpu] = 0;
	((struct svm_vcpu *)v->arch)->nmi = (struct nmi_block){.state = NMI_OPEN};
	((struct svm_vcpu *)v->arch)->exit_deadline = 0;
	vlapic_set_dirty(vlapic_of(v));
}

/* An NMI can be injected now: one is pending and NMIs are not blocked. */
static bool nmi_deliverable(const struct vcpu *v)
{
	return __atomic_load_n(&vlapic_of(v)->nmi_pending, __ATOMIC_ACQUIRE) &&
	       ((const struct svm_vcpu *)v->arch)->nmi.state == NMI_OPEN;
}

/*
 * The irq_post record of a vector posted to v from this CPU: written before the post, so that it comes
 * before the target's injection in time order; on this CPU's ring, about the target cell. Out of line
 * and called only once the event is known to be on: inline, its code cost the emulated ICR write 30
 * instructions with tracing off (registers saved for it, the CPU id read early).
 */
static __noinline void trace_post(const struct vcpu *v, uint8_t vector, unsigned int source)
{
	trace_point(irq_post, arch_cpu_id(), (int)v->cell->id, v->cell->id, (uint16_t)v->index,
		    (uint16_t)v->cpu, vector, (uint8_t)source);
}

static inline bool trace_post_on(const struct vcpu *v)
{
	return trace_is_enabled(TESSERA_TRACE_EV_irq_post, (int)v->cell->id);
}

static inline void post_and_kick(struct vcpu *v, uint8_t vector)
{
	vlapic_post(vlapic_of(v), vector);
	if (v->cpu != arch_cpu_id())
		arch_vcpu_kick(v->cpu);
}

static __noinline void post_traced(struct vcpu *v, uint8_t vector, unsigned int source)
{
	trace_post(v, vector, source);
	post_and_kick(v, vector);
}

void arch_vcpu_post_irq(struct vcpu *v, uint8_t vector, unsigned int source)
{
	if (trace_post_on(v))
		post_traced(v, vector, source);
	else
		post_and_kick(v, vector);
}

/* The owner's sync of its vLAPIC, with the post record of a timer tick it raised. */
static inline void vlapic_sync_traced(struct vcpu *v, struct vlapic *l, uint64_t now)
{
	int timer = vlapic_sync(l, now);

	if (unlikely(timer >= 0) && trace_post_on(v))
		trace_post(v, (uint8_t)timer, TESSERA_TRACE_IRQ_SRC_TIMER);
}

void arch_vcpu_kick(unsigned int cpu)
{
	lapic_send_ipi(apic_id_of_cpu(cpu), HV_KICK_VECTOR);
}

/* Arm this CPU's physical timer for deadline `dl` (TSC; 0: none), only when it changed. */
static void timer_arm(struct vcpu *v, uint64_t now, uint64_t dl)
{
	uint64_t hz = lapic_timer_hz(), tsc_hz = arch_timestamp_hz();

	/* Re-arm when the deadline moved, or when the timer already fired (early, by rounding). */
	if (dl == armed_deadline[v->cpu] && (!dl || lapic_timer_current() != 0))
		return;
	armed_deadline[v->cpu] = dl;
	if (!dl || !hz || !tsc_hz) {
		lapic_timer_stop();
		return;
	}
	uint64_t d = dl > now ? dl - now : 0;
	uint64_t ticks = d < (1ULL << 32) ? d * hz / tsc_hz + 1 : d / (tsc_hz / hz ? tsc_hz / hz : 1);
	lapic_timer_oneshot(HV_TIMER_VECTOR, (uint32_t)MIN(MAX(ticks, 1), 0xffffffffULL));
}

static int fetch_insn(struct vcpu *v, struct svm_vcpu *s, uint64_t rip, uint8_t *buf, size_t *n);

/*
 * An interrupt about to be injected at the HLT of `sti; hlt` wakes it: resume after the HLT. Needed
 * because under TCG a physical interrupt can exit the guest between STI and HLT (V_INTR_MASKING ignores
 * the guest's interrupt shadow) and the shadow does not survive the exit: injecting at the HLT would run
 * the handler first and then halt, losing the wakeup that `sti; hlt` relies on. A plain HLT reached with
 * interrupts already on is left alone: on hardware the handler runs and the CPU then halts.
 */
static void skip_hlt(struct vcpu *v, struct svm_vcpu *s)
{
	uint64_t rip = vmcb_get(s->vmcb, VMCB_RIP);
	uint8_t code[MMIO_INSN_MAX];
	size_t n;

	if (rip && !fetch_insn(v, s, rip - 1, code, &n) && insn_is_sti_hlt(code, n))
		vmcb_set(s->vmcb, VMCB_RIP, rip + 1);
}

/* Sets EVENTINJ and traces it: every injection into a guest goes through here (and its hook point). */
void svm_inject(struct vcpu *v, struct svm_vcpu *s, uint64_t inj, unsigned int kind)
{
	if (hook_armed(HOOK_INJECT)) {
		struct hook_inject hi = {.event = inj, .kind = kind};
		hooks_run_inject(v, &hi);
		vlapic_set_dirty(vlapic_of(v)); /* a client may drop or delay it: decide again next time */
		if (!(hi.event & SVM_EVTINJ_VALID)) {
			/* Dropped: as if it never came. The vLAPIC took it in service: no EOI will end that. */
			if (kind == TESSERA_TRACE_IRQ_INTERRUPT)
				vlapic_unack(vlapic_of(v), (uint8_t)inj);
			return;
		}
		inj = hi.event;
	}
	vmcb_set(s->vmcb, VMCB_EVENT_INJ, inj);
	trace_point(irq_inject, v->cpu, (int)v->cell->id, (uint8_t)inj, (uint8_t)kind,
		    (uint8_t)((inj >> 8) & 7), (inj & SVM_EVTINJ_VALID_ERR) != 0, (uint32_t)(inj >> 32));
}

/*
 * Before VMRUN, when the vLAPIC is dirty (svm_vcpu.c tests that inline): deliver what is pending, or ask
 * to come back when the guest can take it, and keep the physical timer on the deadline. When nothing
 * changed since the last decision it still holds: a vector that could not be injected then left V_IRQ
 * and the VINTR intercept set, which bring the vCPU back (VINTR exits mark it dirty), and the physical
 * timer is still armed for the same deadline (its interrupt exits and marks it dirty).
 */
void svm_irq_prepare(struct vcpu *v, struct svm_vcpu *s)
{
	struct vlapic *l = vlapic_of(v);
	struct nmi_block *nb = &s->nmi;
	void *vmcb = s->vmcb;
	uint32_t ctl = (uint32_t)vmcb_read(vmcb, VMCB_INT_CTL, 4) & ~(V_IRQ | V_IGN_TPR | (0xfu << 16));
	uint32_t misc1 =
		(uint32_t)vmcb_read(vmcb, VMCB_INTERCEPT_MISC1, 4) & ~(INTERCEPT_VINTR | SVM_INTERCEPT_IRET);
	uint64_t now = arch_timestamp(), deadline;
	int vec;

	vlapic_take_dirty(l);
	vlapic_sync_traced(v, l, now);
	deadline = l->deadline;
	if (!(vmcb_get(vmcb, VMCB_EVENT_INJ) & SVM_EVTINJ_VALID) && s->reinject) {
		svm_inject(v, s, s->reinject, TESSERA_TRACE_IRQ_REINJECT);
		s->reinject = 0;
	}
	/* A forwarded machine check first: an exception, ahead of NMIs and interrupts (mce_vmce.c). */
	if (unlikely(__atomic_load_n(&s->vmce_pending, __ATOMIC_ACQUIRE))) {
		if (!(vmcb_get(vmcb, VMCB_EVENT_INJ) & SVM_EVTINJ_VALID) &&
		    __atomic_exchange_n(&s->vmce_pending, 0, __ATOMIC_ACQ_REL))
			svm_inject(v, s, 18 | SVM_EVTINJ_TYPE_EXC | SVM_EVTINJ_VALID, TESSERA_TRACE_IRQ_MCE);
		else
			vlapic_set_dirty(l); /* behind a re-injection: the next entry */
	}
	vec = vlapic_pending(l);
	if (!(vmcb_get(vmcb, VMCB_EVENT_INJ) & SVM_EVTINJ_VALID)) {
		bool can = (vmcb_get(vmcb, VMCB_RFLAGS) & RFLAGS_IF) && !(vmcb_get(vmcb, VMCB_INT_STATE) & 1);
		if (nmi_deliverable(v)) {
			/* Several NMIs sent before this one is taken make one, like the CPU's NMI latch. */
			__atomic_store_n(&l->nmi_pending, 0, __ATOMIC_RELAXED);
			nb->state = NMI_BLOCKED;
			svm_inject(v, s, 2 | EVTINJ_NMI | SVM_EVTINJ_VALID, TESSERA_TRACE_IRQ_NMI);
		} else if (vec >= 0 && can) {
			skip_hlt(v, s);
			vlapic_ack(l, (uint8_t)vec);
			svm_inject(v, s, (uint64_t)vec | SVM_EVTINJ_VALID, TESSERA_TRACE_IRQ_INTERRUPT);
			vec = vlapic_pending(l);
		}
	}
	if (vec >= 0) {
		/* Exit (VINTR) as soon as the guest could take the next one. */
		ctl |= V_IRQ | V_IGN_TPR | (0xfu << 16);
		vmcb_write(vmcb, VMCB_V_VECTOR, 1, (uint64_t)vec);
		misc1 |= INTERCEPT_VINTR;
	}
	if (nb->state == NMI_BLOCKED)
		misc1 |= SVM_INTERCEPT_IRET;
	if (nb->state == NMI_IRET_SEEN && __atomic_load_n(&l->nmi_pending, __ATOMIC_ACQUIRE)) {
		/* An NMI waits for the guest to get past its IRET: make sure an exit comes soon after. */
		uint64_t soon = now + arch_timestamp_hz() / (1000000 / NMI_WINDOW_US);
		deadline = deadline && deadline < soon ? deadline : soon;
	}
	if (s->exit_deadline) {
		/* A hook client's deadline (arch_vcpu_exit_at): the physical timer's interrupt is the exit. */
		if (s->exit_deadline <= now)
			s->exit_deadline = 0;
		else if (!deadline || s->exit_deadline < deadline)
			deadline = s->exit_deadline;
	}
	vmcb_write(vmcb, VMCB_INT_CTL, 4, ctl);
	vmcb_write(vmcb, VMCB_INTERCEPT_MISC1, 4, misc1);
	timer_arm(v, now, deadline);
}

/*
 * NMI blocking follows the guest's IRET: after an exit, only while NMIs are not open (svm_vcpu.c
 * tests that inline).
 */
void svm_nmi_after_exit(struct svm_vcpu *s)
{
	struct nmi_block *nb = &s->nmi;
	uint64_t rip = vmcb_get(s->vmcb, VMCB_RIP);

	/*
	 * The IRET intercept fires before the IRET runs, so unblocking there would let the next NMI in on
	 * top of the handler's frame. The IRET has retired once the guest's RIP is elsewhere (KVM's rule
	 * too). An IRET that returns to its own address (an NMI taken at that same IRET instruction) keeps
	 * NMIs blocked until the guest moves on: later, never early.
	 */
	if (nb->state == NMI_IRET_SEEN && rip != nb->iret_rip) {
		nb->state = NMI_OPEN;
		vlapic_set_dirty(s->vlapic); /* a waiting NMI can go in now */
	}
	if ((uint32_t)vmcb_get(s->vmcb, VMCB_EXIT_CODE) == SVM_EXIT_IRET && nb->state == NMI_BLOCKED) {
		nb->state = NMI_IRET_SEEN;
		nb->iret_rip = rip;
		vlapic_set_dirty(s->vlapic);
	}
}

#define IDLE_MAX_US 1000 /* a halted vCPU looks at its stop flag at least this often */

bool arch_vcpu_wait_irq(struct vcpu *v)
{
	struct vlapic *l = vlapic_of(v);
	struct svm_vcpu *s = v->arch;

	armed_deadline[v->cpu] = ~0ULL; /* the physical timer is used here: re-arm before the next run */
	vlapic_set_dirty(l);
	while (!READ_ONCE(v->stop)) {
		uint64_t now = arch_timestamp(), wait_us = IDLE_MAX_US;
		/* Checked with interrupts off: a kick that arrives after the check still ends the HLT. An
		 * interrupt may already be pending (raised while the guest had IF=0): it wakes it too. */
		vlapic_sync_traced(v, l, now);
		/* Machine checks: an #MC that woke this HLT queued its records; a corrected error waits
		 * in the banks (mce.c). */
		arch_mce_poll();
		mce_drain();
		if (vlapic_pending(l) >= 0 || nmi_deliverable(v) || s->reinject ||
		    __atomic_load_n(&s->vmce_pending, __ATOMIC_ACQUIRE)) {
			/* HLT ends an STI shadow: the interrupt is taken right away. */
			vmcb_set(s->vmcb, VMCB_INT_STATE, 0);
			return true;
		}
		if (l->deadline && l->deadline > now) {
			uint64_t left_us = (l->deadline - now) * 1000000 / arch_timestamp_hz();
			wait_us = MIN(wait_us, left_us + 1);
		}
		arch_cpu_idle_us(wait_us);
	}
	return false;
}

static uint64_t *gpr(struct svm_vcpu *s, unsigned int reg, uint64_t *scratch)
{
	if (reg == X86_REG_RAX || reg == X86_REG_RSP) {
		*scratch = vmcb_get(s->vmcb, reg == X86_REG_RAX ? VMCB_RAX : VMCB_RSP);
		return scratch;
	}
	return &s->gprs[svm_gpr_slot(reg)];
}

/*
 * The guest-physical page holding `gpa`, if the cell may read it (RAM, not a device region, readable in
 * its second-stage map), as a hypervisor pointer to the page; NULL otherwise. One walk per page, then
 * the vCPU's cache (svm.h; the few pages an instruction fetch needs: the guest's four table levels and
 * the code page).
 */
static const uint8_t *s2_read_page(struct vcpu *v, struct svm_vcpu *s, uint64_t gpa)
{
	struct svm_s2cache *k = &s->s2cache;
	uint64_t page = gpa & ~(uint64_t)(PAGE_SIZE - 1), pa;
	unsigned int flags, level;

	for (unsigned int i = 0; i < SVM_S2CACHE_PAGES; i++)
		if (k->gpa[i] == page)
			return (const uint8_t *)(uintptr_t)k->pa[i];
	if (pgtable_walk(&v->cell->stage2, page, &pa, &flags, &level) || (flags & PGF_DEVICE) ||
	    !(flags & PGF_READ))
		return NULL;
	unsigned int slot = k->next++ % SVM_S2CACHE_PAGES;
	k->gpa[slot] = page;
	k->pa[slot] = pa & ~(uint64_t)(PAGE_SIZE - 1);
	return (const uint8_t *)(uintptr_t)k->pa[slot];
}

/* Guest linear -> guest physical through the guest's 4-level tables (64-bit mode), read afresh. */
static bool guest_translate(struct vcpu *v, struct svm_vcpu *s, uint64_t cr3, uint64_t va, uint64_t *gpa)
{
	uint64_t table = cr3 & 0x000ffffffffff000ULL, e;

	for (int level = 3; level >= 0; level--) {
		unsigned int idx = (va >> (12 + 9 * level)) & 511;
		const uint8_t *t = s2_read_page(v, s, table);
		if (!t)
			return false;
		e = __atomic_load_n((const uint64_t *)(t + idx * 8), __ATOMIC_RELAXED);
		if (!(e & 1))
			return false;
		if (level > 0 && level < 3 && (e & 0x80)) {
			uint64_t size = 1ULL << (12 + 9 * level);
			*gpa = (e & 0x000fffffffffe000ULL & ~(size - 1)) | (va & (size - 1));
			return true;
		}
		table = e & 0x000ffffffffff000ULL;
	}
	*gpa = table | (va & 0xfff);
	return true;
}

static int fetch_insn(struct vcpu *v, struct svm_vcpu *s, uint64_t rip, uint8_t *buf, size_t *n)
{
	uint64_t cr3 = vmcb_get(s->vmcb, VMCB_CR3);
	size_t got = 0;

	while (got < MMIO_INSN_MAX) {
		uint64_t va = rip + got, gpa;
		size_t chunk = MIN((size_t)(PAGE_SIZE - (va & (PAGE_SIZE - 1))), MMIO_INSN_MAX - got);
		const uint8_t *page;
		if (!guest_translate(v, s, cr3, va, &gpa) || !(page = s2_read_page(v, s, gpa)))
			break;
		memcpy(buf + got, page + (gpa & (PAGE_SIZE - 1)), chunk);
		got += chunk;
	}
	*n = got;
	return got ? 0 : -1;
}

int svm_fetch_insn(struct vcpu *v, struct svm_vcpu *s, uint64_t rip, uint8_t *buf, size_t *n)
{
	return fetch_insn(v, s, rip, buf, n);
}

static void deliver_ipi(struct vcpu *v, struct vcpu_exit *exit, const struct vlapic_ipi *ipi)
{
	struct cell *c = v->cell;

	switch (ipi->kind) {
	case VLAPIC_IPI_FIXED:
	case VLAPIC_IPI_NMI:
		/* Only the targets' bits: a loop over all 64 IDs was a third of an emulated ICR write. */
		for (uint64_t left = ipi->targets; left; left &= left - 1) {
			unsigned int id = (unsigned int)__builtin_ctzll(left);
			struct vcpu *t = vcpu_of_apic_id(c, id);
			if (!t)
				continue;
			if (ipi->kind == VLAPIC_IPI_NMI) {
				if (trace_post_on(t))
					trace_post(t, 2, TESSERA_TRACE_IRQ_SRC_NMI);
				vlapic_post_nmi(vlapic_of(t));
				if (t != v)
					arch_vcpu_kick(t->cpu);
			} else {
				arch_vcpu_post_irq(t, ipi->vector, TESSERA_TRACE_IRQ_SRC_IPI);
			}
		}
		break;
	case VLAPIC_IPI_IGNORED: pr_debug("cell '%s' cpu %u: %s: ignored", c->name, v->cpu, ipi->why); break;
	default: break;
	}
	(void)exit;
}

bool arch_vcpu_emulate_mmio(struct vcpu *v, struct vcpu_exit *exit)
{
	struct svm_vcpu *s = v->arch;
	struct vlapic *l = vlapic_of(v);
	uint32_t off = (uint32_t)(exit->mem.gpa - GUEST_APIC_PAGE);
	struct mmio_insn insn;
	struct vlapic_ipi ipi;
	uint8_t code[MMIO_INSN_MAX];
	uint64_t scratch, *reg;
	size_t n;

	/* Only an instruction's own access is emulated: one made by an event's delivery (an IDT or stack in
	 * the APIC page; EXITINTINFO is set) is not the instruction at RIP's, and is refused. */
	if ((exit->mem.gpa & ~(PAGE_SIZE - 1)) != GUEST_APIC_PAGE || exit->mem.exec || exit->mem.in_walk ||
	    s->reinject)
		return false;
	if (fetch_insn(v, s, exit->pc, code, &n) || mmio_insn_decode(code, n, &insn) ||
	    insn.write != exit->mem.write) {
		cell_violation(v, exit, VCPU_FAULT_GP,
			       "local APIC access at %#x by an instruction it cannot "
			       "emulate (only 32-bit mov)",
			       off);
		return true;
	}
	reg = gpr(s, insn.reg, &scratch);
	if (insn.write) {
		uint32_t value = insn.has_imm ? insn.imm : (uint32_t)*reg;
		if (!vlapic_write(l, off, value, arch_timestamp(), cell_apic_ids(v->cell), &ipi)) {
			cell_violation(v, exit, VCPU_FAULT_GP, "local APIC write to register %#x", off);
			return true;
		}
		if (ipi.kind == VLAPIC_IPI_REFUSED) {
			cell_violation(v, exit, VCPU_FAULT_GP, "IPI refused (ICR %#x dest %u): %s", value,
				       l->icr_hi >> 24, ipi.why);
			return true;
		}
		deliver_ipi(v, exit, &ipi);
	} else {
		uint32_t value;
		if (!vlapic_read(l, off, arch_timestamp(), &value)) {
			cell_violation(v, exit, VCPU_FAULT_GP, "local APIC read of register %#x", off);
			return true;
		}
		*reg = value; /* a 32-bit load zero-extends */
		if (reg == &scratch)
			vmcb_set(s->vmcb, insn.reg == X86_REG_RAX ? VMCB_RAX : VMCB_RSP, scratch);
	}
	vmcb_set(s->vmcb, VMCB_RIP, exit->pc + insn.len);
	return true;
}
