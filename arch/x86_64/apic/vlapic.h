/*
 * The virtual local APIC a cell's CPU programs through its xAPIC page (docs/ivc.md). Pure logic, no
 * hardware access, so that it is unit-tested on the host: the caller passes the time ("now", in TSC
 * ticks) and delivers what the model asks for (IPIs through vlapic_icr_decode's verdict).
 *
 * Concurrency: one vlapic belongs to one vCPU and only that vCPU's CPU touches it, except `incoming`,
 * where other CPUs post vectors with atomic OR; the owner drains it with atomic exchange
 * (vlapic_sync), so a vector posted any number of times before a drain is raised once and never lost.
 */
#ifndef TESSERA_X86_VLAPIC_H
#define TESSERA_X86_VLAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Register offsets in the xAPIC page */
#define APIC_ID	      0x020
#define APIC_VERSION  0x030
#define APIC_TPR      0x080
#define APIC_APR      0x090
#define APIC_PPR      0x0a0
#define APIC_EOI      0x0b0
#define APIC_RRD      0x0c0
#define APIC_LDR      0x0d0
#define APIC_DFR      0x0e0
#define APIC_SVR      0x0f0
#define APIC_ISR      0x100
#define APIC_TMR      0x180
#define APIC_IRR      0x200
#define APIC_ESR      0x280
#define APIC_LVT_CMCI 0x2f0
#define APIC_ICR_LO   0x300
#define APIC_ICR_HI   0x310
#define APIC_LVT_TMR  0x320
#define APIC_LVT_ERR  0x370
#define APIC_TMICT    0x380
#define APIC_TMCCT    0x390
#define APIC_TDCR     0x3e0

#define APIC_LVT_MASKED	   (1u << 16)
#define APIC_LVT_PERIODIC  (1u << 17)
#define APIC_SVR_ENABLE	   (1u << 8)
#define VLAPIC_MAX_BACKLOG 1000 /* periodic ticks kept for catch-up; older ones are dropped */

struct vlapic {
	uint32_t id; /* APIC ID (the physical CPU's) */
	uint32_t tpr, svr, ldr, dfr, esr, icr_lo, icr_hi;
	uint32_t lvt[8]; /* 0x2f0 CMCI, 0x320 timer ... 0x370 error: index (off - 0x320) / 16 + 1, CMCI 0 */
	uint32_t irr[8], isr[8];
	uint32_t timer_icr, timer_dcr;
	uint64_t deadline; /* "now" when the timer fires next, 0: not armed */
	uint64_t period;   /* "now" ticks between periodic firings */
	uint64_t now_hz;   /* rate of "now" */
	uint64_t bus_hz;   /* timer input clock before the divider */
	uint32_t nmi_pending;
	uint32_t timer_backlog; /* periodic ticks that came due while the previous one was undelivered */
	uint32_t incoming[8];	/* posted by other CPUs (atomic) */
	/*
	 * Something the injection decision depends on may have changed since the owner last made it: set
	 * by every source of change (a post from any CPU, an NMI, a register write, a reset here; the
	 * exits that mean a change, re-injections, NMI-blocking steps and HLT in svm_irq.c), cleared by
	 * the owner just before it decides again. While it is 0 the decision made last still holds, so
	 * the exit path skips it.
	 */
	uint32_t dirty;
};

/* What an ICR write asks for. */
enum vlapic_ipi_kind {
	VLAPIC_IPI_NONE = 0, /* nothing to deliver (e.g. ICR high written) */
	VLAPIC_IPI_FIXED,    /* vector to each CPU in `targets` */
	VLAPIC_IPI_NMI,
	VLAPIC_IPI_IGNORED, /* INIT / SIPI inside the cell: its CPUs were started by the hypervisor */
	VLAPIC_IPI_REFUSED, /* a violation: `why` says what */
};

struct vlapic_ipi {
	enum vlapic_ipi_kind kind;
	uint8_t vector;
	uint64_t targets; /* bit n = APIC ID n */
	const char *why;  /* for REFUSED and IGNORED */
};

void vlapic_reset(struct vlapic *l, uint32_t id, uint64_t now_hz, uint64_t bus_hz);

/* A 32-bit access at `offset` (16-byte aligned register). false: not a register (a violation). */
bool vlapic_read(struct vlapic *l, uint32_t offset, uint64_t now, uint32_t *value);
bool vlapic_write(struct vlapic *l, uint32_t offset, uint32_t value, uint64_t now, uint64_t cell_ids,
		  struct vlapic_ipi *ipi);

/* Decide an IPI: pure, from the ICR words, the sender's ID and the IDs of the cell's CPUs. */
void vlapic_icr_decode(uint32_t lo, uint32_t hi, uint32_t self, uint64_t cell_ids, struct vlapic_ipi *ipi);

/* Raise `vector` on this vLAPIC (owner CPU only). */
void vlapic_raise(struct vlapic *l, uint8_t vector);
/* Post `vector` from any CPU. */
void vlapic_post(struct vlapic *l, uint8_t vector);
/* Owner: move posted vectors into IRR and fire the timer if due; the timer vector it raised, else -1. */
int vlapic_sync(struct vlapic *l, uint64_t now);
/* The vector to deliver now (highest IRR above the processor priority), or -1. */
int vlapic_pending(const struct vlapic *l);
/* The CPU took `vector`: IRR -> ISR. */
void vlapic_ack(struct vlapic *l, uint8_t vector);
/* Undo vlapic_ack: an acknowledged vector that was not delivered after all (fault injection dropped it). */
void vlapic_unack(struct vlapic *l, uint8_t vector);
/*
 * IA32_APIC_BASE as the cell sees it: the xAPIC page at its fixed guest address, globally enabled, BSP for
 * the cell's boot CPU. A write is accepted only when it changes nothing: moving or disabling the APIC
 * (or enabling x2APIC, which the cell is not offered) is refused.
 */
uint64_t vlapic_apic_base(bool bsp);
bool vlapic_apic_base_write_ok(bool bsp, uint64_t value);
/* Post an NMI from any CPU (several before it is taken make one, as the CPU's NMI latch). */
void vlapic_post_nmi(struct vlapic *l);
/* Mark the injection decision stale (any CPU). */
static inline void vlapic_set_dirty(struct vlapic *l)
{
	__atomic_store_n(&l->dirty, 1, __ATOMIC_RELEASE);
}
static inline bool vlapic_is_dirty(const struct vlapic *l)
{
	return __atomic_load_n(&l->dirty, __ATOMIC_ACQUIRE) != 0;
}
/* Owner: take the dirty mark (true if it was set); what was posted before it is visible after. */
static inline bool vlapic_take_dirty(struct vlapic *l)
{
	return __atomic_exchange_n(&l->dirty, 0, __ATOMIC_ACQ_REL) != 0;
}
/* Anything posted by other CPUs not yet synced? */
bool vlapic_has_incoming(const struct vlapic *l);

#endif
