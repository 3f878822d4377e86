/* Parsing the nullcall result line (see nullcall_parse.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nullcall_parse.h"

#define LINE_TAG "nullcall: calls="

/* The value of " key=" within [line, end); -1 if absent or not a decimal number. */
static int field(const char *line, const char *end, const char *key, uint64_t *v)
{
	size_t klen = strlen(key);

	for (const char *p = line; p + klen + 1 < end; p++) {
		if ((p != line && p[-1] != ' ') || strncmp(p, key, klen) || p[klen] != '=')
			continue;
		const char *num = p + klen + 1;
		char *stop;
		if (*num < '0' || *num > '9')
			return -1;
		errno = 0;
		unsigned long long x = strtoull(num, &stop, 10);
		if (errno || stop > end || (stop < end && *stop != ' ' && *stop != '\n' && *stop != '\r'))
			return -1;
		*v = x;
		return 0;
	}
	return -1;
}

int nullcall_parse(const char *text, struct nullcall_result *r)
{
	const char *line = NULL;

	for (const char *p = strstr(text, LINE_TAG); p; p = strstr(p + 1, LINE_TAG))
		line = p;
	if (!line)
		return -1;
	line += strlen("nullcall: ");
	const char *end = strchr(line, '\n');
	if (!end)
		end = line + strlen(line);
	struct nullcall_result x;
	if (field(line, end, "calls", &x.calls) || field(line, end, "call_min", &x.call_min) ||
	    field(line, end, "call_median", &x.call_median) || field(line, end, "empty_min", &x.empty_min) ||
	    field(line, end, "empty_median", &x.empty_median) || field(line, end, "net", &x.net) ||
	    field(line, end, "total", &x.total) || field(line, end, "loop_check", &x.loop_check))
		return -1;
	*r = x;
	return 0;
}
