/*
 * hang: answers the watchdog's heartbeats for a while (args hang_after_ms=N, default 300), then stops
 * answering for good: interrupts off and a spin that never exits to the hypervisor. The watchdog must
 * stop (or restart) it; nothing else will.
 *
 * ignore_shutdown=1: answers heartbeats but never a shutdown request (a cell deaf to it).
 * forge_seq=1: once hung, keeps writing msg_seq = reply_seq in the comm region, as if every request were
 * answered; the hypervisor must not believe it (it keeps its own sequence number).
 */
#include <guest/comm.h>
#include <guest/irq.h>
#include <guest/print.h>
#include <guest/runtime.h>

static void heartbeat_only(unsigned int vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	if (comm_region()->msg_to_cell == TESSERA_MSG_HEARTBEAT)
		comm_poll();
}

int main(const struct tessera_cell_boot_info *info)
{
	uint64_t ms = 300, end;
	const char *v;
	size_t len;

	if (args_get("hang_after_ms", &v, &len) && len) {
		ms = 0;
		for (size_t i = 0; i < len && v[i] >= '0' && v[i] <= '9'; i++)
			ms = ms * 10 + (uint64_t)(v[i] - '0');
	}
	if (!comm_region()) {
		printf("hang: no comm region: the config must give one (and a watchdog)\n");
		return 2;
	}
	irq_cpu_init();
	comm_start_heartbeat_timer(50);
	if (args_number("ignore_shutdown", 0))
		irq_set_handler(IRQ_TIMER_VECTOR, heartbeat_only, NULL);
	end = rdtsc() + info->tsc_hz / 1000 * ms;
	while (rdtsc() < end)
		cpu_wait_for_interrupt();
	printf("hang: answered %u heartbeats; now hanging with interrupts off\n", comm_region()->reply_seq);
	print_flush();
	irq_disable();
	if (args_number("forge_seq", 0)) {
		struct tessera_comm_region *r = comm_region();
		for (;;)
			r->msg_seq = r->reply_seq;
	}
	for (;;)
		cpu_relax();
}
