/* The comm region protocol, cell side (guest/comm.h). */
#include <guest/comm.h>
#include <guest/irq.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <tessera/string.h>

struct tessera_comm_region *comm_region(void)
{
	const struct tessera_cell_boot_info *bi = runtime_boot_info();
	struct tessera_comm_region *r;

	if (bi->version < 2 || !bi->comm_region)
		return NULL;
	r = (struct tessera_comm_region *)(uintptr_t)bi->comm_region;
	return r->magic == TESSERA_COMM_MAGIC ? r : NULL;
}

unsigned int comm_poll(void)
{
	struct tessera_comm_region *r = comm_region();
	uint32_t seq, msg;

	if (!r)
		return 0;
	seq = __atomic_load_n(&r->msg_seq, __ATOMIC_ACQUIRE);
	if (seq == r->reply_seq)
		return 0;
	msg = r->msg_to_cell;
	switch (msg) {
	case TESSERA_MSG_HEARTBEAT: r->reply_from_cell = TESSERA_REPLY_ALIVE; break;
	case TESSERA_MSG_SHUTDOWN: r->reply_from_cell = TESSERA_REPLY_SHUTDOWN_OK; break;
	default: r->reply_from_cell = TESSERA_REPLY_NONE; break;
	}
	__atomic_store_n(&r->reply_seq, seq, __ATOMIC_RELEASE);
	if (msg == TESSERA_MSG_SHUTDOWN) {
		/* Accepted: the answer is out, now do what it promised (abi/comm_region.h). */
		printf("comm: shutdown requested: exiting\n");
		runtime_exit(0);
	}
	return msg;
}

static void heartbeat_tick(unsigned int vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	comm_poll();
}

void comm_start_heartbeat_timer(uint64_t hz)
{
	irq_set_handler(IRQ_TIMER_VECTOR, heartbeat_tick, NULL);
	timer_start_periodic(hz, IRQ_TIMER_VECTOR);
}

static const struct tessera_comm_doorbell *find(const struct tessera_comm_doorbell *db, uint32_t n,
						const char *peer)
{
	for (uint32_t i = 0; i < n && i < TESSERA_COMM_MAX_DB; i++)
		if (strcmp(db[i].name, peer) == 0)
			return &db[i];
	return NULL;
}

const struct tessera_comm_doorbell *comm_doorbell_out(const char *peer)
{
	struct tessera_comm_region *r = comm_region();
	return r ? find(r->db_out, r->nr_db_out, peer) : NULL;
}

const struct tessera_comm_doorbell *comm_doorbell_in(const char *peer)
{
	struct tessera_comm_region *r = comm_region();
	return r ? find(r->db_in, r->nr_db_in, peer) : NULL;
}
