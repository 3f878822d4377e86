/*
 * Guest console output: printf on core/format.c. Each CPU buffers its own line and sends it with one
 * CONSOLE_WRITE hypercall at '\n' (or when the buffer fills), so lines from several CPUs never mix.
 */
#ifndef GUEST_PRINT_H
#define GUEST_PRINT_H

#include <stdarg.h>
#include <tessera/compiler.h>

#define PRINT_LINE_MAX 200

int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);
void print_flush(void);

#endif
