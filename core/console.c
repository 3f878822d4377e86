/*
 * Console lines: "[cpuN] text", "[cpuN] WARN: text", "[cpuN] ERROR: text". One lock keeps lines from
 * several CPUs whole; interrupts are masked while it is held so that an interrupt handler that prints on the
 * same CPU cannot deadlock.
 */
#include <tessera/arch.h>
#include <tessera/console.h>
#include <tessera/format.h>
#include <tessera/spinlock.h>
#include <tessera/string.h>

#define LINE_MAX 320 /* a config error with its reason fits */

static struct spinlock console_spin = SPINLOCK_INIT;
static enum log_level current_level = LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void console_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level console_level(void)
{
	return current_level;
}

int console_parse_level(const char *name, size_t len)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(level_names); i++)
		if (strlen(level_names[i]) == len && !strncmp(level_names[i], name, len))
			return (int)i;
	return -1;
}

unsigned long console_lock(void)
{
	unsigned long flags = arch_irq_save();
	spin_lock(&console_spin);
	return flags;
}

bool console_lock_bounded(unsigned long *flags)
{
	/* About a second: far longer than any line takes to print, so a miss means a holder that never lets go. */
	uint64_t hz = arch_timestamp_hz(), start = arch_timestamp();
	unsigned long spins = 0;

	*flags = arch_irq_save();
	while (!spin_trylock(&console_spin)) {
		/* before the timer is calibrated hz is 0: count spins instead */
		if (hz ? arch_timestamp() - start > hz : ++spins > 100000000UL)
			return false;
		arch_cpu_relax();
	}
	return true;
}

/* The line console_write_line_nowait() left for the lock's holder: EMPTY -> FILLING -> READY -> EMPTY. */
enum { DEFERRED_EMPTY, DEFERRED_FILLING, DEFERRED_READY };
static uint32_t deferred_state;
static char deferred_line[LINE_MAX];
static size_t deferred_len;

/* With the lock held: write the deferred line, if one is ready. */
static void console_flush_deferred(void)
{
	if (__atomic_load_n(&deferred_state, __ATOMIC_ACQUIRE) != DEFERRED_READY)
		return;
	arch_console_write(deferred_line, deferred_len);
	__atomic_store_n(&deferred_state, DEFERRED_EMPTY, __ATOMIC_RELEASE);
}

void console_unlock(unsigned long flags)
{
	console_flush_deferred();
	spin_unlock(&console_spin);
	arch_irq_restore(flags);
}

bool console_write_line_nowait(const char *s, size_t len)
{
	uint32_t empty = DEFERRED_EMPTY;

	if (spin_trylock(&console_spin)) {
		console_flush_deferred();
		arch_console_write(s, len);
		spin_unlock(&console_spin);
		return true;
	}
	if (!__atomic_compare_exchange_n(&deferred_state, &empty, DEFERRED_FILLING, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return false;
	deferred_len = MIN(len, sizeof(deferred_line));
	memcpy(deferred_line, s, deferred_len);
	__atomic_store_n(&deferred_state, DEFERRED_READY, __ATOMIC_RELEASE);
	/* The holder may have let go meanwhile: then nobody would write it until the next line. */
	if (spin_trylock(&console_spin)) {
		console_flush_deferred();
		spin_unlock(&console_spin);
	}
	return true;
}

void console_write_raw(const char *s, size_t len)
{
	arch_console_write(s, len);
}

void console_printf_locked(const char *fmt, ...)
{
	char line[LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	int n = format_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	arch_console_write(line, MIN((size_t)n, sizeof(line) - 1));
}

void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const tags[] = {"ERROR: ", "WARN: ", "", ""};
	char text[LINE_MAX], line[LINE_MAX];

	if (level > current_level)
		return;
	int n = format_snprintf(line, sizeof(line), "[cpu%u] %s", arch_cpu_id(), tags[level]);
	int len = format_vsnprintf(text, sizeof(text), fmt, ap);
	bool cut = len >= (int)sizeof(text) - 1;

	len = MIN(len, (int)sizeof(text) - 1);
	if (len > 0 && text[len - 1] == '\n')
		len--; /* the one newline a line may end with; any other is escaped */
	n += (int)console_escape(line + n, sizeof(line) - (size_t)n, text, (size_t)len);
	if (cut || (size_t)n >= sizeof(line) - 5) {
		/* Truncated (or as good as): end the line anyway and show that something was cut. */
		n = sizeof(line) - 1;
		line[n - 4] = '.';
		line[n - 3] = '.';
		line[n - 2] = '.';
		line[n - 1] = '\n';
	} else {
		line[n++] = '\n';
	}
	unsigned long flags = console_lock();
	arch_console_write(line, (size_t)n);
	console_unlock(flags);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}
