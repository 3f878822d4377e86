/* Stop the machine on an internal error: message, backtrace, failure status for the host. */
#ifndef TESSERA_PANIC_H
#define TESSERA_PANIC_H

#include <tessera/compiler.h>

__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#define BUG_ON(cond)                                                             \
	do {                                                                     \
		if (unlikely(cond))                                              \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

#endif
