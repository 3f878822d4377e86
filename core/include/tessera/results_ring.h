/*
 * A cell's results ring (layout and rules in abi/results.h): the hypervisor's producer and the host's
 * consumer, arch-neutral, in one file so that the two can never disagree; unit tests run both on the host.
 */
#ifndef TESSERA_RESULTS_RING_H
#define TESSERA_RESULTS_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tessera/abi/results.h>
#include <tessera/spinlock.h>

/* Ring bytes a record of `len` text bytes takes. */
#define RESULTS_RING_RECORD_BYTES(len) \
	(((uint64_t)sizeof(struct tessera_results_record) + (len) + 7) & ~(uint64_t)7)

/*
 * The producer's private state, in hypervisor memory. head, seq and the loss counters have private copies
 * because they decide what the producer writes: whatever the host stores into the shared descriptor, the
 * hypervisor writes only inside the ring and numbers records on.
 */
struct results_ring {
	struct tessera_results_ring_desc *desc;
	uint8_t *data;
	uint64_t mask; /* size - 1 */
	uint64_t head, seq, lost, lost_bytes;
	struct spinlock lock; /* CPUs of one cell write one ring */
};

/* Sets up the descriptor and the producer; `size` must be a power of two >= TESSERA_RESULTS_RING_MIN. 0 or
 * -HV_EINVAL. */
int results_ring_init(struct results_ring *r, struct tessera_results_ring_desc *desc, void *data,
		      uint64_t size, uint64_t data_offset, const char *name);

/*
 * Appends one record of `len` text bytes (1..TESSERA_RESULTS_RECORD_MAX), stamped with tsc. 0 when it was
 * written; -HV_ERANGE for a bad length (not counted: no record was attempted); -HV_ENOMEM when the ring
 * was full: the record is counted in lost and lost_bytes and its sequence number is used up. Never waits
 * for the consumer.
 */
int results_ring_write(struct results_ring *r, const void *text, uint32_t len, uint64_t tsc);

/* Consumer side, on the shared descriptor and data as the host maps them. */
struct results_ring_reader {
	struct tessera_results_ring_desc *desc;
	const uint8_t *data;
	uint64_t size; /* the descriptor's size, checked by the caller against the mapping */
};

/* One record as the reader hands it out: text is not NUL-terminated. */
typedef int (*results_record_fn)(const struct tessera_results_record *rec, const char *text, void *ctx);

/*
 * Hands every published record to fn, in order, and frees its space (tail). Returns the records read,
 * or -1 when the ring holds a malformed record or a head that cannot be (nothing after it is consumed);
 * fn returning non-zero stops the drain after that record, which is consumed.
 */
long results_ring_drain(struct results_ring_reader *rd, results_record_fn fn, void *ctx);

#endif
