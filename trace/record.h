/*
 * `tessera trace record`: boot the system like `tessera run`, with the host channel, and drain the
 * hypervisor's rings into a trace directory while it runs (see docs/tracing.md).
 */
#ifndef TESSERA_TRACE_RECORD_H
#define TESSERA_TRACE_RECORD_H

#include <stdint.h>

#include "../lab/runner.h"

int trace_record_main(int argc, char **argv);

/* The boot's run record (lab/runner.h, docs/lab-runner.md), in every trace directory a recording makes. */
#define TRACE_RUN_RECORD "run-record.json"

struct trace_record_totals {
	uint64_t events, bytes, lost; /* drained from the rings; lost as the hypervisor counted */
};

/*
 * Boot s through lab_run with `tessera trace record`'s defaults (every event unless s->hv_cmdline says
 * trace_events=..., 4 MiB of shared memory) and record into dir (created if missing). h's hooks run after
 * the recorder's; no progress line and no summary on stderr (the totals say it). Returns the boot's exit
 * status, or 1 when the boot succeeded but the recording failed (said on stderr); r as lab_run fills it.
 * The boot's run record is written to dir/TRACE_RUN_RECORD.
 */
int trace_record_system(const char *dir, const struct lab_system *s, const struct lab_hooks *h,
			struct lab_run *r, struct trace_record_totals *t);

#endif
