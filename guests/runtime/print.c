/* printf for inmates: format into a buffer, then per-CPU line buffering onto CONSOLE_WRITE. */
#include <guest/hypercall.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <tessera/format.h>

struct print_line {
	size_t len;
	char buf[PRINT_LINE_MAX];
	unsigned int lost; /* lines CONSOLE_WRITE refused since the last one that got out */
	int64_t lost_err;  /* the last refusal's error */
};

static struct print_line lines[RUNTIME_MAX_CPUS];

/*
 * A refused line is not written again (a fault-injection target must not mask what was injected; a
 * campaign's outcome depends on what the cell printed), but it is never lost in silence either: the
 * next line that gets out is preceded by how many did not and why. (fiself's first line used to vanish
 * without a word when a guest_copy fail point refused its console write.)
 */
static void loss_report(struct print_line *line)
{
	char text[96];
	int n = format_snprintf(text, sizeof(text), "console: %u line%s lost (console_write error %lld)\n",
				line->lost, line->lost == 1 ? "" : "s", (long long)line->lost_err);

	if (hypercall_console_write(text, n < 0 ? 0 : MIN((size_t)n, sizeof(text) - 1)) >= 0)
		line->lost = 0;
}

static void line_flush(struct print_line *line)
{
	if (!line->len)
		return;
	if (line->lost)
		loss_report(line); /* if refused too, it is tried again before the next line */
	int64_t r = hypercall_console_write(line->buf, line->len);
	if (r < 0) {
		line->lost++;
		line->lost_err = r;
	}
	line->len = 0;
}

void print_flush(void)
{
	struct print_line *line = &lines[cpu_current()];

	line_flush(line);
	if (line->lost)
		loss_report(line); /* the last lines were refused: say so before the cell goes */
}

int vprintf(const char *fmt, va_list ap)
{
	char text[512];
	int n = format_vsnprintf(text, sizeof(text), fmt, ap);
	size_t len = n < 0 ? 0 : MIN((size_t)n, sizeof(text) - 1);
	struct print_line *line = &lines[cpu_current()];

	for (size_t i = 0; i < len; i++) {
		line->buf[line->len++] = text[i];
		if (text[i] == '\n' || line->len == sizeof(line->buf))
			line_flush(line);
	}
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
