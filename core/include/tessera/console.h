/*
 * The hypervisor console: one line per call, prefixed with the CPU, filtered by log level, and serialized
 * so that lines from several CPUs never interleave.
 */
#ifndef TESSERA_CONSOLE_H
#define TESSERA_CONSOLE_H

#include <stdarg.h>
#include <tessera/compiler.h>

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

void console_set_level(enum log_level level);
enum log_level console_level(void);
/* Parse "error", "warn", "info", "debug"; returns -1 if unknown. */
int console_parse_level(const char *name, size_t len);

void log_printf(enum log_level level, const char *fmt, ...) __printf(2, 3);
void log_vprintf(enum log_level level, const char *fmt, va_list ap);

#define pr_err(...)   log_printf(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...)  log_printf(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  log_printf(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

/*
 * Copy `len` bytes of `src` to `dst` (`size` bytes, NUL-terminated), every byte outside printable ASCII
 * written as \xNN; stops before an escape or character that would not fit. Returns the length written.
 * Every log line goes through it, so no string (a config name, a guest's text) can start a new line.
 */
size_t console_escape(char *dst, size_t size, const char *src, size_t len);

/* Write text as is (no prefix, no level); used by the exception dump while the console lock is held. */
void console_write_raw(const char *s, size_t len);
/*
 * Write one whole line from a context that may have interrupted a holder of the console lock (an NMI):
 * at once when the lock is free, else left for the holder, which writes it when it lets go. Never waits,
 * and never mixes its characters into another CPU's line (a raw write did: the host lost the line).
 * One line at a time: a second one while the first still waits is dropped (false).
 */
bool console_write_line_nowait(const char *s, size_t len);
/* Take and drop the console lock around a multi-line dump, so that it stays in one piece. */
unsigned long console_lock(void);
void console_unlock(unsigned long flags);
/*
 * For fatal paths (exception dump, NMI) that may run on the CPU that already holds the lock: try for about a
 * second, then give up. Returns true with the lock held; false (lock not held, interrupts still masked and
 * their state in *flags) when the caller should print without it.
 */
bool console_lock_bounded(unsigned long *flags);
void console_printf_locked(const char *fmt, ...) __printf(1, 2);

#endif
