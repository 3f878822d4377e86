/* A lab_hooks on_line callback that keeps the whole console as one text, for callers that parse it
 * after the boot (bench exit-cost, bench trace-cost) or show it when a boot failed. */
#ifndef TESSERA_LAB_CONSOLE_TEXT_H
#define TESSERA_LAB_CONSOLE_TEXT_H

#include <stddef.h>

struct lab_console_text {
	char *text; /* every line with a '\n', NUL-terminated; NULL before the first line */
	size_t len, cap;
	int failed; /* out of memory: lines were lost */
};

/* on_line with ctx = a zeroed struct lab_console_text. Never asks for a stop. */
int lab_console_text_add(const char *line, void *ctx);
/* The text, handed over to the caller (free() it); "" rather than NULL when there was no line, NULL only
 * when out of memory. The struct is empty again afterwards. */
char *lab_console_text_take(struct lab_console_text *c);

#endif
