/*
 * Text generated from the catalog (host only): the ftrace `format` of each event (what libtraceevent
 * parses), the CTF 1.8 metadata, the docs table, and the one-line text form of a record that reports use.
 */
#ifndef TESSERA_TRACE_FORMATS_H
#define TESSERA_TRACE_FORMATS_H

#include <stdio.h>

#include "catalog.h"

#define TRACE_FTRACE_SYSTEM "tessera"

/* The event's tracefs `format` file, as the kernel would write it. */
void trace_format_ftrace(FILE *out, const struct trace_event_desc *e);
/* CTF 1.8 metadata for the streams trace/ctf.c writes (one per CPU); clock in ns. */
void trace_format_ctf_metadata(FILE *out);
/* docs/trace-events.md. */
void trace_format_markdown(FILE *out);
/* "name field=value ..." for a payload (starting at the common fields). */
void trace_format_record(FILE *out, const struct trace_event_desc *e, const void *payload);

#endif
