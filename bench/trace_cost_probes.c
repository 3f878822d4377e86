/* The tessera_bench LTTng-UST provider's probes (see trace_cost_tp.h). */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "bench/trace_cost_tp.h"
