/* Reading the hypervisor command line ("loglevel=debug pool=16M test_fault=pagefault"). */
#ifndef TESSERA_CMDLINE_H
#define TESSERA_CMDLINE_H

#include <tessera/compiler.h>

/* Find `key` or `key=value`; value and len give the value (empty for a bare key). */
bool cmdline_get(const char *cmdline, const char *key, const char **value, size_t *len);
bool cmdline_is(const char *value, size_t len, const char *expected);
/* "16M", "4096", "1G" (K, M, G are powers of 1024); *ok false on a malformed size or one over 64 bits. */
uint64_t cmdline_parse_size(const char *value, size_t len, bool *ok);

#endif
