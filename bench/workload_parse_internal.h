/* What workload_parse.c and workload_parse_fi.c share: the line tokenizer and its checks. */
#ifndef TESSERA_BENCH_WORKLOAD_PARSE_INTERNAL_H
#define TESSERA_BENCH_WORKLOAD_PARSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A field of a line being read: where it starts (0-based) and how long it is. */
struct field {
	size_t at, len;
};

/* *col = at + 1, the message (printf format) into err; returns -1. */
int workload_fail(char *err, size_t errsize, unsigned int *col, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Split [from, len) at single spaces into at most max fields; the count, max + 1 when there are more
 * (*bad: the first extra), or -1 on an empty field (two spaces, a leading or trailing space) at *bad. */
int workload_split(const char *s, size_t from, size_t len, struct field *f, int max, size_t *bad);
/* Unsigned decimal, no sign, no leading zeros, at most 2^64 - 1. */
bool workload_number(const char *s, struct field f, uint64_t *v);
/* The console's "[cell] " prefix: its length (0 without one); the name goes to cell (32 bytes). */
size_t workload_cell_prefix(const char *s, size_t len, char *cell);

#endif
