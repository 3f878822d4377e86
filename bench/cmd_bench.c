/*
 * `tessera bench`: benchmarks of the hypervisor and of its tools, and the tools that read their results
 * (compare, export, report, history, bisect, selftest, simulate: bench_lab.h). The benchmark so far:
 *
 *   tessera bench trace-cost   the host micro-benchmarks of bench_trace_cost (our ring writer against
 *                              LTTng-UST, Google Benchmark JSON to a file, the console table to stdout),
 *                              then the nullcall config booted under -icount shift=0,sleep=off with
 *                              tracing off and on: instructions per null hypercall side by side.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cli/commands.h"
#include "exit_cost_run.h"
#include "bench_lab.h"
#include "nullcall_parse.h"
#include "trace_cost_run.h"

static const char exit_cost_usage[] =
	"usage: tessera bench exit-cost [--calls N] [--rows LIST] [--all] [--out FILE] [--config FILE]\n"
	"                               [--append ARGS] [--records DIR]\n"
	"\n"
	"The hypervisor's instructions per exit, by kind (null hypercall, CPUID, granted MSR, denied port\n"
	"and memory under the inject policy, vLAPIC MMIO read and ICR write, a self-IPI delivered, a timer\n"
	"interrupt delivered, a doorbell to another cell: sender, receiver and sum): the exitbench\n"
	"inmate booted once per tracing case under -icount shift=0,sleep=off, where its TSC counts\n"
	"instructions; the doorbell's two CPUs are counted from QEMU's instruction log in a boot of\n"
	"their own (slow: about a minute; docs/performance.md). Each figure is\n"
	"printed with its goal; exit status 1 when one exceeds it (a regression gate: the counts are "
	"exact).\n"
	"\n"
	"  --calls N     samples per boot (default 200)\n"
	"  --rows LIST   only these rows, comma-separated: hypercall,cpuid,msr,port,mem,apic_read,apic_icr,\n"
	"                ipi,timer,doorbell_send,doorbell_recv,doorbell (any doorbell row runs all three)\n"
	"  --all         also with a trace channel: all events off (goal: at most 10 over tracing off)\n"
	"                and all on (default: tracing off only)\n"
	"  --out FILE    Google Benchmark JSON (instructions as the time, for compare.py)\n"
	"  --config FILE the exitbench system (default configs/bench-exit.yaml)\n"
	"  --append ARGS more hypervisor command line for every boot, e.g. \"bench_exit_work=1000\"\n"
	"                (docs/performance.md: each exit then costs a known amount more)\n"
	"  --records DIR each boot's run record as DIR/CASE.json (doorbell boots: doorbell-CASE.json);\n"
	"                default: beside --out FILE.json as FILE-run-records/, else\n"
	"                out/bench-exit-cost-run-records/\n"
	"\n"
	"Exit status: 0 every goal held, 1 a boot failed or a goal was exceeded, 2 bad options.\n";

static const char bench_usage[] =
	"usage: tessera bench trace-cost [options]\n"
	"       tessera bench exit-cost [options]   (tessera bench exit-cost --help)\n"
	"\n"
	"The cost of tracing. On the host: our ring writer and an LTTng-UST tracepoint, each enabled "
	"(LTTng:\n"
	"a session records it; lttng-sessiond is started if none runs) and disabled, in one run of\n"
	"bench_trace_cost (Google Benchmark JSON). In the hypervisor: the nullcall inmate booted under\n"
	"-icount shift=0,sleep=off, where its TSC counts instructions: the instructions of one null "
	"hypercall\n"
	"round trip with tracing off and with tracing on. Those counts are the same in every run.\n"
	"\n"
	"  --out FILE       the Google Benchmark JSON (default: bench-trace-cost.json in the build\n"
	"                   directory, beside the tessera executable: out/ for ./tessera)\n"
	"  --min-time T     --benchmark_min_time of the host benchmarks (default 0.5s; \"1000x\" works)\n"
	"  --config FILE    the nullcall system (default configs/bench-nullcall.yaml)\n"
	"  --boots N        boot each case N times and fail unless the counts agree (default 1)\n"
	"  --no-host        skip the host benchmarks\n"
	"  --no-hv          skip the nullcall boots\n"
	"  -h, --help       this text\n"
	"\n"
	"Exit status: 0 done, 1 a benchmark or a boot failed (or counts differed between boots), 2 bad "
	"options,\n130 or 143 stopped by SIGINT or SIGTERM (the running boot is stopped first).\n";

static int parse_options(int argc, char **argv, struct trace_cost_options *o)
{
	/* .out NULL: the build directory's bench-trace-cost.json (never the current directory, which for
	 * ./tessera is the source tree) */
	*o = (struct trace_cost_options){.out = NULL, .min_time = "0.5s", .boots = 1};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			o->help = true;
		} else if (!strcmp(a, "--no-host")) {
			o->no_host = true;
		} else if (!strcmp(a, "--no-hv")) {
			o->no_hv = true;
		} else if ((!strcmp(a, "--out") || !strcmp(a, "--min-time") || !strcmp(a, "--config") ||
			    !strcmp(a, "--boots")) &&
			   next) {
			i++;
			if (!strcmp(a, "--out")) {
				o->out = next;
			} else if (!strcmp(a, "--min-time")) {
				o->min_time = next;
			} else if (!strcmp(a, "--config")) {
				o->config = next;
			} else {
				char *end;
				errno = 0;
				long n = strtol(next, &end, 10);
				if (errno || *end || n < 1 || n > 100) {
					fprintf(stderr, "tessera bench: --boots wants 1..100, not '%s'\n",
						next);
					return 2;
				}
				o->boots = (unsigned int)n;
			}
		} else {
			fprintf(stderr, "tessera bench trace-cost: unknown or incomplete option '%s'\n%s", a,
				bench_usage);
			return 2;
		}
	}
	return 0;
}

/* faultinj/campaign/cmd_throughput.c. Weak: bench's unit tests link it without the campaigns (whose
 * report needs bench: a dependency the other way round would be a cycle). */
int campaign_cmd_throughput(int argc, char **argv) __attribute__((weak));

int cmd_bench(int argc, char **argv)
{
	struct trace_cost_options o;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		FILE *f = argc < 2 ? stderr : stdout;
		fputs("usage: tessera bench COMMAND [options]   (every command has --help)\n\n"
		      "The lab (its database and Google Benchmark JSON):\n",
		      f);
		bench_lab_usage(f);
		fputs("The hypervisor's own costs:\n"
		      "  tessera bench trace-cost [options]: tracing's cost, on the host and in the "
		      "hypervisor\n"
		      "  tessera bench exit-cost [options]: instructions per exit, by kind, each against its "
		      "goal\n"
		      "\ntessera bench trace-cost:\n",
		      f);
		fputs(bench_usage, f);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "exit-cost")) {
		struct exit_cost_options e;
		int r = exit_cost_parse_options(argc - 1, argv + 1, &e);
		if (r) {
			fputs(exit_cost_usage, stderr);
			return r;
		}
		if (e.help) {
			fputs(exit_cost_usage, stdout);
			return 0;
		}
		return exit_cost_run(&e);
	}
	if (!strcmp(argv[1], "fi-throughput") && campaign_cmd_throughput)
		return campaign_cmd_throughput(argc - 1, argv + 1);
	int lab = bench_lab_dispatch(argc - 1, argv + 1);
	if (lab >= 0)
		return lab;
	if (strcmp(argv[1], "trace-cost")) {
		fprintf(stderr, "tessera bench: unknown benchmark '%s'\n%s", argv[1], bench_usage);
		return 2;
	}
	int ret = parse_options(argc - 1, argv + 1, &o);
	if (ret)
		return ret;
	if (o.help) {
		fputs(bench_usage, stdout);
		return 0;
	}
	return trace_cost_run(&o);
}
