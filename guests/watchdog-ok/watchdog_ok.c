/*
 * watchdog-ok: a healthy cell under a watchdog. It answers heartbeats from a 50 Hz timer while it
 * "works" (args work_ms=N, default 1500: counts timer periods in HLT), then reports and exits 0.
 * Next to a hung cell it shows that the other cells keep running. With args stop_cell=N (and the
 * manager flag) it stops cell N at the end, so that a system whose other cell the watchdog keeps
 * restarting comes to an end. With args shutdown_cells=N,M,... (and the manager flag) it asks those
 * cells to shut down (hypercall cell_shutdown) after its work and reports the state each ends in.
 */
#include <guest/comm.h>
#include <guest/irq.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <guest/test.h>

/* Ask each listed cell to shut down, then wait (answering our own heartbeats) until it no longer runs. */
static void shutdown_cells(const struct tessera_cell_boot_info *info, const char *v, size_t len)
{
	for (size_t i = 0; i < len && v[i] >= '0' && v[i] <= '9';) {
		uint64_t id = 0, t0 = rdtsc(), ms;
		int64_t ret, state;
		while (i < len && v[i] >= '0' && v[i] <= '9')
			id = id * 10 + (uint64_t)(v[i++] - '0');
		i += i < len && v[i] == ',';
		ret = hypercall_cell_shutdown(id);
		test_report("watchdog_ok_shutdown_asked", ret == 0, "cell_shutdown(%lu) = %ld", id, ret);
		do {
			cpu_wait_for_interrupt(); /* the 50 Hz heartbeat timer wakes us */
			state = hypercall_cell_state(id);
		} while (state == TESSERA_CELL_RUNNING && rdtsc() - t0 < info->tsc_hz * 5);
		ms = (rdtsc() - t0) * 1000 / info->tsc_hz;
		printf("watchdog-ok: cell %lu after the shutdown request: state %ld after %lu ms\n", id,
		       state, ms);
		test_report("watchdog_ok_shutdown_ended", state != TESSERA_CELL_RUNNING,
			    "cell %lu still runs %lu ms after the shutdown request", id, ms);
	}
}

int main(const struct tessera_cell_boot_info *info)
{
	uint64_t ms = 1500, end, wakeups = 0;
	struct tessera_comm_region *r = comm_region();
	const char *v;
	size_t len;

	if (args_get("work_ms", &v, &len) && len) {
		ms = 0;
		for (size_t i = 0; i < len && v[i] >= '0' && v[i] <= '9'; i++)
			ms = ms * 10 + (uint64_t)(v[i] - '0');
	}
	if (!test_report("watchdog_ok_comm_region", r != NULL, "no comm region"))
		return test_summary();
	printf("watchdog-ok: watchdog period %u ms, %u misses tolerated; working %lu ms\n", r->wd_period_ms,
	       r->wd_missed, ms);
	irq_cpu_init();
	comm_start_heartbeat_timer(50);
	end = rdtsc() + info->tsc_hz / 1000 * ms;
	while (rdtsc() < end) {
		cpu_wait_for_interrupt();
		wakeups++;
	}
	if (args_get("shutdown_cells", &v, &len) && len)
		shutdown_cells(info, v, len);
	timer_stop();
	printf("watchdog-ok: %lu timer wakeups, %u heartbeats answered\n", wakeups, r->reply_seq);
	test_report("watchdog_ok_answered", r->wd_period_ms == 0 || r->reply_seq > 0,
		    "no heartbeat answered");
	test_report("watchdog_ok_finished_work", wakeups > 0, "no timer interrupt");
	if (args_get("stop_cell", &v, &len) && len) {
		uint64_t id = 0;
		for (size_t i = 0; i < len && v[i] >= '0' && v[i] <= '9'; i++)
			id = id * 10 + (uint64_t)(v[i] - '0');
		test_report("watchdog_ok_stopped_other", hypercall_cell_stop(id) == 0,
			    "cell_stop(%lu) failed", id);
	}
	return test_summary() ? 1 : 0;
}
