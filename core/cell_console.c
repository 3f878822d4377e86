/*
 * Cell console: text a cell writes by hypercall, printed one line at a time as "[name] text" so that
 * lines of different cells never mix. Each vCPU keeps its partial line until the newline.
 */
#include <tessera/cell.h>
#include <tessera/console.h>

static void line_emit(struct vcpu *v)
{
	unsigned long flags = console_lock();

	console_printf_locked("[%s] %.*s\n", v->cell->name, (int)v->line_len, v->line);
	console_unlock(flags);
	v->line_len = 0;
}

void cell_console_write(struct vcpu *v, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (ch == '\n') {
			line_emit(v);
			continue;
		}
		if (ch == '\r')
			continue;
		/* Keep the console readable: control characters become '?'. */
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			ch = '?';
		v->line[v->line_len++] = ch;
		if (v->line_len == sizeof(v->line))
			line_emit(v);
	}
}

void cell_console_flush(struct vcpu *v)
{
	if (v->line_len)
		line_emit(v);
}
