/*
 * The trace ring (see ring.h and abi/trace.h). The producer owns head, seq and lost; the consumer owns
 * tail. Each side reads the other's counter with acquire and publishes its own with release, so a record's
 * bytes are visible before the head that covers them, and space is reused only after it was copied out.
 */
#include <tessera/string.h>

#include "ring.h"

#define RING_PAD_MIN TRACE_RING_MIN_RECORD

int trace_ring_init(struct trace_ring *r, struct tessera_trace_ring_desc *desc, void *data, uint64_t size,
		    uint64_t data_offset)
{
	if (size < 2 * TRACE_RING_MAX_RECORD || (size & (size - 1)))
		return -1;
	memset(desc, 0, sizeof(*desc));
	desc->data_offset = data_offset;
	desc->size = size;
	r->desc = desc;
	r->data = data;
	r->mask = size - 1;
	r->head = 0;
	r->limit = size; /* an empty ring: up to its end */
	return 0;
}

/* The sequence number is skipped too, so that the next record written shows the gap (abi/trace.h). */
static void ring_count_lost(struct trace_ring *r, unsigned int id)
{
	struct tessera_trace_ring_desc *d = r->desc;

	__atomic_store_n(&d->seq, d->seq + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&d->lost, d->lost + 1, __ATOMIC_RELAXED);
	if (id < TESSERA_TRACE_MAX_EVENTS)
		__atomic_store_n(&d->lost_per_event[id], d->lost_per_event[id] + 1, __ATOMIC_RELAXED);
}

static void ring_write_pad(struct trace_ring *r, uint64_t pos, uint64_t len)
{
	struct tessera_trace_record_header *h = (void *)(r->data + pos);
	struct tessera_trace_common *c = (void *)(h + 1);

	h->tsc = 0;
	h->size = (uint32_t)len;
	h->seq = 0;
	memset(c, 0, sizeof(*c));
	c->type = TESSERA_TRACE_PAD;
}

TRACE_RING_SLOW_CC void trace_ring_make_room(struct trace_ring *r, uint32_t size, unsigned int id)
{
	uint64_t size_all = r->mask + 1;
	uint64_t head = r->head;
	uint64_t pos = head & r->mask;
	uint64_t to_end = size_all - pos;
	uint64_t need = size <= to_end ? size : to_end + size;

	uint64_t tail = __atomic_load_n(&r->desc->tail, __ATOMIC_ACQUIRE);

	if (size < RING_PAD_MIN || (size & 7) || size > TRACE_RING_MAX_RECORD ||
	    head + need - tail > size_all) {
		r->limit = MIN(tail + size_all, head + to_end);
		ring_count_lost(r, id);
		r->slow_rec = NULL;
		return;
	}
	if (size > to_end) {
		/* The record would wrap: fill the end with padding (or leave a tail too short for it). */
		if (to_end >= RING_PAD_MIN)
			ring_write_pad(r, pos, to_end);
		head += to_end;
		pos = 0;
	}
	r->head = head;
	/* The fast path's bound: free space as the consumer left it, and no further than this lap's end. */
	r->limit = MIN(tail + size_all, (head & ~r->mask) + size_all);
	r->slow_rec = r->data + pos;
}

long trace_ring_drain(struct trace_ring_reader *rd, void *buf, size_t len)
{
	struct tessera_trace_ring_desc *d = rd->desc;
	uint64_t head = __atomic_load_n(&d->head, __ATOMIC_ACQUIRE);
	uint64_t tail = d->tail;
	uint8_t *out = buf;
	size_t copied = 0;
	long ret = 0;

	while (tail < head) {
		uint64_t pos = tail & (rd->size - 1);
		uint64_t to_end = rd->size - pos;
		const struct tessera_trace_record_header *h = (const void *)(rd->data + pos);
		const struct tessera_trace_common *c = (const void *)(h + 1);

		if (to_end < RING_PAD_MIN) {
			tail += to_end;
			continue;
		}
		if (h->size < RING_PAD_MIN || (h->size & 7) || h->size > to_end || tail + h->size > head) {
			ret = -1;
			break;
		}
		if (c->type != TESSERA_TRACE_PAD) {
			if (copied + h->size > len)
				break;
			memcpy(out + copied, h, h->size);
			copied += h->size;
		}
		tail += h->size;
	}
	__atomic_store_n(&d->tail, tail, __ATOMIC_RELEASE);
	return ret < 0 && copied == 0 ? -1 : (long)copied;
}
