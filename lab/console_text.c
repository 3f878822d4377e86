/* The console as one text (console_text.h). */
#include <stdlib.h>
#include <string.h>

#include "console_text.h"

int lab_console_text_add(const char *line, void *ctx)
{
	struct lab_console_text *c = ctx;
	size_t n = strlen(line);

	if (c->failed)
		return 0;
	if (c->len + n + 2 > c->cap) {
		size_t cap = c->cap ? c->cap : 65536;
		while (c->len + n + 2 > cap)
			cap *= 2;
		char *bigger = realloc(c->text, cap);
		if (!bigger) {
			c->failed = 1;
			return 0;
		}
		c->text = bigger;
		c->cap = cap;
	}
	memcpy(c->text + c->len, line, n);
	c->len += n;
	c->text[c->len++] = '\n';
	c->text[c->len] = '\0';
	return 0;
}

char *lab_console_text_take(struct lab_console_text *c)
{
	char *t = c->text ? c->text : strdup("");

	*c = (struct lab_console_text){0};
	return t;
}
