/* Reading the nullcall inmate's result line (format in nullcall_stats.h) out of a console log. */
#ifndef TESSERA_BENCH_NULLCALL_PARSE_H
#define TESSERA_BENCH_NULLCALL_PARSE_H

#include "nullcall_stats.h"

/*
 * Find the last "nullcall: calls=..." line in `text` (a whole console log; a "[cell] " prefix is fine)
 * and fill *r. 0, or -1 when there is no such line or a field is missing or malformed.
 */
int nullcall_parse(const char *text, struct nullcall_result *r);

#endif
