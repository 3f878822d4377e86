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
/* The CTF clock of a conversion (NULL: a placeholder clock, for `trace catalog --ctf`). */
struct trace_ctf_clock {
	const char *name, *uuid, *description; /* uuid NULL or "": none */
	uint64_t freq;			       /* Hz: the event time stamps are raw TSC values */
	int64_t offset_s; /* clock value 0 is offset_s s + offset cycles after the origin */
	uint64_t offset;
	uint64_t precision; /* cycles */
	bool absolute;	    /* its origin is the Unix epoch (babeltrace2 takes LTTng's monotonic clock so) */
	const char *env;    /* more `key = value;` lines for the env block, or NULL */
};
void trace_format_ctf_metadata(FILE *out, const struct trace_ctf_clock *clock);
/* docs/trace-events.md. */
void trace_format_markdown(FILE *out);
/* "name field=value ..." for a payload (starting at the common fields). */
void trace_format_record(FILE *out, const struct trace_event_desc *e, const void *payload);

#endif
