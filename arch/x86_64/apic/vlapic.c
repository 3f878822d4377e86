/*
 * The virtual local APIC model (vlapic.h): register file, priorities (IRR/ISR/TPR/PPR, EOI), the timer
 * in one-shot and periodic modes with the divide configuration, and the ICR decoder that keeps IPIs
 * inside the cell.
 */
#include <stddef.h>

#define MIN(a, b) ((a) < (b) ? (a) : (b))

#include "vlapic.h"

#define VERSION_VALUE 0x50014 /* version 0x14, 6 LVT entries (max LVT index 5) */

static void bit_set(uint32_t *v, unsigned int n)
{
	v[n / 32] |= 1u << (n % 32);
}

static void bit_clear(uint32_t *v, unsigned int n)
{
	v[n / 32] &= ~(1u << (n % 32));
}

static int bit_highest(const uint32_t *v)
{
	for (int w = 7; w >= 0; w--)
		if (v[w])
			return w * 32 + 31 - __builtin_clz(v[w]);
	return -1;
}

void vlapic_reset(struct vlapic *l, uint32_t id, uint64_t now_hz, uint64_t bus_hz)
{
	*l = (struct vlapic){
		.id = id, .svr = 0xff, .dfr = 0xffffffff, .now_hz = now_hz, .bus_hz = bus_hz, .dirty = 1};
	for (int i = 0; i < 8; i++)
		l->lvt[i] = APIC_LVT_MASKED;
}

static int lvt_index(uint32_t off)
{
	if (off == APIC_LVT_CMCI)
		return 0;
	if (off >= APIC_LVT_TMR && off <= APIC_LVT_ERR)
		return (int)(off - APIC_LVT_TMR) / 16 + 1;
	return -1;
}

static uint32_t timer_divide(uint32_t dcr)
{
	uint32_t v = (dcr & 3) | ((dcr & 8) >> 1);
	return v == 7 ? 1 : 2u << v;
}

/* a * b / c with a 128-bit intermediate (DIV takes it whole: no libgcc helper); saturates. */
static uint64_t muldiv(uint64_t a, uint64_t b, uint64_t c)
{
	unsigned __int128 p = (unsigned __int128)a * b;
	uint64_t hi = (uint64_t)(p >> 64), lo = (uint64_t)p, q, r;

	if (!c)
		return 0;
	if (hi >= c)
		return UINT64_MAX;
	__asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(c));
	(void)r;
	return q;
}

/* Timer ticks (at the input clock, before the divider) to "now" ticks, without overflowing. */
static uint64_t ticks_to_now(const struct vlapic *l, uint64_t ticks)
{
	return muldiv(ticks, l->now_hz, l->bus_hz);
}

static uint32_t timer_current(const struct vlapic *l, uint64_t now)
{
	uint64_t left;

	if (!l->deadline || now >= l->deadline)
		return 0;
	left = muldiv(l->deadline - now, l->bus_hz, l->now_hz) / timer_divide(l->timer_dcr);
	return left > l->timer_icr ? l->timer_icr : (uint32_t)left;
}

/* One timer period in "now" ticks (at least 1). */
static uint64_t timer_span(const struct vlapic *l)
{
	uint64_t span = ticks_to_now(l, (uint64_t)l->timer_icr * timer_divide(l->timer_dcr));
	return span ? span : 1;
}

static void timer_start(struct vlapic *l, uint64_t now)
{
	uint64_t span = timer_span(l);

	l->deadline = 0;
	l->period = 0;
	l->timer_backlog = 0;
	if (!l->timer_icr)
		return;
	if (!span)
		span = 1;
	l->deadline = now + span;
	if (l->lvt[1] & APIC_LVT_PERIODIC)
		l->period = span;
}

void vlapic_raise(struct vlapic *l, uint8_t vector)
{
	if (vector >= 16)
		bit_set(l->irr, vector);
}

void vlapic_post(struct vlapic *l, uint8_t vector)
{
	__atomic_fetch_or(&l->incoming[vector / 32], 1u << (vector % 32), __ATOMIC_RELEASE);
	vlapic_set_dirty(l); /* after the post: an owner that takes the mark sees the vector */
}

void vlapic_post_nmi(struct vlapic *l)
{
	__atomic_store_n(&l->nmi_pending, 1, __ATOMIC_RELEASE);
	vlapic_set_dirty(l);
}

bool vlapic_has_incoming(const struct vlapic *l)
{
	for (int w = 0; w < 8; w++)
		if (__atomic_load_n(&l->incoming[w], __ATOMIC_ACQUIRE))
			return true;
	return false;
}

int vlapic_sync(struct vlapic *l, uint64_t now)
{
	int raised = -1;

	for (int w = 0; w < 8; w++)
		if (__atomic_load_n(&l->incoming[w], __ATOMIC_RELAXED))
			l->irr[w] |= __atomic_exchange_n(&l->incoming[w], 0, __ATOMIC_ACQUIRE);
	if (l->deadline && now >= l->deadline) {
		uint32_t lvt = l->lvt[1];
		uint64_t due = 1;
		bool live = !(lvt & APIC_LVT_MASKED) && (l->svr & APIC_SVR_ENABLE);

		if (l->period) {
			/* Keep the phase, and count every period that came due: a vCPU that was not scheduled
			 * (TCG on a loaded host) gets its missed ticks back to back, so a guest counting ticks
			 * keeps time (like KVM's catch-up policy, unlike hardware, which would merge them). */
			due = (now - l->deadline) / l->period + 1;
			l->deadline += due * l->period;
		} else {
			l->deadline = 0;
		}
		if (live) {
			vlapic_raise(l, lvt & 0xff);
			raised = (int)(lvt & 0xff);
			l->timer_backlog = (uint32_t)MIN(l->timer_backlog + due - 1, VLAPIC_MAX_BACKLOG);
		}
	}
	/* One tick in IRR and one in service at most; the backlog refills IRR as they drain. */
	if (l->timer_backlog) {
		uint8_t vec = l->lvt[1] & 0xff;
		if (!(l->irr[vec / 32] & (1u << (vec % 32))) && !(l->isr[vec / 32] & (1u << (vec % 32)))) {
			vlapic_raise(l, vec);
			l->timer_backlog--;
			raised = vec;
		}
	}
	return raised;
}

static uint32_t ppr(const struct vlapic *l)
{
	int isr = bit_highest(l->isr);
	uint32_t isrv = isr < 0 ? 0 : (uint32_t)isr & 0xf0;
	return (l->tpr & 0xf0) >= isrv ? l->tpr & 0xff : isrv;
}

int vlapic_pending(const struct vlapic *l)
{
	int v = bit_highest(l->irr);

	if (v < 0 || !(l->svr & APIC_SVR_ENABLE))
		return -1;
	return ((uint32_t)v & 0xf0) > (ppr(l) & 0xf0) ? v : -1;
}

void vlapic_ack(struct vlapic *l, uint8_t vector)
{
	bit_clear(l->irr, vector);
	bit_set(l->isr, vector);
}

void vlapic_unack(struct vlapic *l, uint8_t vector)
{
	bit_clear(l->isr, vector);
}

bool vlapic_read(struct vlapic *l, uint32_t off, uint64_t now, uint32_t *value)
{
	int lvt = lvt_index(off);

	if (off & 0xf || off >= 0x400)
		return false;
	if (lvt >= 0) {
		*value = l->lvt[lvt];
		return true;
	}
	if (off >= APIC_ISR && off < APIC_ISR + 0x80) {
		*value = l->isr[(off - APIC_ISR) / 16];
		return true;
	}
	if (off >= APIC_TMR && off < APIC_TMR + 0x80) {
		*value = 0; /* edge-triggered only */
		return true;
	}
	if (off >= APIC_IRR && off < APIC_IRR + 0x80) {
		*value = l->irr[(off - APIC_IRR) / 16];
		return true;
	}
	switch (off) {
	case APIC_ID: *value = l->id << 24; break;
	case APIC_VERSION: *value = VERSION_VALUE; break;
	case APIC_TPR: *value = l->tpr; break;
	case APIC_APR: *value = 0; break;
	case APIC_PPR: *value = ppr(l); break;
	case APIC_EOI: *value = 0; break;
	case APIC_LDR: *value = l->ldr; break;
	case APIC_DFR: *value = l->dfr; break;
	case APIC_SVR: *value = l->svr; break;
	case APIC_ESR: *value = l->esr; break;
	case APIC_ICR_LO: *value = l->icr_lo & ~(1u << 12); break; /* never "send pending" */
	case APIC_ICR_HI: *value = l->icr_hi; break;
	case APIC_TMICT: *value = l->timer_icr; break;
	case APIC_TMCCT: *value = timer_current(l, now); break;
	case APIC_TDCR: *value = l->timer_dcr; break;
	default: return false;
	}
	return true;
}

#define ICR_MODE(lo)	   (((lo) >> 8) & 7)
#define ICR_LOGICAL	   (1u << 11)
#define ICR_SHORTHAND(lo)  (((lo) >> 18) & 3)
#define MODE_FIXED	   0
#define MODE_LOWEST	   1
#define MODE_SMI	   2
#define MODE_NMI	   4
#define MODE_INIT	   5
#define MODE_SIPI	   6
#define SHORT_NONE	   0
#define SHORT_SELF	   1
#define SHORT_ALL	   2
#define SHORT_ALL_BUT_SELF 3

static void refuse(struct vlapic_ipi *ipi, const char *why)
{
	ipi->kind = VLAPIC_IPI_REFUSED;
	ipi->why = why;
}

void vlapic_icr_decode(uint32_t lo, uint32_t hi, uint32_t self, uint64_t cell_ids, struct vlapic_ipi *ipi)
{
	uint32_t mode = ICR_MODE(lo), dest = hi >> 24;
	uint64_t self_bit = 1ULL << (self & 63);

	*ipi = (struct vlapic_ipi){.vector = lo & 0xff};
	switch (ICR_SHORTHAND(lo)) {
	case SHORT_SELF: ipi->targets = self_bit; break;
	case SHORT_ALL: ipi->targets = cell_ids; break; /* "all" means all of the cell's CPUs */
	case SHORT_ALL_BUT_SELF: ipi->targets = cell_ids & ~self_bit; break;
	default:
		if (lo & ICR_LOGICAL)
			return refuse(ipi, "logical destination mode is not supported");
		if (dest == 0xff)
			return refuse(ipi, "broadcast to every CPU of the machine");
		if (dest >= 64 || !(cell_ids & (1ULL << dest)))
			return refuse(ipi, "destination CPU is outside the cell");
		ipi->targets = 1ULL << dest;
		break;
	}
	switch (mode) {
	case MODE_FIXED:
	case MODE_LOWEST:
		if (ipi->vector < 16)
			return refuse(ipi, "illegal vector below 16");
		ipi->kind = VLAPIC_IPI_FIXED;
		break;
	case MODE_NMI: ipi->kind = VLAPIC_IPI_NMI; break;
	case MODE_SMI: return refuse(ipi, "SMI IPIs are not allowed");
	case MODE_INIT:
	case MODE_SIPI:
		if (ICR_SHORTHAND(lo) == SHORT_SELF || ICR_SHORTHAND(lo) == SHORT_NONE ||
		    ICR_SHORTHAND(lo) == SHORT_ALL_BUT_SELF) {
			ipi->kind = VLAPIC_IPI_IGNORED;
			ipi->why = "INIT/SIPI inside the cell (its CPUs are started by the hypervisor)";
		} else {
			ipi->kind = VLAPIC_IPI_IGNORED;
			ipi->why = "INIT/SIPI to all of the cell's CPUs";
		}
		break;
	default: return refuse(ipi, "reserved delivery mode");
	}
	if (!ipi->targets && ipi->kind != VLAPIC_IPI_REFUSED)
		ipi->kind = VLAPIC_IPI_NONE;
}

bool vlapic_write(struct vlapic *l, uint32_t off, uint32_t value, uint64_t now, uint64_t cell_ids,
		  struct vlapic_ipi *ipi)
{
	int lvt = lvt_index(off);
	int isr;

	vlapic_set_dirty(l); /* TPR, EOI, the timer, SVR, LVTs: any write may change what is deliverable */
	ipi->kind = VLAPIC_IPI_NONE;
	if (off & 0xf || off >= 0x400)
		return false;
	if (lvt >= 0) {
		if (!(l->svr & APIC_SVR_ENABLE))
			value |= APIC_LVT_MASKED; /* a software-disabled APIC keeps its LVTs masked */
		l->lvt[lvt] = value & (lvt == 1 ? 0x300ff | APIC_LVT_MASKED : 0x1f7ff);
		/* A mode switch of a running timer takes effect without a new initial count: periodic
		 * re-arms with the current period after the pending expiry, one-shot ends after it. */
		if (lvt == 1 && l->deadline)
			l->period = (value & APIC_LVT_PERIODIC) ? timer_span(l) : 0;
		return true;
	}
	switch (off) {
	case APIC_TPR: l->tpr = value & 0xff; break;
	case APIC_EOI:
		isr = bit_highest(l->isr);
		if (isr >= 0)
			bit_clear(l->isr, (unsigned int)isr);
		break;
	case APIC_LDR: l->ldr = value & 0xff000000u; break;
	case APIC_DFR: l->dfr = value | 0x0fffffffu; break;
	case APIC_SVR:
		l->svr = value & 0x3ff;
		if (!(value & APIC_SVR_ENABLE))
			for (int i = 0; i < 8; i++)
				l->lvt[i] |= APIC_LVT_MASKED;
		break;
	case APIC_ESR: l->esr = 0; break;
	case APIC_ICR_HI: l->icr_hi = value & 0xff000000u; break;
	case APIC_ICR_LO:
		l->icr_lo = value & 0xcfff;
		vlapic_icr_decode(value, l->icr_hi, l->id, cell_ids, ipi);
		break;
	case APIC_TMICT:
		l->timer_icr = value;
		timer_start(l, now);
		break;
	case APIC_TDCR: l->timer_dcr = value & 0xb; break;
	case APIC_ID:
	case APIC_VERSION:
	case APIC_PPR:
	case APIC_APR:
	case APIC_TMCCT: break; /* read-only: writes are dropped, as on hardware */
	default:
		if ((off >= APIC_ISR && off < APIC_IRR + 0x80))
			break; /* read-only */
		return false;
	}
	return true;
}

#define APIC_BASE_BSP	 (1ULL << 8)
#define APIC_BASE_ENABLE (1ULL << 11)
#define APIC_BASE_PAGE	 0xfee00000ULL

uint64_t vlapic_apic_base(bool bsp)
{
	return APIC_BASE_PAGE | APIC_BASE_ENABLE | (bsp ? APIC_BASE_BSP : 0);
}

bool vlapic_apic_base_write_ok(bool bsp, uint64_t value)
{
	return value == vlapic_apic_base(bsp);
}
