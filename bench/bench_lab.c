/* The dispatch table of the results commands (bench_lab.h) and the option parsers they share. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_lab.h"

static const struct {
	const char *name, *summary;
	int (*fn)(int argc, char **argv);
} lab_commands[] = {
#define X(name, summary) {#name, summary, bench_cmd_##name},
	BENCH_LAB_COMMANDS(X)
#undef X
};

int bench_lab_dispatch(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(lab_commands) / sizeof(lab_commands[0]); i++)
		if (!strcmp(argv[0], lab_commands[i].name))
			return lab_commands[i].fn(argc, argv);
	return -1;
}

void bench_lab_usage(FILE *f)
{
	for (size_t i = 0; i < sizeof(lab_commands) / sizeof(lab_commands[0]); i++)
		fprintf(f, "  tessera bench %s\n", lab_commands[i].summary);
}

int bench_parse_margin(const char *cmd, const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (*end == '%') {
		v /= 100;
		end++;
	}
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v >= 1) {
		fprintf(stderr,
			"tessera bench %s: --margin wants a relative margin such as 2%% or 0.02, not '%s'\n",
			cmd, s);
		return -1;
	}
	*out = v;
	return 0;
}

int bench_parse_fraction(const char *cmd, const char *opt, const char *s, bool zero_ok, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (*end || !((zero_ok ? v >= 0 : v > 0) && v < 1)) {
		fprintf(stderr, "tessera bench %s: %s wants 0..1, not '%s'\n", cmd, opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

int bench_parse_change(const char *cmd, const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (*end == '%') {
		v /= 100;
		end++;
	}
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 100) {
		fprintf(stderr,
			"tessera bench %s: --min-change wants a relative change such as 10%% or 0.1, not "
			"'%s'\n",
			cmd, s);
		return -1;
	}
	*out = v;
	return 0;
}

int bench_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max) {
		fprintf(stderr, "tessera bench %s: %s wants a whole number up to %llu, not '%s'\n", cmd, opt,
			(unsigned long long)max, s);
		return -1;
	}
	*out = v;
	return 0;
}
