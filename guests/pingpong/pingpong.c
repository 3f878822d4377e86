/*
 * pingpong: two cells exchange messages over SPSC queues in shared memory, woken by doorbells.
 *
 * args: role=ping|pong peer=NAME n=COUNT. Each cell has two shared regions (config): OUT at 0x1000000
 * (share kind `out`: it writes, the peer reads) and IN at 0x1100000 (kind `in`: the peer writes). The
 * queue to the peer has its slots in OUT and its consumer index in the peer's OUT (our IN), and the other
 * way round, so every byte has one writer. The ping side sends message i, rings the peer and sleeps in
 * HLT until the pong for i arrives; the pong side echoes each message with its own pattern. Every
 * message is checked (sequence number and payload); waiting is HLT only, so progress needs doorbells.
 */
#include <guest/comm.h>
#include <guest/irq.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <guest/spsc.h>
#include <guest/test.h>
#include <tessera/string.h>

#define OUT_BASE  0x1000000UL
#define IN_BASE	  0x1100000UL
#define CONS_OFF  0x8000UL
#define NR_SLOTS  16
#define PAYLOAD_N 6

struct msg {
	uint32_t seq;
	uint32_t kind; /* 1 ping, 2 pong */
	uint64_t payload[PAYLOAD_N];
	uint64_t check;
};

static volatile uint64_t doorbells;
static uint64_t waits; /* HLTs: only an interrupt (a doorbell: nothing else is enabled) ends one */

static void doorbell(unsigned int vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	doorbells++;
}

static uint64_t pattern(uint32_t seq, uint32_t kind, unsigned int k)
{
	uint64_t x = ((uint64_t)seq << 32 | kind << 8 | k) * 0x9e3779b97f4a7c15ULL;
	return x ^ (x >> 29);
}

static void msg_fill(struct msg *m, uint32_t seq, uint32_t kind)
{
	m->seq = seq;
	m->kind = kind;
	m->check = 0;
	for (unsigned int k = 0; k < PAYLOAD_N; k++) {
		m->payload[k] = pattern(seq, kind, k);
		m->check += m->payload[k];
	}
}

static bool msg_ok(const struct msg *m, uint32_t seq, uint32_t kind)
{
	uint64_t sum = 0;

	if (m->seq != seq || m->kind != kind)
		return false;
	for (unsigned int k = 0; k < PAYLOAD_N; k++) {
		if (m->payload[k] != pattern(seq, kind, k))
			return false;
		sum += m->payload[k];
	}
	return sum == m->check;
}

/* Receive the next message, sleeping in HLT until a doorbell says there is one. */
static void recv_wait(struct spsc_queue *rx, struct msg *m)
{
	irq_disable();
	while (!spsc_recv(rx, m, sizeof(*m))) {
		waits++;
		cpu_wait_for_interrupt();
	}
}

int main(const struct tessera_cell_boot_info *info)
{
	const struct tessera_comm_doorbell *out, *in;
	struct spsc_queue tx, rx;
	char peer[32] = "";
	const char *v;
	size_t len;
	bool ping;
	uint32_t n = (uint32_t)args_number("n", 10000), bad = 0, done = 0;
	uint64_t t0;
	struct msg m;

	ping = args_get("role", &v, &len) && len == 4 && memcmp(v, "ping", 4) == 0;
	if (args_get("peer", &v, &len) && len < sizeof(peer))
		memcpy(peer, v, len);
	out = comm_doorbell_out(peer);
	in = comm_doorbell_in(peer);
	if (!test_report("pingpong_config", out && in, "no doorbells to and from '%s' (comm region %s)", peer,
			 comm_region() ? "present" : "missing"))
		return test_summary();
	irq_cpu_init();
	irq_set_handler(in->vector, doorbell, NULL);
	((struct spsc_cons *)(OUT_BASE + CONS_OFF))->tail = 0;
	spsc_init(&tx, (void *)OUT_BASE, (void *)(IN_BASE + CONS_OFF), NR_SLOTS, sizeof(struct msg));
	hypercall_doorbell_ring(out->cell_id);
	irq_disable();
	while (spsc_attach(&rx, (void *)IN_BASE, CONS_OFF, (void *)(OUT_BASE + CONS_OFF)))
		sleep_us(1000);
	printf("pingpong: %s, peer '%s' (cell %u, vector %#x; ours %#x), %u messages\n",
	       ping ? "ping" : "pong", peer, out->cell_id, out->vector, in->vector, n);

	t0 = rdtsc();
	for (uint32_t i = 0; i < n; i++) {
		if (ping) {
			msg_fill(&m, i, 1);
			while (!spsc_send(&tx, &m, sizeof(m)))
				cpu_wait_for_interrupt();
			hypercall_doorbell_ring(out->cell_id);
			recv_wait(&rx, &m);
			bad += !msg_ok(&m, i, 2);
		} else {
			recv_wait(&rx, &m);
			bad += !msg_ok(&m, i, 1);
			msg_fill(&m, i, 2);
			while (!spsc_send(&tx, &m, sizeof(m)))
				cpu_wait_for_interrupt();
			hypercall_doorbell_ring(out->cell_id);
		}
		done++;
	}
	uint64_t us = (rdtsc() - t0) * 1000000 / (info->tsc_hz ? info->tsc_hz : 1);
	printf("pingpong: %u messages received, %u bad, %lu doorbell interrupts, %lu waits in HLT, %lu us\n",
	       done, bad, (uint64_t)doorbells, waits, us);
	test_report("pingpong_messages", done == n && bad == 0, "%u of %u received, %u bad", done, n, bad);
	/* Every wait is a HLT that only a doorbell interrupt can end: the exchange was driven by them. */
	test_report("pingpong_doorbells", waits > 0 && doorbells >= waits,
		    "%lu doorbell interrupts for %lu waits in HLT", (uint64_t)doorbells, waits);
	return test_summary() ? 1 : 0;
}
