/*
 * `tessera bench trace-cost`: run bench_trace_cost (beside our executable) for the host figures, then boot
 * the nullcall config with `tessera run ... -- -icount shift=0,sleep=off`, once per tracing case and boot,
 * and read the inmate's result line from the console.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nullcall_parse.h"
#include "trace_cost_run.h"

#define DEFAULT_CONFIG_REL "../configs/bench-nullcall.yaml"
#define BOOT_TIMEOUT	   "300"
#define ICOUNT		   "shift=0,sleep=off"

/* A tracing case of the nullcall boots: what `tessera run` gets besides the config. */
struct trace_case {
	const char *name;
	const char *const *run_args; /* extra `tessera run` options, NULL-terminated */
};

static const char *const no_args[] = {NULL};

static const struct trace_case cases[] = {
	{"tracing off", no_args},
};

#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

static int exe_dir(char *dir, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", dir, size - 1);

	if (n <= 0)
		return -1;
	dir[n] = '\0';
	char *slash = strrchr(dir, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	return 0;
}

/* Run argv; its stdout goes to *out (heap, NUL-terminated) when out is given. Its exit status, or -1. */
static int run(char *const *argv, char **out)
{
	int fds[2] = {-1, -1};

	fflush(stdout);
	fflush(stderr);
	if (out && pipe(fds))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (out) {
			dup2(fds[1], STDOUT_FILENO);
			close(fds[0]);
			close(fds[1]);
		}
		execv(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	if (out) {
		size_t len = 0, cap = 65536;
		char *buf = malloc(cap);
		ssize_t n;
		close(fds[1]);
		while (buf && (n = read(fds[0], buf + len, cap - len - 1)) > 0) {
			len += (size_t)n;
			if (cap - len < 4096)
				buf = realloc(buf, cap *= 2);
		}
		close(fds[0]);
		if (buf)
			buf[len] = '\0';
		*out = buf;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int run_host(const struct trace_cost_options *o, const char *dir)
{
	char exe[PATH_MAX + 64], min_time[128], out[PATH_MAX + 32];

	snprintf(exe, sizeof(exe), "%s/bench_trace_cost", dir);
	snprintf(min_time, sizeof(min_time), "--benchmark_min_time=%s", o->min_time);
	snprintf(out, sizeof(out), "--benchmark_out=%s", o->out);
	char *argv[] = {exe, min_time, out, "--benchmark_out_format=json", NULL};
	printf("== host: %s %s %s %s\n", exe, min_time, out, argv[3]);
	int st = run(argv, NULL);
	if (st) {
		fprintf(stderr, "tessera bench: bench_trace_cost failed (status %d)\n", st);
		return 1;
	}
	printf("(Google Benchmark JSON in %s)\n\n", o->out);
	return 0;
}

/* One boot of the nullcall config; 0 with *r filled, or 1 after saying why. */
static int boot_once(const char *dir, const char *config, const struct trace_case *c,
		     struct nullcall_result *r)
{
	char tessera[PATH_MAX + 64];
	const char *argv[32];
	int n = 0;

	snprintf(tessera, sizeof(tessera), "%s/tessera", dir);
	argv[n++] = tessera;
	argv[n++] = "run";
	argv[n++] = "--config";
	argv[n++] = config;
	argv[n++] = "--timeout";
	argv[n++] = BOOT_TIMEOUT;
	for (const char *const *a = c->run_args; *a && n < 24; a++)
		argv[n++] = *a;
	argv[n++] = "--";
	argv[n++] = "-icount";
	argv[n++] = ICOUNT;
	argv[n] = NULL;

	char *out = NULL;
	int st = run((char *const *)argv, &out);
	if (st || !out || nullcall_parse(out, r)) {
		fprintf(stderr, "tessera bench: %s: the nullcall boot %s (status %d); its console:\n%s\n",
			c->name, st ? "failed" : "printed no result line", st, out ? out : "(none)");
		free(out);
		return 1;
	}
	free(out);
	return 0;
}

static bool same_counts(const struct nullcall_result *a, const struct nullcall_result *b)
{
	return a->calls == b->calls && a->call_min == b->call_min && a->call_median == b->call_median &&
	       a->empty_min == b->empty_min && a->empty_median == b->empty_median && a->net == b->net &&
	       a->total == b->total && a->loop_check == b->loop_check;
}

static void print_table(const struct nullcall_result *r, unsigned int nr)
{
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
#undef ROW
	/* One parseable line per case, for scripts and tests. */
	for (unsigned int i = 0; i < nr; i++)
		printf("trace-cost: %s: net=%llu call_median=%llu empty_median=%llu total=%llu calls=%llu "
		       "loop_check=%llu\n",
		       cases[i].name, (unsigned long long)r[i].net, (unsigned long long)r[i].call_median,
		       (unsigned long long)r[i].empty_median, (unsigned long long)r[i].total,
		       (unsigned long long)r[i].calls, (unsigned long long)r[i].loop_check);
}

static int run_hv(const struct trace_cost_options *o, const char *dir)
{
	char config[PATH_MAX + 64];
	struct nullcall_result res[NR_CASES] = {0};

	if (o->config)
		snprintf(config, sizeof(config), "%s", o->config);
	else
		snprintf(config, sizeof(config), "%s/%s", dir, DEFAULT_CONFIG_REL);
	printf("== hypervisor: %s/tessera run --config %s [tracing options] -- -icount %s (%u boot%s per "
	       "case)\n",
	       dir, config, ICOUNT, o->boots, o->boots == 1 ? "" : "s");
	for (unsigned int c = 0; c < NR_CASES; c++) {
		for (unsigned int b = 0; b < o->boots; b++) {
			struct nullcall_result r;
			if (boot_once(dir, config, &cases[c], &r))
				return 1;
			if (b == 0) {
				res[c] = r;
			} else if (!same_counts(&res[c], &r)) {
				fprintf(stderr,
					"tessera bench: %s: boot %u counted differently from boot 1 (net "
					"%llu vs "
					"%llu): the run is not deterministic\n",
					cases[c].name, b + 1, (unsigned long long)r.net,
					(unsigned long long)res[c].net);
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

	if (exe_dir(dir, sizeof(dir))) {
		fprintf(stderr, "tessera bench: cannot find my own executable in /proc/self/exe\n");
		return 1;
	}
	if (!o->no_host && run_host(o, dir))
		return 1;
	if (!o->no_hv && run_hv(o, dir))
		return 1;
	return 0;
}
