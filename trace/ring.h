/*
 * The per-CPU trace ring (layout and rules in abi/trace.h): single producer, single consumer, lock-free,
 * arch-neutral. The producer side runs in the hypervisor (freestanding); the consumer side runs on the
 * host; unit tests run both on the host, also in two threads.
 */
#ifndef TESSERA_TRACE_RING_H
#define TESSERA_TRACE_RING_H

#include <stddef.h>
#include <stdint.h>
#include <tessera/abi/trace.h>

/* Fewer bytes than this before the end of the data are skipped by both sides (no room for a pad record). */
#define TRACE_RING_MIN_RECORD \
	(sizeof(struct tessera_trace_record_header) + sizeof(struct tessera_trace_common))

/* The producer's private state (in hypervisor memory); the shared part is `desc` and the data. */
struct trace_ring {
	struct tessera_trace_ring_desc *desc;
	uint8_t *data;
	uint64_t size;
	uint64_t head; /* producer's copy of desc->head */
	uint64_t reserved_at;
	uint32_t seq;
};

/* Sets up the descriptor and the producer state; `size` must be a power of two, >= 256. */
int trace_ring_init(struct trace_ring *r, struct tessera_trace_ring_desc *desc, void *data, uint64_t size,
		    uint64_t data_offset);

/*
 * Reserves `size` bytes (a multiple of 8, >= TRACE_RING_MIN_RECORD) for a record of event `id`. Returns
 * where to write it, or NULL when the ring is full: the record is then counted as lost (per CPU and per
 * event). Never waits. At most one reservation may be open; finish it with trace_ring_commit().
 */
void *trace_ring_reserve(struct trace_ring *r, uint32_t size, unsigned int id);

/* Stamps the record's header (tsc, size, seq) and publishes it. */
void trace_ring_commit(struct trace_ring *r, void *record, uint64_t tsc);

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
