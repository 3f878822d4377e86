/*
 * The trace.dat writer of libtracecmd (trace-cmd's lib/trace-cmd/trace-output.c). These functions are
 * exported by libtracecmd.so.1 (Debian libtracecmd1 3.1.6, `nm -D` lists them) but declared only in
 * trace-cmd's private header (lib/trace-cmd/include/private/trace-cmd-private.h), not in the public
 * /usr/include/trace-cmd/trace-cmd.h, which has only the reading API. The prototypes below are those of
 * trace-cmd 3.1.6; link with -ltracecmd. What each call reads is described in trace/tracedat.c.
 */
#ifndef TESSERA_TRACE_LIBTRACECMD_WRITER_H
#define TESSERA_TRACE_LIBTRACECMD_WRITER_H

#include <stdbool.h>

struct tracecmd_output;
struct tracecmd_event_list; /* NULL: every events/<system>/<event>/format of the tracing dir */

/* Opens (O_TRUNC) the file; reads the page size from TRACING/events/header_page (see tracedat.c). */
struct tracecmd_output *tracecmd_output_create(const char *output_file);
void tracecmd_set_quiet(struct tracecmd_output *handle, bool set_quiet);
int tracecmd_output_set_trace_dir(struct tracecmd_output *handle, const char *tracing_dir);
int tracecmd_output_set_kallsyms(struct tracecmd_output *handle, const char *kallsyms);
int tracecmd_output_set_version(struct tracecmd_output *handle, int file_version);
int tracecmd_output_write_headers(struct tracecmd_output *handle, struct tracecmd_event_list *list);
int tracecmd_write_cmdlines(struct tracecmd_output *handle);
int tracecmd_write_cpus(struct tracecmd_output *handle, int cpus);
int tracecmd_write_options(struct tracecmd_output *handle);
int tracecmd_write_cpu_data(struct tracecmd_output *handle, int cpus, char *const *cpu_data_files,
			    const char *buff_name);
void tracecmd_output_close(struct tracecmd_output *handle);

/* Options (trace-cmd-private.h's enum; the values are the file format's): */
#define TRACECMD_OPTION_CPUSTAT	   2 /* one per CPU: "CPU: N\n" + the kernel's per-CPU stats text */
#define TRACECMD_OPTION_TRACECLOCK 4 /* the file saves its trace clock (the tracing dir's trace_clock) */
struct tracecmd_option;
struct tracecmd_option *tracecmd_add_option(struct tracecmd_output *handle, unsigned short id, int size,
					    const void *data);

#endif
