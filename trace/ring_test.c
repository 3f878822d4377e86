/* The trace ring: order, wrap-around, and exact accounting when it overflows, also with a live consumer. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "host_writer.h"

struct fixture {
	struct tessera_trace_ring_desc desc;
	struct trace_ring ring;
	struct trace_ring_reader rd;
	uint8_t *data;
};

static void fixture_init(struct fixture *f, uint64_t size)
{
	f->data = aligned_alloc(64, size);
	memset(f->data, 0xaa, size);
	cr_assert_eq(trace_ring_init(&f->ring, &f->desc, f->data, size, 0), 0);
	f->rd = (struct trace_ring_reader){&f->desc, f->data, size};
	memset(trace_enabled, 0, sizeof(trace_enabled));
	trace_enabled[0] = ~0ULL;
	trace_cpu_rings[0] = &f->ring;
}

/* Walks drained records; checks each and returns how many there were. */
static uint64_t check_records(const uint8_t *buf, long len, uint64_t *next_a0)
{
	uint64_t n = 0;

	for (long off = 0; off < len;) {
		const struct tessera_trace_ev_hypercall *e = (const void *)(buf + off);

		cr_assert_eq(e->hdr.size, sizeof(*e));
		cr_assert_eq(e->common.type, TESSERA_TRACE_EV_hypercall);
		if (next_a0) {
			cr_assert_geq(e->a0, *next_a0, "records come out in order");
			*next_a0 = e->a0 + 1;
		}
		off += e->hdr.size;
		n++;
	}
	return n;
}

Test(trace_ring, records_come_back_in_order_across_wraps)
{
	struct fixture f;
	uint8_t buf[4096];
	uint64_t next = 0, got = 0;

	fixture_init(&f, 1024);
	for (uint64_t i = 0; i < 1000; i++) {
		trace_point(hypercall, 0, -1, 1, 0, i, 0, 0, 0);
		if (i % 7 == 6) {
			uint64_t want = next;
			long n = trace_ring_drain(&f.rd, buf, sizeof(buf));
			cr_assert_geq(n, 0);
			got += check_records(buf, n, &next);
			cr_assert_eq(next - want, check_records(buf, n, NULL));
		}
	}
	long n = trace_ring_drain(&f.rd, buf, sizeof(buf));
	got += check_records(buf, n, &next);
	cr_assert_eq(got, 1000);
	cr_assert_eq((f.desc.seq - f.desc.lost), 1000);
	cr_assert_eq(f.desc.lost, 0);
	free(f.data);
}

Test(trace_ring, flood_counts_every_drop_per_cpu_and_event)
{
	struct fixture f;
	uint8_t buf[1 << 16];
	const uint64_t attempts = 10000;

	fixture_init(&f, 512);
	for (uint64_t i = 0; i < attempts; i++) {
		if (i % 3)
			trace_point(hypercall, 0, -1, 1, 0, i, 0, 0, 0);
		else
			trace_point(entry, 0, -1, i);
	}
	long n = trace_ring_drain(&f.rd, buf, sizeof(buf));
	uint64_t delivered = 0;
	for (long off = 0; off < n; off += ((struct tessera_trace_record_header *)(buf + off))->size)
		delivered++;
	cr_assert_gt(f.desc.lost, 0, "a 512-byte ring must overflow");
	cr_assert_eq((f.desc.seq - f.desc.lost), delivered);
	cr_assert_eq(delivered + f.desc.lost, attempts);
	cr_assert_eq(f.desc.lost_per_event[TESSERA_TRACE_EV_hypercall] +
			     f.desc.lost_per_event[TESSERA_TRACE_EV_entry],
		     f.desc.lost);
	free(f.data);
}

/* Each loss is where it happened: the records written carry the sequence numbers of attempts, so the gap
 * before a record is the number of records lost right there (abi/trace.h, version 2). */
Test(trace_ring, a_loss_is_a_sequence_gap_at_its_place)
{
	struct fixture f;
	uint8_t buf[1 << 16];
	uint64_t expect_gap = 0, gaps = 0;
	uint32_t next = 0;
	long n, off;

	fixture_init(&f, 256);
	/* 256 bytes hold three 72-byte hypercall records (the fourth would need a pad): write 5, drain. */
	for (uint64_t i = 0; i < 5; i++)
		trace_point(hypercall, 0, -1, 1, 0, i, 0, 0, 0);
	n = trace_ring_drain(&f.rd, buf, sizeof(buf));
	expect_gap = f.desc.lost;
	cr_assert_gt(expect_gap, 0, "5 records of 72 bytes overflow a 256-byte ring");
	for (off = 0; off < n; off += ((struct tessera_trace_record_header *)(buf + off))->size) {
		const struct tessera_trace_ev_hypercall *e = (const void *)(buf + off);
		cr_assert_eq(e->hdr.seq, e->a0, "seq counts attempts: record a0=%lu has seq %u", e->a0,
			     e->hdr.seq);
		next = e->hdr.seq + 1;
	}
	/* The losses came last: the next record written says how many and since when. */
	trace_point(hypercall, 0, -1, 1, 0, 5 + expect_gap, 0, 0, 0);
	n = trace_ring_drain(&f.rd, buf, sizeof(buf));
	cr_assert_eq(n, sizeof(struct tessera_trace_ev_hypercall));
	gaps = ((struct tessera_trace_record_header *)buf)->seq - next;
	cr_assert_eq(gaps, expect_gap, "gap %lu, lost %lu", gaps, expect_gap);
	cr_assert_eq(((struct tessera_trace_record_header *)buf)->seq, 5);
	free(f.data);
}

struct consumer {
	struct fixture *f;
	volatile bool stop;
	uint64_t delivered;
	uint64_t next_a0;
	uint64_t gaps; /* records lost according to the sequence numbers */
	uint32_t next_seq;
	bool ordered;
};

static void *consumer_main(void *arg)
{
	struct consumer *c = arg;
	static uint8_t buf[8192];

	for (;;) {
		bool stop = __atomic_load_n(&c->stop, __ATOMIC_ACQUIRE);
		long n = trace_ring_drain(&c->f->rd, buf, sizeof(buf));
		if (n < 0)
			return NULL;
		for (long off = 0; off < n;) {
			const struct tessera_trace_ev_hypercall *e = (const void *)(buf + off);
			if (e->common.type != TESSERA_TRACE_EV_hypercall || e->a0 < c->next_a0)
				c->ordered = false;
			c->next_a0 = e->a0 + 1;
			c->gaps += (uint32_t)(e->hdr.seq - c->next_seq);
			c->next_seq = e->hdr.seq + 1;
			off += e->hdr.size;
			c->delivered++;
		}
		if (stop && n == 0)
			return NULL;
	}
}

Test(trace_ring, flood_with_concurrent_consumer_accounts_exactly)
{
	struct fixture f;
	struct consumer c = {.ordered = true};
	pthread_t t;
	const uint64_t attempts = 2000000;

	fixture_init(&f, 4096);
	trace_enabled[2 + 1] = 1ULL << TESSERA_TRACE_EV_hypercall;
	c.f = &f;
	pthread_create(&t, NULL, consumer_main, &c);
	for (uint64_t i = 0; i < attempts; i++)
		trace_point(hypercall, 0, 2, 1, 0, i, 0, 0, 0);
	__atomic_store_n(&c.stop, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	cr_assert(c.ordered, "records arrive in order, each once");
	cr_assert_eq(c.delivered, (f.desc.seq - f.desc.lost));
	cr_assert_eq(c.delivered + f.desc.lost, attempts, "delivered %lu + lost %lu != %lu", c.delivered,
		     f.desc.lost, attempts);
	cr_assert_eq(f.desc.lost_per_event[TESSERA_TRACE_EV_hypercall], f.desc.lost);
	/* Every loss but those after the last record written shows as a gap, where it happened. */
	cr_assert_eq(c.gaps + (attempts - c.next_seq), f.desc.lost, "gaps %lu + trailing %lu != lost %lu",
		     c.gaps, attempts - c.next_seq, f.desc.lost);
	free(f.data);
}

Test(trace_ring, disabled_event_writes_nothing)
{
	struct fixture f;
	uint8_t buf[1024];

	fixture_init(&f, 1024);
	trace_enabled[0] = 1ULL << TESSERA_TRACE_EV_entry;
	trace_point(hypercall, 0, -1, 1, 0, 1, 2, 3, 4);
	trace_point(entry, 0, -1, 0x1000);
	trace_point(entry, 0, 0, 0x1000); /* cell 0: its mask is 0 */
	long n = trace_ring_drain(&f.rd, buf, sizeof(buf));
	cr_assert_eq(n, sizeof(struct tessera_trace_ev_entry));
	cr_assert_eq((f.desc.seq - f.desc.lost), 1);
	cr_assert_eq(f.desc.lost, 0);
	free(f.data);
}

Test(trace_ring, malformed_record_is_refused)
{
	struct fixture f;
	uint8_t buf[1024];

	fixture_init(&f, 1024);
	trace_point(entry, 0, -1, 0x1000);
	((struct tessera_trace_record_header *)f.data)->size = 12;
	cr_assert_eq(trace_ring_drain(&f.rd, buf, sizeof(buf)), -1);
	free(f.data);
}
