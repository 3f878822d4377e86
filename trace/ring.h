/*
 * The per-CPU trace ring (layout and rules in abi/trace.h): single producer, single consumer, lock-free,
 * arch-neutral. The producer side runs in the hypervisor (freestanding); the consumer side runs on the
 * host; unit tests run both on the host, also in two threads.
 */
#ifndef TESSERA_TRACE_RING_H
#define TESSERA_TRACE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tessera/abi/trace.h>

/* Fewer bytes than this before the end of the data are skipped by both sides (no room for a pad record). */
#define TRACE_RING_MIN_RECORD \
	(sizeof(struct tessera_trace_record_header) + sizeof(struct tessera_trace_common))

/* Records are at most this big (so that one always fits in the smallest ring, padding included). */
#define TRACE_RING_MAX_RECORD 128

/*
 * The producer's private state (in hypervisor memory); the shared part is `desc` and the data. `head` has
 * a private copy because it decides where the producer writes: whatever the host stores into the shared
 * descriptor, the hypervisor writes only inside the ring. The sequence number lives in desc->seq alone
 * (the host could only garble the numbers).
 */
struct trace_ring {
	struct tessera_trace_ring_desc *desc;
	uint8_t *data;
	uint64_t mask;	/* size - 1 */
	uint64_t head;	/* producer's copy of desc->head */
	uint64_t limit; /* records fit while head + size <= limit: min(tail + size, end of this lap) */
	void *slow_rec; /* trace_ring_make_room's result */
};

/* Sets up the descriptor and the producer state; `size` must be a power of two, >= 256. */
int trace_ring_init(struct trace_ring *r, struct tessera_trace_ring_desc *desc, void *data, uint64_t size,
		    uint64_t data_offset);

/*
 * The reservation's slow path (out of line): refreshes the tail, pads at the end, or counts the loss; it
 * leaves the record's place (or NULL) in r->slow_rec. In the hypervisor (clang) it preserves every
 * register but R11, so that a writer keeps its values in caller-saved registers across this rare call
 * instead of saving callee-saved ones on every record. It returns nothing: clang 14 restores RAX in a
 * preserve_most function's epilogue, over a return value.
 */
#if defined(__clang__) && !defined(TESSERA_HOST) && defined(__x86_64__)
#define TRACE_RING_SLOW_CC __attribute__((preserve_most))
#else
#define TRACE_RING_SLOW_CC
#endif
TRACE_RING_SLOW_CC void trace_ring_make_room(struct trace_ring *r, uint32_t size, unsigned int id);

static inline void *trace_ring_reserve_slow(struct trace_ring *r, uint32_t size, unsigned int id)
{
	trace_ring_make_room(r, size, id);
	return r->slow_rec;
}

/*
 * Reserving `size` bytes for a record of event `id` (a multiple of 8, TRACE_RING_MIN_RECORD to
 * TRACE_RING_MAX_RECORD; the writers pass a compile-time constant and check it statically):
 *
 *	if (trace_ring_fits(r, size))
 *		rec = trace_ring_at(r);
 *	else if (!(rec = trace_ring_reserve_slow(r, size, id)))
 *		the ring is full: the record is counted as lost (per CPU and per event) and its sequence
 *		number is skipped;
 *
 * then fill it and finish with trace_ring_commit(). Never waits; at most one reservation open. Inline and
 * split so that a trace point pays a few instructions when the record fits before the end of the data and
 * the cached tail says there is room (no NULL test on that path either); the rest is out of line.
 */
static inline bool trace_ring_fits(const struct trace_ring *r, uint32_t size)
{
	return __builtin_expect(r->head + size <= r->limit, 1);
}

/* Not NULL, and the compiler is told so: the writers then test for NULL only after the slow path. */
static inline void *trace_ring_at(const struct trace_ring *r)
{
	uint8_t *p = r->data + (r->head & r->mask);

	if (!p)
		__builtin_unreachable();
	return p;
}

/* The general reservation (for tests and callers whose size is not constant). */
static inline void *trace_ring_reserve(struct trace_ring *r, uint32_t size, unsigned int id)
{
	return trace_ring_fits(r, size) ? trace_ring_at(r) : trace_ring_reserve_slow(r, size, id);
}

/*
 * Stamps the record's header (tsc, size, seq) and publishes it. The header is written here, whole, so
 * the writer zeroes nothing of it.
 */
static inline void trace_ring_commit(struct trace_ring *r, void *record, uint32_t size, uint64_t tsc)
{
	struct tessera_trace_record_header *h = record;
	struct tessera_trace_ring_desc *d = r->desc;
	uint64_t head = r->head + size, seq = d->seq;

	h->tsc = tsc;
	h->size = size;
	h->seq = (uint32_t)seq;
	r->head = head;
	__atomic_store_n(&d->head, head, __ATOMIC_RELEASE);
	__atomic_store_n(&d->seq, seq + 1, __ATOMIC_RELAXED);
}

/* Consumer side: works on the shared descriptor and data only (as the host maps them). */
struct trace_ring_reader {
	struct tessera_trace_ring_desc *desc;
	const uint8_t *data;
	uint64_t size;
};

/*
 * Copies whole published records (padding skipped) into buf, at most `len` bytes, and frees their space.
 * Returns the bytes copied (0 when the ring is empty), or -1 when the ring holds a malformed record
 * (nothing more is consumed then).
 */
long trace_ring_drain(struct trace_ring_reader *rd, void *buf, size_t len);

#endif
