/* The results ring (abi/results.h): order and wrap-around, exact loss accounting when it is full, and a
 * host that garbles its tail never makes the producer write outside the ring. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/error.h>
#include <tessera/results_ring.h>

#define SIZE  4096
#define GUARD 64

struct fixture {
	struct tessera_results_ring_desc desc;
	struct results_ring ring;
	struct results_ring_reader rd;
	uint8_t *mem; /* GUARD bytes, the data, GUARD bytes */
};

static void fixture_init(struct fixture *f)
{
	f->mem = malloc(SIZE + 2 * GUARD);
	memset(f->mem, 0xaa, SIZE + 2 * GUARD);
	cr_assert_eq(results_ring_init(&f->ring, &f->desc, f->mem + GUARD, SIZE, 0, "cell-a"), 0);
	f->rd = (struct results_ring_reader){&f->desc, f->mem + GUARD, SIZE};
}

static void guards_intact(const struct fixture *f)
{
	for (unsigned int i = 0; i < GUARD; i++) {
		cr_assert_eq(f->mem[i], 0xaa, "byte %u before the ring written", GUARD - i);
		cr_assert_eq(f->mem[GUARD + SIZE + i], 0xaa, "byte %u after the ring written", i);
	}
}

struct seen {
	unsigned int n;
	uint32_t seq[512];
	char text[512][TESSERA_RESULTS_RECORD_MAX + 1];
};

static int collect(const struct tessera_results_record *rec, const char *text, void *ctx)
{
	struct seen *s = ctx;

	cr_assert_lt(s->n, 512);
	s->seq[s->n] = rec->seq;
	memcpy(s->text[s->n], text, rec->size);
	s->text[s->n][rec->size] = 0;
	s->n++;
	return 0;
}

static int write_line(struct fixture *f, unsigned int i)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "BENCH w m tsc_ticks %u %u", i, i * 7);
	return results_ring_write(&f->ring, line, (uint32_t)n, i);
}

Test(results_ring, records_come_out_in_order_across_the_wrap)
{
	struct fixture f;
	struct seen s = {0};
	unsigned int next = 0;

	fixture_init(&f);
	cr_assert_str_eq(f.desc.name, "cell-a");
	/* many laps, drained every few records: records cross the end of the data at every offset */
	for (unsigned int round = 0; round < 200; round++) {
		for (unsigned int k = 0; k < 7; k++)
			cr_assert_eq(write_line(&f, next + k), 0);
		s.n = 0;
		cr_assert_eq(results_ring_drain(&f.rd, collect, &s), 7);
		for (unsigned int k = 0; k < 7; k++) {
			char want[64];
			snprintf(want, sizeof(want), "BENCH w m tsc_ticks %u %u", next + k, (next + k) * 7);
			cr_assert_str_eq(s.text[k], want);
			cr_assert_eq(s.seq[k], next + k);
		}
		next += 7;
	}
	cr_assert_gt(f.desc.head, 10 * SIZE, "the test went round the ring");
	cr_assert_eq(f.desc.lost, 0);
	cr_assert_eq(f.desc.seq, next);
	guards_intact(&f);
	free(f.mem);
}

Test(results_ring, a_full_ring_counts_what_it_lost_and_where)
{
	struct fixture f;
	struct seen s = {0};
	unsigned int written = 0, lost = 0, i = 0;
	uint64_t lost_bytes = 0;

	fixture_init(&f);
	/* fill it, then 10 more that cannot fit */
	for (; lost < 10; i++) {
		char line[64];
		int n = snprintf(line, sizeof(line), "BENCH w m tsc_ticks %u %u", i, i * 7);
		int ret = results_ring_write(&f.ring, line, (uint32_t)n, i);
		cr_assert(ret == 0 || ret == -HV_ENOMEM, "ret %d", ret);
		if (ret) {
			lost++;
			lost_bytes += (uint64_t)n;
		} else {
			cr_assert_eq(lost, 0, "a record fitted after one was lost, with nothing drained");
			written++;
		}
	}
	cr_assert_eq(f.desc.lost, 10);
	cr_assert_eq(f.desc.lost_bytes, lost_bytes);
	cr_assert_eq(f.desc.seq, written + lost, "every attempt has its sequence number");
	/* the ring was full: what it holds and the first lost record would not fit together */
	cr_assert_leq(f.desc.head, SIZE);
	cr_assert_gt(f.desc.head + RESULTS_RING_RECORD_BYTES(strlen("BENCH w m tsc_ticks 100 700")), SIZE);
	/* after a drain there is room again; the next record's seq says 10 were lost right before it */
	cr_assert_eq(results_ring_drain(&f.rd, collect, &s), written);
	cr_assert_eq(write_line(&f, i), 0);
	s.n = 0;
	cr_assert_eq(results_ring_drain(&f.rd, collect, &s), 1);
	cr_assert_eq(s.seq[0], written + 10, "the gap in seq is the place of the loss");
	guards_intact(&f);
	free(f.mem);
}

Test(results_ring, bad_lengths_are_refused_and_not_counted)
{
	struct fixture f;
	char big[TESSERA_RESULTS_RECORD_MAX + 1];

	fixture_init(&f);
	memset(big, 'x', sizeof(big));
	cr_assert_eq(results_ring_write(&f.ring, big, 0, 0), -HV_ERANGE);
	cr_assert_eq(results_ring_write(&f.ring, big, sizeof(big), 0), -HV_ERANGE);
	cr_assert_eq(results_ring_write(&f.ring, big, TESSERA_RESULTS_RECORD_MAX, 0), 0);
	cr_assert_eq(f.desc.seq, 1);
	cr_assert_eq(f.desc.lost, 0);
	free(f.mem);
}

Test(results_ring, a_garbled_tail_loses_records_and_writes_nothing_outside)
{
	struct fixture f;
	struct seen s = {0};

	fixture_init(&f);
	cr_assert_eq(write_line(&f, 0), 0);
	uint64_t head = f.desc.head;
	f.desc.tail = head + 1000; /* ahead of head: "everything is free" */
	for (unsigned int i = 1; i < 200; i++)
		cr_assert_eq(write_line(&f, i), -HV_ENOMEM);
	f.desc.tail = (uint64_t)-SIZE; /* far behind */
	cr_assert_eq(write_line(&f, 200), -HV_ENOMEM);
	cr_assert_eq(f.desc.head, head, "nothing was published");
	cr_assert_eq(f.desc.lost, 200);
	guards_intact(&f);
	/* the host's reader refuses such a tail too */
	cr_assert_eq(results_ring_drain(&f.rd, collect, &s), -1);
	f.desc.tail = 0;
	cr_assert_eq(results_ring_drain(&f.rd, collect, &s), 1);
	free(f.mem);
}

Test(results_ring, a_malformed_record_stops_the_reader)
{
	struct fixture f;
	struct seen s = {0};

	fixture_init(&f);
	cr_assert_eq(write_line(&f, 0), 0);
	cr_assert_eq(write_line(&f, 1), 0);
	/* the second record's size says more than the ring published */
	struct tessera_results_record *second =
		(void *)(f.mem + GUARD + RESULTS_RING_RECORD_BYTES(strlen("BENCH w m tsc_ticks 0 0")));
	second->size = TESSERA_RESULTS_RECORD_MAX;
	cr_assert_eq(results_ring_drain(&f.rd, collect, &s), 1, "the good record before it is read");
	cr_assert_eq(results_ring_drain(&f.rd, collect, &s), -1);
	free(f.mem);
}
