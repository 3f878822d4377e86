/* The SPSC queue on the host: order, full/empty, wrap-around, and two threads passing 200000 messages. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <guest/spsc.h>

#define SLOTS 8

static uint8_t prod_mem[4096] __attribute__((aligned(64)));
static struct spsc_cons cons_mem;

Test(spsc, order_full_empty_wrap)
{
	struct spsc_queue q, c;
	uint32_t v;

	cr_assert_eq(spsc_attach(&c, prod_mem, sizeof(prod_mem), &cons_mem), -1, "no magic yet");
	cr_assert_eq(spsc_init(&q, prod_mem, &cons_mem, SLOTS, sizeof(v)), 0);
	cr_assert_eq(spsc_attach(&c, prod_mem, sizeof(prod_mem), &cons_mem), 0);
	cr_expect(spsc_empty(&c));
	cr_expect(!spsc_recv(&c, &v, sizeof(v)));
	for (uint32_t round = 0; round < 5; round++) {
		for (uint32_t i = 0; i < SLOTS; i++) {
			v = round * 100 + i;
			cr_assert(spsc_send(&q, &v, sizeof(v)));
		}
		v = 999;
		cr_expect(!spsc_send(&q, &v, sizeof(v)), "full after %u", SLOTS);
		for (uint32_t i = 0; i < SLOTS; i++) {
			cr_assert(spsc_recv(&c, &v, sizeof(v)));
			cr_expect_eq(v, round * 100 + i);
		}
		cr_expect(spsc_empty(&c));
	}
	cr_expect_eq(spsc_init(&q, prod_mem, &cons_mem, 6, 4), -1, "slots must be a power of two");
	cr_expect(!spsc_send(&q, prod_mem, 4096), "message larger than a slot");
}

#define N 200000

struct msg {
	uint32_t seq, check;
};

static void *consumer(void *arg)
{
	struct spsc_queue *c = arg;
	struct msg m;
	uintptr_t bad = 0;

	for (uint32_t want = 0; want < N;) {
		if (!spsc_recv(c, &m, sizeof(m)))
			continue;
		if (m.seq != want || m.check != ~want * 2654435761u)
			bad++;
		want++;
	}
	return (void *)bad;
}

Test(spsc, two_threads_lose_nothing, .timeout = 30)
{
	struct spsc_queue q, c;
	pthread_t t;
	void *bad;

	cr_assert_eq(spsc_init(&q, prod_mem, &cons_mem, SLOTS, sizeof(struct msg)), 0);
	cons_mem.tail = 0;
	cr_assert_eq(spsc_attach(&c, prod_mem, sizeof(prod_mem), &cons_mem), 0);
	pthread_create(&t, NULL, consumer, &c);
	for (uint32_t i = 0; i < N;) {
		struct msg m = {i, ~i * 2654435761u};
		if (spsc_send(&q, &m, sizeof(m)))
			i++;
	}
	pthread_join(t, &bad);
	cr_expect_eq((uintptr_t)bad, 0, "%lu messages lost, reordered or corrupted",
		     (unsigned long)(uintptr_t)bad);
}

/* The header is written by the peer: a consumer must not believe sizes that leave the region. */
Test(spsc, attach_refuses_a_header_that_does_not_fit)
{
	struct spsc_queue q, c;
	struct spsc_prod *p = (struct spsc_prod *)prod_mem;

	cr_assert_eq(spsc_init(&q, prod_mem, &cons_mem, 4, 16), 0);
	cr_expect_eq(spsc_attach(&c, prod_mem, sizeof(struct spsc_prod) + 4 * 16, &cons_mem), 0);
	cr_expect_eq(spsc_attach(&c, prod_mem, sizeof(struct spsc_prod) + 4 * 16 - 1, &cons_mem), -1);
	p->nr_slots = 1u << 30; /* the peer lies after formatting */
	cr_expect_eq(spsc_attach(&c, prod_mem, sizeof(prod_mem), &cons_mem), -1);
	p->nr_slots = 3;
	cr_expect_eq(spsc_attach(&c, prod_mem, sizeof(prod_mem), &cons_mem), -1);
	p->nr_slots = 4;
	p->slot_size = 0;
	cr_expect_eq(spsc_attach(&c, prod_mem, sizeof(prod_mem), &cons_mem), -1);
}
