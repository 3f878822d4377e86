/*
 * `tessera trace`: record | report | convert | catalog | synth. See usage() for the options.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "formats.h"
#include "host_writer.h"
#include "record.h"
#include "report.h"
#include "tracedir.h"

int cmd_trace(int argc, char **argv);

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tessera trace record [-e EVENTS] [--cell NAME] [--ring BYTES] -o DIR [-- "
		"RUN-OPTIONS]\n"
		"       tessera trace report DIR [--timeline|--json|--csv] [--histogram]\n"
		"       tessera trace convert DIR --to ctf|tracedat [-o OUT]\n"
		"       tessera trace catalog [--markdown|--ftrace|--ctf]\n"
		"       tessera trace synth DIR [--cpus N] [--rounds N] [--ring BYTES]\n"
		"\n"
		"report    per cell and vCPU: exits by reason with handler times, ports, MSRs, addresses,\n"
		"          hypercalls, injections, guest/hypervisor time, losses (tessera trace report "
		"--help).\n"
		"convert   ctf: a CTF 1.8 trace in OUT (default DIR/ctf) for babeltrace2 and Trace Compass;\n"
		"          tracedat: OUT (default DIR/trace.dat) for trace-cmd report and KernelShark.\n"
		"catalog   the event catalog as docs/trace-events.md, ftrace format files, or CTF metadata.\n"
		"synth     writes a synthetic trace through the real rings (for tests and demos).\n"
		"record    boots the system as `tessera run` does and drains the hypervisor's rings live\n"
		"          into DIR (see tessera trace record --help).\n");
}

static bool is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

/* Each subcommand's own usage (`tessera trace SUB --help`); report's is report_usage below. */
static const char convert_usage[] =
	"usage: tessera trace convert DIR --to ctf|tracedat [-o OUT]\n"
	"\n"
	"  --to ctf       a CTF 1.8 trace in OUT (default DIR/ctf) for babeltrace2 and Trace Compass: a\n"
	"                 packet per loss (events_discarded), raw TSC time stamps on the host's monotonic\n"
	"                 clock when the recording synced clocks (then babeltrace2 reads it together with\n"
	"                 an LTTng trace of the host tools)\n"
	"  --to tracedat  OUT (default DIR/trace.dat) for trace-cmd report and KernelShark: losses in the\n"
	"                 ring-buffer pages, per-CPU stats, the trace clock, hv/N and per-vCPU tasks with\n"
	"                 sched_switch at each exit and entry\n"
	"  -o OUT         where to write\n"
	"  -h, --help     this text\n"
	"\n"
	"Exit status: 0 done, 1 the trace cannot be read or written, 2 bad options.\n";
static const char catalog_usage[] =
	"usage: tessera trace catalog [--markdown|--ftrace|--ctf]\n"
	"\n"
	"The event catalog (trace/events.h) as docs/trace-events.md (--markdown, the default), as ftrace\n"
	"format files (--ftrace) or as CTF metadata with a placeholder clock (--ctf).\n";
static const char synth_usage[] =
	"usage: tessera trace synth DIR [--cpus N] [--rounds N] [--ring BYTES]\n"
	"\n"
	"Writes a synthetic trace into DIR through the real rings (for tests and demos): N CPUs (default "
	"2),\n"
	"N rounds of exits (default 1000), rings of BYTES (a power of two >= 256, default 65536).\n";

/* `tessera trace SUB --help` anywhere among SUB's arguments: the usage on stdout, success. */
static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (is_help(argv[i]))
			return true;
	return false;
}

static int load(struct trace_dir *td, const char *dir)
{
	char err[512];

	if (trace_dir_load(td, dir, err, sizeof(err))) {
		fprintf(stderr, "tessera trace: %s\n", err);
		return -1;
	}
	return 0;
}

static const char report_usage[] =
	"usage: tessera trace report DIR [--timeline | --json | --csv] [--histogram]\n"
	"\n"
	"Per cell, and per vCPU for cells with several: guest, hypervisor and lost time; exits by reason;\n"
	"port, MSR and nested-page-fault exits by address; hypercalls by number (all with handler time,\n"
	"exit -> entry); injections by vector and kind (injection -> the guest resumes). Columns: count,\n"
	"share (of the table's count), total time, Time% (of the table's total time), min, median, mean,\n"
	"+-stddev, p99, max, and the hypervisor's own count of each exit reason (hv count). No latency\n"
	"spans a loss: intervals with lost records inside are excluded and counted, and the time from the\n"
	"last record before a loss to the first after it is lost time. Then losses per CPU and event.\n"
	"\n"
	"  --timeline    every record in time order, one line each, indented by CPU\n"
	"  --json        everything above as JSON (tables per cell and per vCPU, with log2 histograms)\n"
	"  --csv         the tables as CSV, one row per table row (cell, cpu -1 for the whole cell)\n"
	"  --histogram   log2 histograms of every latency row under it (text)\n"
	"  -h, --help    this text\n"
	"\n"
	"Exit status: 0 done, 1 the trace cannot be read, 2 bad options.\n";

static int do_report(int argc, char **argv)
{
	enum trace_report_format fmt = TRACE_REPORT_TEXT;
	struct trace_dir td;
	bool timeline = false, histogram = false;
	const char *dir = NULL;

	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(report_usage, stdout);
			return 0;
		}
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--timeline"))
			timeline = true;
		else if (!strcmp(argv[i], "--json"))
			fmt = TRACE_REPORT_JSON;
		else if (!strcmp(argv[i], "--csv"))
			fmt = TRACE_REPORT_CSV;
		else if (!strcmp(argv[i], "--histogram"))
			histogram = true;
		else if (!dir && argv[i][0] != '-')
			dir = argv[i];
		else
			return fprintf(stderr, "tessera trace report: unknown option '%s'\n%s", argv[i],
				       report_usage),
			       2;
	}
	if (!dir || (timeline && fmt != TRACE_REPORT_TEXT))
		return fputs(report_usage, stderr), 2;
	if (load(&td, dir))
		return 1;
	if (timeline)
		trace_report_timeline(stdout, &td);
	else
		trace_report_as(stdout, &td, fmt, histogram);
	trace_dir_free(&td);
	return 0;
}

static int do_convert(int argc, char **argv)
{
	const char *dir = NULL, *to = NULL, *out = NULL;
	char path[4096], err[512];
	struct trace_dir td;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--to") && i + 1 < argc)
			to = argv[++i];
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!dir && argv[i][0] != '-')
			dir = argv[i];
		else
			return usage(stderr), 2;
	}
	if (!dir || !to || (strcmp(to, "ctf") && strcmp(to, "tracedat")))
		return usage(stderr), 2;
	if (load(&td, dir))
		return 1;
	bool ctf = !strcmp(to, "ctf");
	if (!out) {
		snprintf(path, sizeof(path), "%s/%s", dir, ctf ? "ctf" : "trace.dat");
		out = path;
	}
	ret = ctf ? trace_convert_ctf(&td, out, err, sizeof(err))
		  : trace_convert_tracedat(&td, out, err, sizeof(err));
	trace_dir_free(&td);
	if (ret) {
		fprintf(stderr, "tessera trace convert: %s\n", err);
		return 1;
	}
	printf("%s\n", out);
	return 0;
}

static int do_catalog(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "--markdown";

	if (!strcmp(what, "--markdown")) {
		trace_format_markdown(stdout);
	} else if (!strcmp(what, "--ftrace")) {
		for (unsigned int i = 0; i < trace_event_count(); i++) {
			trace_format_ftrace(stdout, trace_event_at(i));
			printf("\n");
		}
	} else if (!strcmp(what, "--ctf")) {
		trace_format_ctf_metadata(stdout, NULL);
	} else {
		return usage(stderr), 2;
	}
	return 0;
}

static int do_synth(int argc, char **argv)
{
	unsigned int cpus = 2, rounds = 1000;
	unsigned long ring = 1 << 16;
	struct trace_synth_stats st;
	const char *dir = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cpus") && i + 1 < argc)
			cpus = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--ring") && i + 1 < argc)
			ring = strtoul(argv[++i], NULL, 0);
		else if (!dir && argv[i][0] != '-')
			dir = argv[i];
		else
			return usage(stderr), 2;
	}
	if (!dir || !cpus || cpus > TESSERA_TRACE_MAX_CPUS || ring < 256 || (ring & (ring - 1)))
		return usage(stderr), 2;
	if (trace_synth_write(dir, cpus, rounds, ring, 1, &st)) {
		perror("tessera trace synth");
		return 1;
	}
	printf("%s: %llu events\n", dir, (unsigned long long)st.events);
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	if (argc < 2 || is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	bool known = !strcmp(argv[1], "convert") || !strcmp(argv[1], "catalog") || !strcmp(argv[1], "synth");
	if (known && wants_help(argc - 1, argv + 1)) {
		fputs(!strcmp(argv[1], "convert")   ? convert_usage
		      : !strcmp(argv[1], "catalog") ? catalog_usage
						    : synth_usage,
		      stdout);
		return 0;
	}
	if (!strcmp(argv[1], "report"))
		return do_report(argc - 1, argv + 1);
	if (!strcmp(argv[1], "convert"))
		return do_convert(argc - 1, argv + 1);
	if (!strcmp(argv[1], "catalog"))
		return do_catalog(argc - 1, argv + 1);
	if (!strcmp(argv[1], "synth"))
		return do_synth(argc - 1, argv + 1);
	if (!strcmp(argv[1], "record"))
		return trace_record_main(argc - 1, argv + 1);
	fprintf(stderr, "tessera trace: unknown subcommand '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
