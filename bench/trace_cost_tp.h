/*
 * The benchmark's own LTTng-UST provider (tessera_bench): one event with the fields of our `exit` trace
 * event (trace/events.h), so that both tracers record the same payload. Only trace_cost_probes.c defines
 * the probes; trace_cost.c fires the tracepoint.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER tessera_bench

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "bench/trace_cost_tp.h"

#if !defined(TESSERA_BENCH_TRACE_COST_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define TESSERA_BENCH_TRACE_COST_TP_H

#include <lttng/tracepoint.h>
#include <stdint.h>

LTTNG_UST_TRACEPOINT_EVENT(
	tessera_bench, exit,
	LTTNG_UST_TP_ARGS(uint16_t, reason, uint32_t, vector, uint64_t, pc, uint64_t, code, uint64_t, info1,
			  uint64_t, info2),
	LTTNG_UST_TP_FIELDS(lttng_ust_field_integer(uint16_t, reason, reason) lttng_ust_field_integer(
		uint32_t, vector, vector) lttng_ust_field_integer_hex(uint64_t, pc, pc)
				    lttng_ust_field_integer_hex(uint64_t, code, code)
					    lttng_ust_field_integer_hex(uint64_t, info1, info1)
						    lttng_ust_field_integer_hex(uint64_t, info2, info2)))

#endif

#include <lttng/tracepoint-event.h>
