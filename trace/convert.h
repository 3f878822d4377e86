/* Converters of a trace directory into formats other tools read (host only). 0, or -1 with a message. */
#ifndef TESSERA_TRACE_CONVERT_H
#define TESSERA_TRACE_CONVERT_H

#include <stddef.h>

#include "tracedir.h"

/* CTF 1.8 (babeltrace2, Trace Compass): OUT/metadata and one stream file per CPU. */
int trace_convert_ctf(const struct trace_dir *td, const char *out_dir, char *err, size_t err_len);
/* trace.dat version 6, written by libtracecmd (trace-cmd report, KernelShark), event formats embedded. */
int trace_convert_tracedat(const struct trace_dir *td, const char *out_file, char *err, size_t err_len);

#endif
