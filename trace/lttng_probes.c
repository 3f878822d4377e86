/* The tessera_host tracepoint provider, built into the tool (see probes.h). */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "trace/lttng_tp.h"
#include "probes.h"

void probe_run_start(const char *config, const char *kernel)
{
	lttng_ust_tracepoint(tessera_host, run_start, config ? config : "", kernel ? kernel : "");
}

void probe_run_stop(int status, int qemu_status)
{
	lttng_ust_tracepoint(tessera_host, run_stop, status, qemu_status);
}

void probe_qemu_start(int pid, const char *cmdline)
{
	lttng_ust_tracepoint(tessera_host, qemu_start, pid, cmdline ? cmdline : "");
}

void probe_drain_stats(unsigned int cpu, uint64_t events, uint64_t bytes, uint64_t lost)
{
	lttng_ust_tracepoint(tessera_host, drain_stats, cpu, events, bytes, lost);
}
