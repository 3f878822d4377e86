/*
 * The hypervisor's printf against the host libc's, on the formats the console prints most: `out/bench_format`.
 * Compare two builds with Google Benchmark's compare.py:
 *   out/bench_format --benchmark_repetitions=10 --benchmark_out=a.json   (then b.json on the other build)
 *   compare.py benchmarks a.json b.json
 */
#include <stdio.h>
#include <tessera/format.h>
#include "harness.h"

static char buf[256];

BENCH(format_decimal)
{
	while (bench_loop(state))
		bench_do_not_optimize(format_snprintf(buf, sizeof(buf), "%d", 123456789));
}

BENCH(libc_decimal)
{
	while (bench_loop(state))
		bench_do_not_optimize(snprintf(buf, sizeof(buf), "%d", 123456789));
}

BENCH(format_log_line)
{
	while (bench_loop(state))
		bench_do_not_optimize(format_snprintf(buf, sizeof(buf),
						      "cell %s: cpu %u exit %#llx at %016llx (%d)", "linux",
						      3u, 0x7bULL, 0xffffffff81000000ULL, -22));
}

BENCH(libc_log_line)
{
	while (bench_loop(state))
		bench_do_not_optimize(snprintf(buf, sizeof(buf), "cell %s: cpu %u exit %#llx at %016llx (%d)",
					       "linux", 3u, 0x7bULL, 0xffffffff81000000ULL, -22));
}

/* The string comes through a volatile pointer so that gcc neither warns about nor folds the truncation. */
static const char *volatile long_string = "a string longer than the buffer";

BENCH(format_truncated)
{
	char small[8];
	while (bench_loop(state))
		bench_do_not_optimize(format_snprintf(small, sizeof(small), "%s", long_string));
}

BENCH(libc_truncated)
{
	char small[8];
	while (bench_loop(state))
		bench_do_not_optimize(snprintf(small, sizeof(small), "%s", long_string));
}

int main(int argc, char **argv)
{
	return bench_main(argc, argv);
}
