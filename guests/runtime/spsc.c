/* The SPSC message queue (guest/spsc.h). */
#include <guest/spsc.h>

static void copy(void *dst, const void *src, uint32_t n)
{
	uint8_t *d = dst;
	const volatile uint8_t *s = src;
	for (uint32_t i = 0; i < n; i++)
		d[i] = s[i];
}

size_t spsc_prod_size(uint32_t nr_slots, uint32_t slot_size)
{
	return sizeof(struct spsc_prod) + (size_t)nr_slots * slot_size;
}

int spsc_init(struct spsc_queue *q, void *prod, void *cons, uint32_t nr_slots, uint32_t slot_size)
{
	struct spsc_prod *p = prod;

	if (!nr_slots || (nr_slots & (nr_slots - 1)) || !slot_size)
		return -1;
	p->nr_slots = nr_slots;
	p->slot_size = slot_size;
	p->head = 0;
	__atomic_store_n(&p->magic, SPSC_MAGIC, __ATOMIC_RELEASE);
	q->prod = p;
	q->cons = cons;
	q->nr_slots = nr_slots;
	q->slot_size = slot_size;
	return 0;
}

int spsc_attach(struct spsc_queue *q, void *prod, size_t prod_size, void *cons)
{
	struct spsc_prod *p = prod;
	uint32_t nr_slots, slot_size;

	if (__atomic_load_n(&p->magic, __ATOMIC_ACQUIRE) != SPSC_MAGIC)
		return -1;
	/* Read once, check, keep the copies: a slot index must never leave the region. */
	nr_slots = __atomic_load_n(&p->nr_slots, __ATOMIC_RELAXED);
	slot_size = __atomic_load_n(&p->slot_size, __ATOMIC_RELAXED);
	if (!nr_slots || (nr_slots & (nr_slots - 1)) || !slot_size || prod_size < sizeof(*p) ||
	    (uint64_t)nr_slots * slot_size > prod_size - sizeof(*p))
		return -1;
	q->prod = p;
	q->cons = cons;
	q->nr_slots = nr_slots;
	q->slot_size = slot_size;
	return 0;
}

bool spsc_send(struct spsc_queue *q, const void *msg, uint32_t len)
{
	struct spsc_prod *p = q->prod;
	uint32_t head = p->head, tail = __atomic_load_n(&q->cons->tail, __ATOMIC_ACQUIRE);

	if (len > q->slot_size || head - tail >= q->nr_slots)
		return false;
	copy(p->slots + (size_t)(head & (q->nr_slots - 1)) * q->slot_size, msg, len);
	__atomic_store_n(&p->head, head + 1, __ATOMIC_RELEASE);
	return true;
}

bool spsc_recv(struct spsc_queue *q, void *msg, uint32_t len)
{
	struct spsc_prod *p = q->prod;
	uint32_t tail = q->cons->tail, head = __atomic_load_n(&p->head, __ATOMIC_ACQUIRE);

	if (head == tail || len > q->slot_size)
		return false;
	copy(msg, p->slots + (size_t)(tail & (q->nr_slots - 1)) * q->slot_size, len);
	__atomic_store_n(&q->cons->tail, tail + 1, __ATOMIC_RELEASE);
	return true;
}

bool spsc_empty(const struct spsc_queue *q)
{
	return __atomic_load_n(&q->prod->head, __ATOMIC_ACQUIRE) == q->cons->tail;
}
