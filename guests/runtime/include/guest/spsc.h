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

struct spsc_queue {
	struct spsc_prod *prod;
	struct spsc_cons *cons;
};

/* Bytes a producer part with nr_slots slots of slot_size takes. */
size_t spsc_prod_size(uint32_t nr_slots, uint32_t slot_size);
/* Producer: format the producer part (and zero the consumer part when it may be written). */
int spsc_init(struct spsc_queue *q, void *prod, void *cons, uint32_t nr_slots, uint32_t slot_size);
/* Consumer (or producer): attach to parts formatted by the other side; -1 until the magic is there. */
int spsc_attach(struct spsc_queue *q, void *prod, void *cons);
/* false when full / empty. `len` at most slot_size. */
bool spsc_send(struct spsc_queue *q, const void *msg, uint32_t len);
bool spsc_recv(struct spsc_queue *q, void *msg, uint32_t len);
bool spsc_empty(const struct spsc_queue *q);

#endif
