/*
 * The host tool's own tracepoints (LTTng-UST provider `tessera_host`, see lttng_tp.h): run start/stop,
 * QEMU start, drain statistics. Plain functions so that callers need no LTTng headers.
 */
#ifndef TESSERA_TRACE_PROBES_H
#define TESSERA_TRACE_PROBES_H

#include <stdint.h>

void probe_run_start(const char *config, const char *kernel);
void probe_run_stop(int status, int qemu_status);
void probe_qemu_start(int pid, const char *cmdline);
void probe_drain_stats(unsigned int cpu, uint64_t events, uint64_t bytes, uint64_t lost);

#endif
