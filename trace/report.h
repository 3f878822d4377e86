/* `tessera trace report`: summaries of a trace directory (host only). */
#ifndef TESSERA_TRACE_REPORT_H
#define TESSERA_TRACE_REPORT_H

#include <stdio.h>

#include "tracedir.h"

/* Per cell: exits by reason with handler times (as perf kvm stat), hypercalls, violations; losses. */
void trace_report(FILE *out, const struct trace_dir *td);
/* Every record in time order, one line each, indented by CPU. */
void trace_report_timeline(FILE *out, const struct trace_dir *td);
/* Exit events per cell and reason found in the trace (what the report's tables count). */
void trace_count_exits(const struct trace_dir *td,
		       uint64_t counts[TESSERA_TRACE_MAX_CELLS][TESSERA_ER_COUNT]);

#endif
