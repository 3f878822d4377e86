/* `tessera bench report DB -o DIR`: the options; report.c writes the page. */
#include <stdio.h>
#include <string.h>

#include "bench_lab.h"
#include "report.h"

static const char usage[] =
	"usage: tessera bench report DB -o DIR [--run ID] [--baseline A] [--margin M] [--seed N]\n"
	"\n"
	"Writes DIR/index.html: each configuration compared with the baseline (default: the one the\n"
	"plan names first, as in bench compare), per metric three gnuplot figures (SVG): the samples of\n"
	"each configuration, the ratio to the baseline with its 95% CI, the samples in run order (drift);\n"
	"then the run record and its boots.\n"
	"Needs gnuplot (Debian gnuplot-nox).\n"
	"\n"
	"Exit status: 0 written, 1 could not write or plot, 2 bad input.\n";

int bench_cmd_report(int argc, char **argv)
{
	const char *dbpath = NULL, *dir = NULL, *baseline = NULL;
	uint64_t run = 0, seed = 1;
	struct compare_options o = {.margin = 0.02};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (a[0] == '-' && next) {
			i++;
			if (!strcmp(a, "-o")) {
				dir = next;
			} else if (!strcmp(a, "--baseline")) {
				baseline = next;
			} else if (!strcmp(a, "--run")) {
				if (bench_parse_u64("report", a, next, INT64_MAX, &run))
					return 2;
			} else if (!strcmp(a, "--seed")) {
				if (bench_parse_u64("report", a, next, UINT32_MAX, &seed))
					return 2;
			} else if (!strcmp(a, "--margin")) {
				if (bench_parse_margin("report", next, &o.margin))
					return 2;
			} else {
				fprintf(stderr, "tessera bench report: unknown option '%s'\n%s", a, usage);
				return 2;
			}
		} else if (a[0] != '-' && !dbpath) {
			dbpath = a;
		} else {
			fprintf(stderr, "tessera bench report: unexpected '%s'\n%s", a, usage);
			return 2;
		}
	}
	if (!dbpath || !dir) {
		fprintf(stderr, "tessera bench report: wants DB and -o DIR\n%s", usage);
		return 2;
	}
	o.seed = seed;
	struct results_db db;
	if (results_db_open_existing(&db, dbpath))
		return 2;
	int ret = report_write(&db, run ? (int64_t)run : results_db_latest_run(&db), baseline, dir, &o);
	results_db_close(&db);
	if (!ret)
		printf("tessera bench report: %s/index.html\n", dir);
	return ret;
}
