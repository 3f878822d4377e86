/*
 * The results ring (results_ring.h, abi/results.h). The producer owns head, seq, lost and lost_bytes; the
 * consumer owns tail. Each side reads the other's counter with acquire and publishes its own with release,
 * so a record's bytes are visible before the head that covers them, and space is reused only after it was
 * copied out. Records may wrap around the end of the data: both sides copy in two parts.
 */
#include <tessera/error.h>
#include <tessera/results_ring.h>
#include <tessera/string.h>

int results_ring_init(struct results_ring *r, struct tessera_results_ring_desc *desc, void *data,
		      uint64_t size, uint64_t data_offset, const char *name)
{
	if (size < TESSERA_RESULTS_RING_MIN || (size & (size - 1)))
		return -HV_EINVAL;
	memset(desc, 0, sizeof(*desc));
	desc->data_offset = data_offset;
	desc->size = size;
	for (unsigned int i = 0; name && name[i] && i < TESSERA_RESULTS_NAME_LEN - 1; i++)
		desc->name[i] = name[i];
	r->desc = desc;
	r->data = data;
	r->mask = size - 1;
	r->head = r->seq = r->lost = r->lost_bytes = 0;
	r->lock = (struct spinlock)SPINLOCK_INIT;
	return 0;
}

/* len bytes at ring position pos (any), wrapping at the end. */
static void ring_put(struct results_ring *r, uint64_t pos, const void *src, uint64_t len)
{
	uint64_t at = pos & r->mask, first = MIN(len, r->mask + 1 - at);

	memcpy(r->data + at, src, first);
	memcpy(r->data, (const uint8_t *)src + first, len - first);
}

static void ring_get(const struct results_ring_reader *rd, uint64_t pos, void *dst, uint64_t len)
{
	uint64_t at = pos & (rd->size - 1), first = MIN(len, rd->size - at);

	memcpy(dst, rd->data + at, first);
	memcpy((uint8_t *)dst + first, rd->data, len - first);
}

int results_ring_write(struct results_ring *r, const void *text, uint32_t len, uint64_t tsc)
{
	static const uint8_t zeros[8];
	uint64_t need = RESULTS_RING_RECORD_BYTES(len);
	int ret = 0;

	if (len == 0 || len > TESSERA_RESULTS_RECORD_MAX)
		return -HV_ERANGE;
	spin_lock(&r->lock);
	struct tessera_results_ring_desc *d = r->desc;
	uint64_t tail = __atomic_load_n(&d->tail, __ATOMIC_ACQUIRE);
	/* A tail the host garbled (ahead of head, or more than a ring behind) leaves no room: the records are
	 * lost, and nothing is written outside the ring. */
	if (tail > r->head || r->head - tail + need > r->mask + 1) {
		r->lost++;
		r->lost_bytes += len;
		__atomic_store_n(&d->lost, r->lost, __ATOMIC_RELAXED);
		__atomic_store_n(&d->lost_bytes, r->lost_bytes, __ATOMIC_RELAXED);
		ret = -HV_ENOMEM;
	} else {
		struct tessera_results_record h = {.size = len, .seq = (uint32_t)r->seq, .tsc = tsc};
		ring_put(r, r->head, &h, sizeof(h));
		ring_put(r, r->head + sizeof(h), text, len);
		ring_put(r, r->head + sizeof(h) + len, zeros, need - sizeof(h) - len);
		r->head += need;
		__atomic_store_n(&d->head, r->head, __ATOMIC_RELEASE);
	}
	r->seq++;
	__atomic_store_n(&d->seq, r->seq, __ATOMIC_RELAXED);
	spin_unlock(&r->lock);
	return ret;
}

long results_ring_drain(struct results_ring_reader *rd, results_record_fn fn, void *ctx)
{
	struct tessera_results_ring_desc *d = rd->desc;
	uint64_t head = __atomic_load_n(&d->head, __ATOMIC_ACQUIRE);
	uint64_t tail = d->tail;
	char text[TESSERA_RESULTS_RECORD_MAX];
	long n = 0;

	if (head < tail || head - tail > rd->size)
		return -1;
	while (tail < head) {
		struct tessera_results_record h;
		if (head - tail < sizeof(h))
			break;
		ring_get(rd, tail, &h, sizeof(h));
		uint64_t bytes = RESULTS_RING_RECORD_BYTES(h.size);
		if (h.size == 0 || h.size > TESSERA_RESULTS_RECORD_MAX || tail + bytes > head) {
			n = n ? n : -1;
			break;
		}
		ring_get(rd, tail + sizeof(h), text, h.size);
		tail += bytes;
		n++;
		if (fn(&h, text, ctx))
			break;
	}
	__atomic_store_n(&d->tail, tail, __ATOMIC_RELEASE);
	return n;
}
