/* Inside the harness: the JSON objects of Google Benchmark's schema (see harness_report.c). */
#ifndef TESSERA_BENCH_HARNESS_REPORT_H
#define TESSERA_BENCH_HARNESS_REPORT_H

#include <jansson.h>
#include <stdint.h>

json_t *bench_report_context(const char *executable);
json_t *bench_report_iteration(const char *name, int family, unsigned int repetitions, unsigned int index,
			       uint64_t iterations, double real_ns, double cpu_ns);
/* A run that failed: error_occurred and error_message instead of times (Google Benchmark's SkipWithError). */
json_t *bench_report_error(const char *name, int family, unsigned int repetitions, unsigned int index,
			   const char *message);
json_t *bench_report_aggregate(const char *name, int family, unsigned int repetitions, const char *aggregate,
			       double real, double cpu);

#endif
