/* The BENCH line printer and the workloads' arguments (guest/bench.h). */
#include <stdarg.h>
#include <guest/bench.h>
#include <guest/hypercall.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <tessera/abi/results.h>
#include <tessera/cmdline.h>
#include <tessera/format.h>

static const char *name = "unnamed";
static uint64_t printed;
/* Cleared at the first -ENOTSUP: without a results page, one exit per line for nothing. */
static bool page = true;

/*
 * One result line to both channels: the results page (one record, the line without its newline) and the
 * console. The page first, so that a host reading the page never sees a record whose console line is not
 * already on its way. A full ring is the hypervisor's to count (abi/results.h), not a reason to stop.
 */
void bench_result_line(const char *fmt, ...)
{
	char line[TESSERA_RESULTS_RECORD_MAX + 1];
	va_list ap;

	va_start(ap, fmt);
	int n = format_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && page && (size_t)n < sizeof(line) &&
	    hypercall_results_write(line, (uint64_t)n) == -HV_ENOTSUP)
		page = false;
	printf("%s\n", line);
}

void bench_start(const char *workload)
{
	name = workload;
	printed = 0;
}

void bench_param(const char *key, uint64_t value)
{
	bench_result_line(WORKLOAD_TAG " %s " WORKLOAD_PARAM " %s %lu", name, key, value);
}

void bench_sample(const char *metric, enum workload_unit unit, uint64_t iteration, uint64_t value)
{
	bench_result_line(WORKLOAD_TAG " %s %s %s %lu %lu", name, metric, workload_unit_name(unit), iteration,
			  value);
	printed++;
}

void bench_series(const char *metric, enum workload_unit unit, const uint64_t *v, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		bench_sample(metric, unit, i, v[i]);
}

int bench_done(void)
{
	bench_result_line(WORKLOAD_TAG " %s " WORKLOAD_DONE " samples=%lu", name, printed);
	return 0;
}

void bench_fail(int status, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	runtime_exit(status);
}

uint64_t bench_arg(const char *key, uint64_t def, uint64_t min, uint64_t max)
{
	const char *v;
	size_t len;
	bool ok;
	uint64_t n;

	if (!args_get(key, &v, &len))
		return def;
	n = cmdline_parse_size(v, len, &ok);
	if (!ok || n < min || n > max)
		bench_fail(2, "bad argument %s=%.*s: want a number %lu..%lu", key, (int)len, v, min, max);
	return n;
}
