/* `tessera trace report`: summaries of a trace directory (host only). */
#ifndef TESSERA_TRACE_REPORT_H
#define TESSERA_TRACE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "tracedir.h"

enum trace_report_format { TRACE_REPORT_TEXT, TRACE_REPORT_JSON, TRACE_REPORT_CSV };

/* Per cell and vCPU: exits by reason with handler times (as perf kvm stat), ports, MSRs, addresses,
 * hypercalls, injections, guest/hypervisor/lost time; losses. histogram: log2 latency histograms (text). */
void trace_report_as(FILE *out, const struct trace_dir *td, enum trace_report_format fmt, bool histogram);
/* The text report. */
void trace_report(FILE *out, const struct trace_dir *td);
/* Every record in time order, one line each, indented by CPU. */
void trace_report_timeline(FILE *out, const struct trace_dir *td);
/* Exit events per cell and reason found in the trace (what the report's tables count). */
void trace_count_exits(const struct trace_dir *td,
		       uint64_t counts[TESSERA_TRACE_MAX_CELLS][TESSERA_ER_COUNT]);

#endif
