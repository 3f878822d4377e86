/*
 * msg: inter-cell message latency and throughput over the shared-memory SPSC queue, woken by doorbells
 * (docs/workloads.md, docs/ivc.md). Two cells, the same layout as guests/pingpong: each writes one
 * region (OUT at 0x1000000, share `out`) and reads the peer's (IN at 0x1100000, share `in`); a queue's
 * slots live in its producer's OUT, its consumer index in the consumer's OUT.
 *
 * The `client` measures, the `server` answers; waiting is HLT only, so every step needs a doorbell.
 *   rtt     one message to the server and its answer back: send, ring, sleep until the answer's doorbell
 *   stream  `burst` messages one way, then the server's one acknowledgement: the client rings when the
 *           queue is full and at the end; the server rings back each time it has drained the queue
 * Messages carry a sequence number and a payload the receiver checks; a bad one fails the cell.
 *
 * Args: role=client|server, peer=NAME, iters=N (default 200; the same on both sides), burst=N (default
 * 64).
 */
#include <guest/bench.h>
#include <guest/comm.h>
#include <guest/irq.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <guest/spsc.h>
#include <tessera/string.h>

#define OUT_BASE 0x1000000UL
#define IN_BASE	 0x1100000UL
#define CONS_OFF 0x8000UL
#define NR_SLOTS 16

enum msg_kind { MSG_RTT = 1, MSG_ANSWER, MSG_STREAM, MSG_ACK };

struct msg {
	uint32_t seq, kind;
	uint64_t payload[6];
};

static volatile uint64_t doorbells;
static uint64_t rtt[BENCH_MAX_SAMPLES], stream[BENCH_MAX_SAMPLES];
static struct spsc_queue tx, rx;
static uint64_t peer_id;

static void doorbell(unsigned int vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	doorbells++;
}

static void fill(struct msg *m, uint32_t seq, uint32_t kind)
{
	m->seq = seq;
	m->kind = kind;
	for (unsigned int k = 0; k < 6; k++)
		m->payload[k] = ((uint64_t)seq << 8 | kind << 4 | k) * 0x9e3779b97f4a7c15ULL;
}

static void check(const struct msg *m, uint32_t seq, uint32_t kind)
{
	struct msg want;

	fill(&want, seq, kind);
	if (memcmp(m, &want, sizeof(want)))
		bench_fail(1, "message %u kind %u arrived as seq %u kind %u (or with a bad payload)", seq,
			   kind, m->seq, m->kind);
}

/* Send, sleeping until the peer has made room (it rings when it drains the queue). */
static void send(const struct msg *m)
{
	while (!spsc_send(&tx, m, sizeof(*m))) {
		hypercall_doorbell_ring(peer_id);
		cpu_wait_for_interrupt();
	}
}

static void recv(struct msg *m)
{
	while (!spsc_recv(&rx, m, sizeof(*m)))
		cpu_wait_for_interrupt();
}

static void client(uint64_t iters, uint32_t burst)
{
	struct msg m;
	uint32_t seq = 0;

	for (uint64_t it = 0; it < iters; it++) {
		uint64_t t0 = bench_tsc();
		fill(&m, seq, MSG_RTT);
		send(&m);
		hypercall_doorbell_ring(peer_id);
		recv(&m);
		rtt[it] = bench_tsc() - t0;
		check(&m, seq++, MSG_ANSWER);
	}
	for (uint64_t it = 0; it < iters; it++) {
		uint64_t t0 = bench_tsc();
		for (uint32_t i = 0; i < burst; i++) {
			fill(&m, seq++, MSG_STREAM);
			send(&m);
		}
		hypercall_doorbell_ring(peer_id);
		recv(&m);
		stream[it] = bench_tsc() - t0;
		check(&m, seq++, MSG_ACK);
	}
}

static void server(uint64_t iters, uint32_t burst)
{
	struct msg m;
	uint32_t seq = 0;

	for (uint64_t it = 0; it < iters; it++) {
		recv(&m);
		check(&m, seq, MSG_RTT);
		fill(&m, seq++, MSG_ANSWER);
		send(&m);
		hypercall_doorbell_ring(peer_id);
	}
	for (uint64_t it = 0; it < iters; it++) {
		for (uint32_t i = 0; i < burst; i++) {
			recv(&m);
			check(&m, seq++, MSG_STREAM);
			if (spsc_empty(&rx)) /* drained: the client may be waiting for room */
				hypercall_doorbell_ring(peer_id);
		}
		fill(&m, seq++, MSG_ACK);
		send(&m);
		hypercall_doorbell_ring(peer_id);
	}
}

int main(const struct tessera_cell_boot_info *info)
{
	bench_start("msg");
	const struct tessera_comm_doorbell *out, *in;
	uint64_t iters = bench_arg("iters", 200, 1, BENCH_MAX_SAMPLES);
	uint32_t burst = (uint32_t)bench_arg("burst", 64, 1, 1u << 20);
	char peer[32] = "";
	const char *v;
	size_t len;
	bool is_client;

	(void)info;
	is_client = args_get("role", &v, &len) && len == 6 && memcmp(v, "client", 6) == 0;
	if (!is_client && !(args_get("role", &v, &len) && len == 6 && memcmp(v, "server", 6) == 0))
		bench_fail(2, "want role=client or role=server");
	if (args_get("peer", &v, &len) && len < sizeof(peer))
		memcpy(peer, v, len);
	out = comm_doorbell_out(peer);
	in = comm_doorbell_in(peer);
	if (!out || !in)
		bench_fail(2, "no doorbells to and from '%s' (comm region %s)", peer,
			   comm_region() ? "present" : "missing");
	peer_id = out->cell_id;
	irq_cpu_init();
	irq_set_handler(in->vector, doorbell, NULL);
	((struct spsc_cons *)(OUT_BASE + CONS_OFF))->tail = 0;
	spsc_init(&tx, (void *)OUT_BASE, (void *)(IN_BASE + CONS_OFF), NR_SLOTS, sizeof(struct msg));
	hypercall_doorbell_ring(peer_id);
	irq_disable();
	while (spsc_attach(&rx, (void *)IN_BASE, CONS_OFF, (void *)(OUT_BASE + CONS_OFF)))
		sleep_us(1000);
	if (!is_client) {
		server(iters, burst);
		printf("msg: server answered %lu round trips and %lu bursts, %lu doorbells\n", iters, iters,
		       (uint64_t)doorbells);
		return 0;
	}
	client(iters, burst);
	bench_param("iters", iters);
	bench_param("burst", burst);
	bench_param("msg_bytes", sizeof(struct msg));
	bench_param("doorbells", doorbells);
	bench_series("rtt", WORKLOAD_UNIT_TSC_TICKS, rtt, iters);
	bench_series("stream", WORKLOAD_UNIT_TSC_TICKS, stream, iters);
	return bench_done();
}
