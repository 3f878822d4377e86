/*
 * `tessera bench trace-cost`: run bench_trace_cost (beside our executable) for the host figures, then boot
 * the nullcall config through the lab's runner in its deterministic mode (what `tessera run ... -- -icount
 * shift=0,sleep=off` boots), once per tracing case and boot, and read the inmate's result line from the
 * console.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lab/console_text.h"
#include "../lab/host_files.h"
#include "../lab/runner.h"
#include "../trace/record.h"
#include "nullcall_parse.h"
#include "trace_cost_run.h"

#define DEFAULT_CONFIG_REL "../configs/bench-nullcall.yaml"
#define BOOT_TIMEOUT	   "300"
#define BOOT_TIMEOUT_S	   300
#define ICOUNT		   "shift=0,sleep=off"

/*
 * The tracing cases of the nullcall boots. "off": as `tessera run`, no host channel, so the hypervisor
 * sets up no rings. "idle": as `tessera trace record` (trace_record_system) with every event disabled
 * (trace_events=0): the channel, the trace hook and the mailbox are there, nothing is written. "on": as
 * `tessera trace record` with every event enabled (its default). The rings are large enough that nothing is lost, so the host's drain
 * timing cannot change what the hypervisor does (a lost record takes a shorter path).
 */
struct trace_case {
	const char *name;
	bool record;	    /* through `tessera trace record` */
	const char *append; /* hypervisor command line, NULL for none */
};

static const struct trace_case cases[] = {
	{"tracing off", false, NULL},
	{"events off", true, "trace_events=0"},
	{"all events on", true, NULL},
};

#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

struct boot_result {
	struct nullcall_result r;
	uint64_t events, lost; /* of the recording; 0 for a plain run */
};

/*
 * Ctrl-C or SIGTERM: pass the signal to the running child (a `tessera run` then stops its QEMU), wait for
 * it, and start nothing more. Without this, SIGTERM (or the death of our parent) left the child booting.
 */
static volatile sig_atomic_t stop_signal;
static volatile pid_t running_child;

static void on_stop(int sig)
{
	stop_signal = sig;
	if (running_child > 0)
		kill(running_child, sig);
}

static void catch_stop_signals(void)
{
	struct sigaction sa = {.sa_handler = on_stop, .sa_flags = SA_RESTART};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Run argv (bench_trace_cost), its output ours; its exit status, or -1. A stop is passed on to it. */
static int run(char *const *argv)
{
	if (stop_signal)
		return -1;
	pid_t pid = lab_spawn(argv);
	if (pid < 0)
		return -1;
	running_child = pid;
	if (stop_signal)
		kill(pid, stop_signal); /* it came between fork and the line above */
	int status = lab_wait(pid);
	running_child = 0;
	return status;
}

static int run_host(const struct trace_cost_options *o, const char *dir)
{
	char exe[PATH_MAX + 64], min_time[128], out[PATH_MAX + 96], json[PATH_MAX + 32];

	snprintf(exe, sizeof(exe), "%s/bench_trace_cost", dir);
	snprintf(min_time, sizeof(min_time), "--benchmark_min_time=%s", o->min_time);
	if (o->out)
		snprintf(json, sizeof(json), "%s", o->out);
	else
		snprintf(json, sizeof(json), "%s/bench-trace-cost.json", dir);
	snprintf(out, sizeof(out), "--benchmark_out=%s", json);
	char *argv[] = {exe, min_time, out, "--benchmark_out_format=json", NULL};
	printf("== host: %s %s %s %s\n", exe, min_time, out, argv[3]);
	int st = run(argv);
	if (st) {
		if (!stop_signal)
			fprintf(stderr, "tessera bench: bench_trace_cost failed (status %d)\n", st);
		return 1;
	}
	printf("(Google Benchmark JSON in %s)\n\n", json);
	return 0;
}

/* "tessera trace record: N events (B bytes), L lost, in DIR": 0 with *events and *lost, else -1. */
int trace_cost_parse_record(const char *text, uint64_t *events, uint64_t *lost)
{
	const char *p = strstr(text, "tessera trace record: ");
	unsigned long long e, b, l;

	for (; p; p = strstr(p + 1, "tessera trace record: "))
		if (sscanf(p, "tessera trace record: %llu events (%llu bytes), %llu lost", &e, &b, &l) == 3) {
			*events = e;
			*lost = l;
			return 0;
		}
	return -1;
}

/* Why a boot's output cannot be used, or NULL (then br is filled). */
static const char *boot_check(int st, const char *out, const struct trace_case *c, struct boot_result *br)
{
	if (st)
		return "failed";
	if (!out || nullcall_parse(out, &br->r))
		return "printed no result line";
	if (c->record && br->lost)
		return "lost trace records (the counts would depend on the host's drain)";
	return NULL;
}

/* One boot of the nullcall config (the runner's deterministic mode: -icount ICOUNT); 0 with *br filled,
 * or 1 after saying why. */
static int boot_once(const char *config, const struct trace_case *c, struct boot_result *br,
		     const char *record)
{
	struct lab_system s = {
		.config = config,
		.hv_cmdline = c->append,
		.mode = LAB_MODE_DETERMINISTIC,
		.timeout_s = BOOT_TIMEOUT_S,
	};
	struct lab_console_text console = {0};
	struct lab_hooks h = {.on_line = lab_console_text_add, .ctx = &console, .prog = "tessera bench"};
	struct trace_record_totals totals = {0};
	struct lab_run r;
	char tdir[PATH_MAX];
	int st;

	if (stop_signal)
		return 1;
	if (c->record) {
		if (lab_make_scratch_dir(tdir, sizeof(tdir), "tessera-bench-trace")) {
			perror("tessera bench: mkdtemp");
			return 1;
		}
		st = trace_record_system(tdir, &s, &h, &r, &totals);
		lab_remove_tree(tdir);
		br->events = totals.events;
		br->lost = totals.lost;
	} else {
		st = lab_run(&s, &h, &r);
	}
	char *out = lab_console_text_take(&console);
	/* Every boot keeps its run record (docs/lab-runner.md), beside the JSON of the host benchmarks. */
	if (r.record.qemu_cmdline && lab_run_record_write(&r.record, record)) {
		fprintf(stderr, "tessera bench: %s: %s\n", record, strerror(errno));
		st = st ? st : 1;
	}
	/* SIGINT or SIGTERM stopped the boot: start nothing more. */
	if (st == 128 + SIGINT || st == 128 + SIGTERM)
		stop_signal = st - 128;
	const char *why = stop_signal ? "was stopped" : boot_check(st, out, c, br);
	if (why && !stop_signal)
		fprintf(stderr, "tessera bench: %s: the nullcall boot %s (status %d: %s); its output:\n%s\n",
			c->name, why, st, r.summary, out ? out : "(none)");
	lab_run_release(&r);
	free(out);
	return why ? 1 : 0;
}

static bool same_counts(const struct nullcall_result *a, const struct nullcall_result *b)
{
	return a->calls == b->calls && a->call_min == b->call_min && a->call_median == b->call_median &&
	       a->empty_min == b->empty_min && a->empty_median == b->empty_median && a->net == b->net &&
	       a->total == b->total && a->loop_check == b->loop_check;
}

static void print_table(const struct boot_result *br, unsigned int nr)
{
	struct nullcall_result r[NR_CASES];

	for (unsigned int i = 0; i < nr; i++)
		r[i] = br[i].r;
	printf("%-34s", "instructions (TSC ticks)");
	for (unsigned int i = 0; i < nr; i++)
		printf(" %14s", cases[i].name);
	printf("\n");
#define ROW(label, expr)                                               \
	do {                                                           \
		printf("%-34s", label);                                \
		for (unsigned int i = 0; i < nr; i++)                  \
			printf(" %14llu", (unsigned long long)(expr)); \
		printf("\n");                                          \
	} while (0)
	ROW("null hypercall, median", r[i].call_median);
	ROW("null hypercall, min", r[i].call_min);
	ROW("empty guest sequence, median", r[i].empty_median);
	ROW("net: hypervisor round trip", r[i].net);
	ROW("total of N calls / N (rounded)", (r[i].total + r[i].calls / 2) / r[i].calls);
	ROW("calls N", r[i].calls);
	ROW("loop check (2000 = exact)", r[i].loop_check);
	ROW("trace records written", br[i].events);
	ROW("trace records lost", br[i].lost);
#undef ROW
	/* One parseable line per case, for scripts and tests. */
	for (unsigned int i = 0; i < nr; i++)
		printf("trace-cost: %s: net=%llu call_median=%llu empty_median=%llu total=%llu calls=%llu "
		       "loop_check=%llu records=%llu lost=%llu\n",
		       cases[i].name, (unsigned long long)r[i].net, (unsigned long long)r[i].call_median,
		       (unsigned long long)r[i].empty_median, (unsigned long long)r[i].total,
		       (unsigned long long)r[i].calls, (unsigned long long)r[i].loop_check,
		       (unsigned long long)br[i].events, (unsigned long long)br[i].lost);
}

/* Where the boots' run records go: the host JSON's path without ".json", then "-run-records/". */
static int records_dir(const struct trace_cost_options *o, const char *dir, char *rdir, size_t size)
{
	int n = o->out ? snprintf(rdir, size, "%s", o->out)
		       : snprintf(rdir, size, "%s/bench-trace-cost.json", dir);
	size_t len = n > 0 ? (size_t)n : 0;

	if (len > 5 && !strcmp(rdir + len - 5, ".json"))
		rdir[len -= 5] = '\0';
	if (snprintf(rdir + len, size - len, "-run-records") >= (int)(size - len) ||
	    (mkdir(rdir, 0777) && errno != EEXIST)) {
		fprintf(stderr, "tessera bench: %s: %s\n", rdir, strerror(errno ? errno : ENAMETOOLONG));
		return -1;
	}
	return 0;
}

static int run_hv(const struct trace_cost_options *o, const char *dir)
{
	char config[PATH_MAX + 64], rdir[PATH_MAX], record[PATH_MAX + 96];
	struct boot_result res[NR_CASES] = {0};

	if (o->config)
		snprintf(config, sizeof(config), "%s", o->config);
	else
		snprintf(config, sizeof(config), "%s/%s", dir, DEFAULT_CONFIG_REL);
	printf("== hypervisor, %u boot%s per case (-icount %s):\n"
	       "   tracing off:   %s/tessera run --config %s --timeout %s -- -icount %s\n"
	       "   events off:    %s/tessera trace record -o TMPDIR -- --config %s --timeout %s "
	       "--append trace_events=0 -- -icount %s\n"
	       "   all events on: %s/tessera trace record -o TMPDIR -- --config %s --timeout %s -- -icount "
	       "%s\n",
	       o->boots, o->boots == 1 ? "" : "s", ICOUNT, dir, config, BOOT_TIMEOUT, ICOUNT, dir, config,
	       BOOT_TIMEOUT, ICOUNT, dir, config, BOOT_TIMEOUT, ICOUNT);
	errno = 0;
	if (records_dir(o, dir, rdir, sizeof(rdir)))
		return 1;
	printf("   (each boot's run record in %s/CASE-N.json)\n", rdir);
	for (unsigned int c = 0; c < NR_CASES; c++) {
		for (unsigned int b = 0; b < o->boots; b++) {
			struct boot_result r = {0};
			snprintf(record, sizeof(record), "%s/%s-%u.json", rdir, cases[c].name, b + 1);
			for (char *p = record + strlen(rdir) + 1; *p; p++)
				*p = *p == ' ' ? '_' : *p;
			if (boot_once(config, &cases[c], &r, record))
				return 1;
			if (b == 0) {
				res[c] = r;
			} else if (!same_counts(&res[c].r, &r.r) || res[c].events != r.events) {
				fprintf(stderr,
					"tessera bench: %s: boot %u counted differently from boot 1 (net "
					"%llu vs "
					"%llu): the run is not deterministic\n",
					cases[c].name, b + 1, (unsigned long long)r.r.net,
					(unsigned long long)res[c].r.net);
				return 1;
			}
		}
	}
	print_table(res, NR_CASES);
	return 0;
}

int trace_cost_run(const struct trace_cost_options *o)
{
	char dir[PATH_MAX];

	if (lab_path_beside_exe(dir, sizeof(dir), "")) {
		fprintf(stderr, "tessera bench: cannot find my own executable in /proc/self/exe\n");
		return 1;
	}
	catch_stop_signals();
	int ret = 0;
	if (!o->no_host && run_host(o, dir))
		ret = 1;
	else if (!o->no_hv && run_hv(o, dir))
		ret = 1;
	if (stop_signal) {
		fprintf(stderr, "tessera bench: %s, stopped\n",
			stop_signal == SIGINT ? "interrupted" : "terminated");
		return 128 + stop_signal;
	}
	return ret;
}
