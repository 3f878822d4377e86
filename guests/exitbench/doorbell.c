/*
 * exitbench's doorbell mode (`mode=doorbell role=send|recv peer=NAME calls=N`), for the doorbell row of
 * `tessera bench exit-cost`. The guest measures nothing here: the doorbell's cost is split between two
 * CPUs that both advance the one instruction clock under icount, so the bench counts each side's
 * hypervisor instructions from QEMU's per-CPU instruction log (docs/performance.md). This side makes the
 * two paths the same every time: the receiver waits in HLT with interrupts on, the sender rings, the
 * receiver's handler counts the doorbell where the sender reads it, and only then does the sender ring
 * again (so no doorbell merges into a pending one).
 */
#include <guest/comm.h>
#include <guest/hypercall.h>
#include <guest/irq.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <tessera/string.h>

#include "exitbench.h"

#define SHARED_BASE 0x1000000UL /* the receiver writes (share: out), the sender reads (share: in) */

struct doorbell_shared {
	volatile uint64_t ready; /* the receiver waits for doorbells */
	volatile uint64_t taken; /* doorbells its handler has run for */
};

static struct doorbell_shared *const shared = (struct doorbell_shared *)SHARED_BASE;

static void doorbell_taken(unsigned int vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	shared->taken++;
}

static int receive(uint64_t n, const struct tessera_comm_doorbell *in)
{
	irq_cpu_init();
	irq_set_handler(in->vector, doorbell_taken, NULL);
	shared->taken = 0;
	shared->ready = 1;
	irq_disable();
	while (shared->taken < n)
		cpu_wait_for_interrupt();
	printf("exitbench: mode=doorbell role=recv calls=%lu taken=%lu\n", n, shared->taken);
	return 0;
}

static int send(uint64_t n, const struct tessera_comm_doorbell *out)
{
	uint64_t refused = 0;

	irq_cpu_init(); /* sleep_us's timer */
	while (!shared->ready)
		sleep_us(1000);
	/* n null hypercalls first: the bench checks its log count of them against the exitbench row. */
	for (uint64_t i = 0; i < n; i++)
		hypercall_nop();
	for (uint64_t i = 0; i < n; i++) {
		refused += hypercall_doorbell_ring(out->cell_id) != 0;
		while (shared->taken < i + 1 && !refused)
			cpu_relax();
	}
	printf("exitbench: mode=doorbell role=send calls=%lu rung=%lu refused=%lu\n", n, n - refused,
	       refused);
	return refused ? 1 : 0;
}

int exitbench_doorbell(uint64_t n)
{
	char peer[32] = "";
	const char *v;
	size_t len;
	bool sender = args_get("role", &v, &len) && len == 4 && !memcmp(v, "send", 4);

	if (args_get("peer", &v, &len) && len < sizeof(peer))
		memcpy(peer, v, len);
	const struct tessera_comm_doorbell *out = comm_doorbell_out(peer), *in = comm_doorbell_in(peer);
	if (!out || !in) {
		printf("exitbench: mode=doorbell: no doorbells to and from '%s'\n", peer);
		return 2;
	}
	return sender ? send(n, out) : receive(n, in);
}
