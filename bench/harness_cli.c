/* The harness's command line (Google Benchmark's --benchmark_* flags) and its main(). */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

/* "--name=value" → value, or NULL when `arg` is another flag. */
static const char *flag_value(const char *arg, const char *name)
{
	size_t n = strlen(name);
	return !strncmp(arg, name, n) && arg[n] == '=' ? arg + n + 1 : NULL;
}

/* "0.5s", "0.5" (seconds) or "1000x" (iterations). */
static int parse_min_time(const char *v, struct bench_options *opts)
{
	char *end;

	errno = 0;
	double d = strtod(v, &end);
	if (end == v || errno || d < 0)
		return -1;
	if (*end == 'x' && end[1] == '\0') {
		if (d < 1 || d != (double)(uint64_t)d)
			return -1;
		opts->fixed_iterations = (uint64_t)d;
		return 0;
	}
	if (*end == 's')
		end++;
	if (*end)
		return -1;
	opts->min_time = d;
	opts->fixed_iterations = 0;
	return 0;
}

int bench_parse_args(int argc, char **argv, struct bench_options *opts)
{
	*opts = (struct bench_options){
		.filter = NULL,
		.repetitions = 1,
		.min_time = 0.5,
		.format = BENCH_CONSOLE,
		.executable = argc > 0 ? argv[0] : "",
	};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		char *end;
		if ((v = flag_value(a, "--benchmark_filter"))) {
			opts->filter = v;
		} else if ((v = flag_value(a, "--benchmark_repetitions"))) {
			long n = strtol(v, &end, 10);
			if (end == v || *end || n < 1 || n > 100000) {
				fprintf(stderr,
					"bench: --benchmark_repetitions wants a count >= 1, not '%s'\n", v);
				return -1;
			}
			opts->repetitions = (unsigned int)n;
		} else if ((v = flag_value(a, "--benchmark_min_time"))) {
			if (parse_min_time(v, opts)) {
				fprintf(stderr,
					"bench: --benchmark_min_time wants '0.5s' or '1000x', not '%s'\n", v);
				return -1;
			}
		} else if ((v = flag_value(a, "--benchmark_format"))) {
			if (!strcmp(v, "console")) {
				opts->format = BENCH_CONSOLE;
			} else if (!strcmp(v, "json")) {
				opts->format = BENCH_JSON;
			} else {
				fprintf(stderr, "bench: --benchmark_format is console or json, not '%s'\n",
					v);
				return -1;
			}
		} else if ((v = flag_value(a, "--benchmark_out"))) {
			opts->out = v;
		} else if ((v = flag_value(a, "--benchmark_out_format"))) {
			if (strcmp(v, "json")) {
				fprintf(stderr,
					"bench: --benchmark_out_format: only json is supported, not '%s'\n",
					v);
				return -1;
			}
		} else {
			fprintf(stderr,
				"bench: unknown argument '%s'\n"
				"usage: %s [--benchmark_filter=REGEX] [--benchmark_repetitions=N]\n"
				"          [--benchmark_min_time=0.5s|Nx] [--benchmark_format=console|json]\n"
				"          [--benchmark_out=FILE] [--benchmark_out_format=json]\n",
				a, opts->executable);
			return -1;
		}
	}
	return 0;
}

static const size_t json_flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17);

int bench_main(int argc, char **argv)
{
	struct bench_options opts;

	if (bench_parse_args(argc, argv, &opts))
		return 2;
	json_t *doc = bench_run(&opts, NULL);
	if (!doc)
		return 1;
	int status = 0;
	if (opts.out && json_dump_file(doc, opts.out, json_flags)) {
		fprintf(stderr, "bench: cannot write %s\n", opts.out);
		status = 1;
	}
	if (opts.format == BENCH_JSON) {
		json_dumpf(doc, stdout, json_flags);
		fputc('\n', stdout);
	} else {
		bench_print_console(doc, stdout);
	}
	json_decref(doc);
	return status;
}
