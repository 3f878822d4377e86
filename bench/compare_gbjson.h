/* Google Benchmark JSON (from any producer) into a sample set: one side of `bench compare OLD NEW`. */
#ifndef TESSERA_BENCH_COMPARE_GBJSON_H
#define TESSERA_BENCH_COMPARE_GBJSON_H

#include "sample_set.h"

/*
 * Read path's repetitions (run_type "iteration"; aggregates skipped, errored runs skipped) grouped by
 * run_name, as metrics "RUN_NAME/real_time" and "RUN_NAME/cpu_time" in ns. Returns 0, or 2 with
 * "tessera: FILE:LINE:COL: ..." on stderr for a file that is not such JSON.
 */
int gbjson_load(const char *path, enum sample_side side, struct sample_set *s);

#endif
