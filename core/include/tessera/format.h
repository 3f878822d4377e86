/*
 * Formatted printing without libc: %d %i %u %x %X %o %p %s %c %%, flags - 0 + space #, width and precision
 * (also *), length modifiers hh h l ll z t j. No floating point (the hypervisor has none).
 * Returns the length the full output would have had, like C's snprintf; output is always NUL-terminated
 * when size > 0.
 *
 * Where it differs from glibc: %p prints like %#lx, so NULL prints "0" (glibc: "(nil)"); an unknown
 * conversion prints '%' and its character ("%y"), dropping flags and width, and consumes no argument, so
 * that the mistake shows in the log; a '%' (with flags or width) at the very end prints nothing.
 */
#ifndef TESSERA_FORMAT_H
#define TESSERA_FORMAT_H

#include <stdarg.h>
#include <tessera/compiler.h>

int format_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int format_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
