/*
 * LTTng-UST tracepoints of the host tool (provider "tessera_host"). Only lttng_probes.c includes this;
 * other code calls the plain functions of probes.h. The tool runs the same with no session daemon: a
 * tracepoint that no session enables costs a predictable branch.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER tessera_host

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "trace/lttng_tp.h"

#if !defined(TESSERA_TRACE_LTTNG_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define TESSERA_TRACE_LTTNG_TP_H

#include <lttng/tracepoint.h>
#include <stdint.h>

LTTNG_UST_TRACEPOINT_EVENT(tessera_host, run_start,
			   LTTNG_UST_TP_ARGS(const char *, config, const char *, kernel),
			   LTTNG_UST_TP_FIELDS(lttng_ust_field_string(config, config)
						       lttng_ust_field_string(kernel, kernel)))

LTTNG_UST_TRACEPOINT_EVENT(tessera_host, run_stop, LTTNG_UST_TP_ARGS(int, status, int, qemu_status),
			   LTTNG_UST_TP_FIELDS(lttng_ust_field_integer(int, status, status)
						       lttng_ust_field_integer(int, qemu_status,
									       qemu_status)))

LTTNG_UST_TRACEPOINT_EVENT(tessera_host, qemu_start, LTTNG_UST_TP_ARGS(int, pid, const char *, cmdline),
			   LTTNG_UST_TP_FIELDS(lttng_ust_field_integer(int, pid, pid)
						       lttng_ust_field_string(cmdline, cmdline)))

LTTNG_UST_TRACEPOINT_EVENT(
	tessera_host, drain_stats,
	LTTNG_UST_TP_ARGS(unsigned int, cpu, uint64_t, events, uint64_t, bytes, uint64_t, lost),
	LTTNG_UST_TP_FIELDS(lttng_ust_field_integer(unsigned int, cpu, cpu)
				    lttng_ust_field_integer(uint64_t, events, events)
					    lttng_ust_field_integer(uint64_t, bytes, bytes)
						    lttng_ust_field_integer(uint64_t, lost, lost)))

#endif

#include <lttng/tracepoint-event.h>
