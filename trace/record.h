/*
 * `tessera trace record`: boot the system like `tessera run`, with the host channel, and drain the
 * hypervisor's rings into a trace directory while it runs (see docs/tracing.md).
 */
#ifndef TESSERA_TRACE_RECORD_H
#define TESSERA_TRACE_RECORD_H

int trace_record_main(int argc, char **argv);

#endif
