/*
 * hang: answers the watchdog's heartbeats for a while (args hang_after_ms=N, default 300), then stops
 * answering for good: interrupts off and a spin that never exits to the hypervisor. The watchdog must
 * stop (or restart) it; nothing else will.
 */
#include <guest/comm.h>
#include <guest/irq.h>
#include <guest/print.h>
#include <guest/runtime.h>

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
	end = rdtsc() + info->tsc_hz / 1000 * ms;
	while (rdtsc() < end)
		cpu_wait_for_interrupt();
	printf("hang: answered %u heartbeats; now hanging with interrupts off\n", comm_region()->reply_seq);
	print_flush();
	irq_disable();
	for (;;)
		cpu_relax();
}
