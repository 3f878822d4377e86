/*
 * A single-producer / single-consumer message queue over shared memory (docs/ivc.md). Split in two so
 * that it works over the one-writer share kinds: the producer's part (header, head index, slots) lives
 * in memory only the producer writes, the consumer's part (tail index) in memory only the consumer
 * writes. Over an `rw` region both parts may simply sit side by side.
 *
 * Fixed-size slots; head and tail count messages (free-running 32-bit, wrap-safe), the slot is
 * index % nr_slots. The producer writes the slot, then publishes head with release order; the consumer
 * reads head with acquire order, copies the slot, then publishes tail with release order. Plain C, no
 * guest-only code: the host unit tests run it on two threads.
 */
#ifndef GUEST_SPSC_H
#define GUEST_SPSC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPSC_MAGIC 0x43535053u /* "SPSC" */

struct spsc_prod {
	uint32_t magic;
	uint32_t nr_slots; /* a power of two */
	uint32_t slot_size;
	uint32_t head; /* messages produced */
	uint8_t slots[];
};

struct spsc_cons {
	uint32_t tail; /* messages consumed */
};

/* The queue as one side sees it. nr_slots and slot_size are copies taken (and, by the consumer,
 * checked against the region) at init/attach: the peer can rewrite the shared header at any time. */
struct spsc_queue {
	struct spsc_prod *prod;
	struct spsc_cons *cons;
	uint32_t nr_slots, slot_size;
};

/* Bytes a producer part with nr_slots slots of slot_size takes. */
size_t spsc_prod_size(uint32_t nr_slots, uint32_t slot_size);
/* Producer: format the producer part. The consumer part is not touched (the producer may only read it):
 * it must start zeroed, which shared memory is at boot, or be zeroed by the consumer before use. */
int spsc_init(struct spsc_queue *q, void *prod, void *cons, uint32_t nr_slots, uint32_t slot_size);
/* Consumer: attach to a producer part of `prod_size` bytes formatted by the other side. -1 until the
 * magic is there, or when its nr_slots/slot_size (peer-written) do not describe a queue that fits. */
int spsc_attach(struct spsc_queue *q, void *prod, size_t prod_size, void *cons);
/* false when full / empty. `len` at most slot_size. */
bool spsc_send(struct spsc_queue *q, const void *msg, uint32_t len);
bool spsc_recv(struct spsc_queue *q, void *msg, uint32_t len);
bool spsc_empty(const struct spsc_queue *q);

#endif
