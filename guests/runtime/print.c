/* printf for inmates: format into a buffer, then per-CPU line buffering onto CONSOLE_WRITE. */
#include <guest/hypercall.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <tessera/format.h>

struct print_line {
	size_t len;
	char buf[PRINT_LINE_MAX];
};

static struct print_line lines[RUNTIME_MAX_CPUS];

static void line_flush(struct print_line *line)
{
	if (line->len)
		hypercall_console_write(line->buf, line->len);
	line->len = 0;
}

void print_flush(void)
{
	line_flush(&lines[cpu_current()]);
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
