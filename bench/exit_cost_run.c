/*
 * `tessera bench exit-cost`: the hypervisor's instructions per exit, by kind, from the exitbench inmate
 * (guests/exitbench) under -icount shift=0,sleep=off, where the guest's TSC counts instructions: one
 * boot per tracing case runs every selected kind in turn (the vLAPIC ICR row last: it leaves a vector
 * pending). Each row is printed with its goal (docs/performance.md); the command fails (exit 1)
 * when a row exceeds its goal, so that CI can gate on it: the counts are exact, not timings.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lab/console_text.h"
#include "../lab/host_files.h"
#include "../lab/runner.h"
#include "../trace/record.h"
#include "exit_cost_doorbell.h"
#include "exit_cost_run.h"

#define DEFAULT_CONFIG_REL "../configs/bench-exit.yaml"
#define ARGS_TAG	   "calls=200"
#define ICOUNT		   "shift=0,sleep=off"
#define BOOT_TIMEOUT_S	   900
#define PROG		   "tessera bench exit-cost"

/* X(mode, label, goal, traced goal; 0: none): the rows, in the order printed and run (the inmate runs
 * them in this order in one boot; ipi and timer after apic_icr take the vector it left pending). The goal
 * holds tracing off; the traced goal all events on: for the null hypercall 300, i.e. its three records
 * (exit, hypercall, entry) at most 50 each over the 150 (docs/performance.md). The doorbell's sides are
 * counted from QEMU's instruction log in a boot of their own (exit_cost_doorbell.c); their goals are
 * this command's (issue 9 sets none): the sender a null hypercall's 150 plus at most 250 to find the
 * peer, post and kick, the receiver the 1,000 of the other emulated and delivery paths. */
#define EXIT_COST_ROWS(X)                                 \
	X("hypercall", "null hypercall", 150, 300)        \
	X("cpuid", "CPUID", 0, 0)                         \
	X("msr", "granted MSR (EFER read)", 0, 0)         \
	X("port", "denied port (inject)", 1000, 0)        \
	X("mem", "denied memory (inject)", 1000, 0)       \
	X("apic_read", "vLAPIC MMIO read", 1000, 0)       \
	X("apic_icr", "vLAPIC MMIO write (ICR)", 1000, 0) \
	X("ipi", "IPI within a cell (self)", 0, 0)        \
	X("timer", "timer interrupt delivery", 0, 0)      \
	X("doorbell_send", "doorbell: sender", 400, 0)    \
	X("doorbell_recv", "doorbell: receiver", 1000, 0) \
	X("doorbell", "doorbell to another cell", 1400, 0)

struct row {
	const char *mode, *label;
	unsigned long long goal, traced_goal;
};

/* The doorbell rows are measured in a boot of their own (exit_cost_doorbell.c), the rest by exitbench. */
static bool doorbell_row(const struct row *r)
{
	return !strncmp(r->mode, "doorbell", 8);
}

static const struct row rows[] = {
#define ROW(m, l, g, t) {m, l, g, t},
	EXIT_COST_ROWS(ROW)
#undef ROW
};
#define NR_ROWS (sizeof(rows) / sizeof(rows[0]))

struct tcase {
	const char *name;
	bool record;
	const char *append;
	unsigned long long slack; /* goal over "tracing off" for this case (0: the row's goal) */
	bool traced;		  /* 0 slack: the row's traced goal, not its goal */
};

static const struct tcase cases[] = {
	{"tracing off", false, NULL, 0, false},
	{"events off", true, "trace_events=0", 10, false}, /* at most 10 over tracing off */
	{"all events on", true, NULL, 0, true},
};
#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

int exit_cost_parse_line(const char *text, const char *mode, unsigned long long *net,
			 unsigned long long *loop_check)
{
	char tag[64];
	const char *p;

	snprintf(tag, sizeof(tag), "exitbench: mode=%s ", mode);
	if (!text || !(p = strstr(text, tag)))
		return -1;
	const char *n = strstr(p, " net="), *l = strstr(p, " loop_check="), *eol = strchr(p, '\n');
	if (!n || !l || (eol && (n > eol || l > eol)))
		return -1;
	char *end;
	errno = 0;
	*net = strtoull(n + 5, &end, 10);
	if (errno || end == n + 5)
		return -1;
	*loop_check = strtoull(l + 12, &end, 10);
	return errno || end == l + 12 ? -1 : 0;
}

int exit_cost_write_config(const char *src, unsigned int calls, const char *modes, char *path, size_t size)
{
	FILE *f = fopen(src, "r");
	char *text = NULL;
	size_t cap = 0;

	if (!f)
		return -1;
	ssize_t len = getdelim(&text, &cap, '\0', f);
	fclose(f);
	char *at = len > 0 ? strstr(text, ARGS_TAG) : NULL;
	if (!at) {
		fprintf(stderr, "tessera bench exit-cost: %s has no '%s' to set the mode in\n", src,
			ARGS_TAG);
		free(text);
		return -1;
	}
	const char *tmp = getenv("TMPDIR");
	snprintf(path, size, "%s/tessera-exit-cost.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(path);
	FILE *o = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!o) {
		free(text);
		return -1;
	}
	/* With modes: the first cell's calls and mode; without: every cell's calls. */
	const char *from = text;
	do {
		fprintf(o, "%.*scalls=%u", (int)(at - from), from, calls);
		if (modes)
			fprintf(o, " mode=%s", modes);
		from = at + strlen(ARGS_TAG);
	} while (!modes && (at = strstr(from, ARGS_TAG)));
	fputs(from, o);
	fclose(o);
	free(text);
	return 0;
}

/* Whether row r is among the comma-separated modes of `list` (NULL: every row). */
static bool row_selected(const char *list, const struct row *r)
{
	size_t len = strlen(r->mode);

	if (!list)
		return true;
	for (const char *p = list; *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (n == len && !strncmp(p, r->mode, len))
			return true;
		p += n + (comma ? 1 : 0);
	}
	return false;
}

/* The run record's file for the boots now starting (set per case by exit_cost_run); "" for none. */
static char record_path[PATH_MAX + 128];

void exit_cost_set_record_path(const char *path)
{
	snprintf(record_path, sizeof(record_path), "%s", path ? path : "");
}

int exit_cost_boot(const char *config, bool record, const char *append, const char *const *qemu, char **out)
{
	char tdir[PATH_MAX] = "";
	int nr_qemu = 0;

	while (qemu[nr_qemu])
		nr_qemu++;
	/* The icount mode is the runner's deterministic mode; the rest goes to QEMU as given. */
	struct lab_system s = {
		.config = config,
		.hv_cmdline = append && append[0] ? append : NULL,
		.mode = LAB_MODE_DETERMINISTIC,
		.timeout_s = BOOT_TIMEOUT_S,
		.qemu_args = (char **)qemu,
		.nr_qemu_args = nr_qemu,
	};
	struct lab_console_text console = {0};
	struct lab_hooks h = {.on_line = lab_console_text_add, .ctx = &console, .prog = PROG};
	struct trace_record_totals totals;
	struct lab_run r;
	int st;

	if (record) {
		if (lab_make_scratch_dir(tdir, sizeof(tdir), "tessera-exit-cost-trace")) {
			perror(PROG ": cannot create a trace directory");
			*out = NULL;
			return 1;
		}
		st = trace_record_system(tdir, &s, &h, &r, &totals);
		lab_remove_tree(tdir);
	} else {
		st = lab_run(&s, &h, &r);
	}
	*out = lab_console_text_take(&console);
	/* Every boot keeps its run record (docs/lab-runner.md), where the command's output goes. */
	if (record_path[0] && lab_run_record_write(&r.record, record_path)) {
		fprintf(stderr, "%s: %s: %s\n", PROG, record_path, strerror(errno));
		st = st ? st : 1;
	}
	/* How the boot ended goes with its console, for the message that shows it when a figure is missing. */
	if (st && *out && r.summary[0]) {
		char *with = NULL;
		if (asprintf(&with, "%s(%s)\n", *out, r.summary) >= 0) {
			free(*out);
			*out = with;
		}
	}
	lab_run_release(&r);
	return st;
}

/* The hypervisor command line of case c with the user's --append. */
static void case_append(const struct tcase *c, const struct exit_cost_options *o, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", c->append ? c->append : "", c->append && o->append ? " " : "",
		 o->append ? o->append : "");
}

/* The directory of the boots' run records: --records, or --out without ".json" and "-run-records", or
 * out/bench-exit-cost-run-records; created. 0, or -1 after saying why. */
static int records_dir(const struct exit_cost_options *o, const char *dir, char *rdir, size_t size)
{
	int n = o->records ? snprintf(rdir, size, "%s", o->records)
		: o->out   ? snprintf(rdir, size, "%s", o->out)
			   : snprintf(rdir, size, "%s/bench-exit-cost.json", dir);
	size_t len = n > 0 ? (size_t)n : 0;

	errno = 0;
	if (!o->records) {
		if (len > 5 && !strcmp(rdir + len - 5, ".json"))
			rdir[len -= 5] = '\0';
		if (snprintf(rdir + len, size - len, "-run-records") >= (int)(size - len))
			errno = ENAMETOOLONG;
	}
	if (errno || (mkdir(rdir, 0777) && errno != EEXIST)) {
		fprintf(stderr, "%s: %s: %s\n", PROG, rdir, strerror(errno));
		return -1;
	}
	return 0;
}

/* The next boots' record file: DIR/[PREFIX-]CASE.json, the case's spaces as '_'. */
static void set_case_record(const char *rdir, const char *prefix, const struct tcase *c)
{
	char path[PATH_MAX + 128];
	int n = snprintf(path, sizeof(path), "%s/%s%s", rdir, prefix, c->name);

	for (char *p = path + strlen(rdir) + 1; n > 0 && *p; p++)
		*p = *p == ' ' ? '_' : *p;
	snprintf(path + strlen(path), sizeof(path) - strlen(path), ".json");
	exit_cost_set_record_path(path);
}

/* One boot of the config in case c; the figure of every selected row into fig[row][ci]. */
static int boot(const char *config, const struct tcase *c, unsigned int ci, const struct exit_cost_options *o,
		unsigned long long fig[][NR_CASES])
{
	static const char *const qemu[] = {NULL}; /* -icount ICOUNT: the runner's deterministic mode */
	const char *list = o->rows;
	char append[512], *out = NULL;

	case_append(c, o, append, sizeof(append));
	int st = exit_cost_boot(config, c->record, append, qemu, &out);
	if (exit_cost_interrupted(st)) {
		free(out);
		return st;
	}
	int bad = st != 0;
	for (unsigned int r = 0; r < NR_ROWS && !bad; r++) {
		unsigned long long loop = 0;
		if (!row_selected(list, &rows[r]) || doorbell_row(&rows[r]))
			continue;
		bad = exit_cost_parse_line(out, rows[r].mode, &fig[r][ci], &loop) || loop != 2000;
		if (bad)
			fprintf(stderr,
				"tessera bench exit-cost: %s, %s: no figure, or the TSC does not count "
				"instructions (loop_check %llu)\n",
				rows[r].label, c->name, loop);
	}
	if (bad)
		fprintf(stderr, "tessera bench exit-cost: the %s boot (status %d); its output:\n%s\n",
			c->name, st, out ? out : "(none)");
	free(out);
	return bad;
}

/* The doorbell rows of case c (a boot of their own); the log's null hypercall must be exitbench's. */
static int doorbell_case(const char *dir, const struct exit_cost_options *o, const struct tcase *c,
			 unsigned int ci, bool have_nop, unsigned long long fig[][NR_CASES])
{
	struct exit_cost_doorbell db;
	char append[512];

	case_append(c, o, append, sizeof(append));
	printf("(%s: the doorbell system under QEMU's instruction log: this boot takes a while)\n", c->name);
	int st = exit_cost_doorbell_run(dir, o->doorbell_config, o->calls, c->record, append, &db);
	if (st)
		return st;
	for (unsigned int r = 0; r < NR_ROWS; r++) {
		if (!strcmp(rows[r].mode, "doorbell_send"))
			fig[r][ci] = db.send;
		else if (!strcmp(rows[r].mode, "doorbell_recv"))
			fig[r][ci] = db.recv;
		else if (!strcmp(rows[r].mode, "doorbell"))
			fig[r][ci] = db.send + db.recv;
		else if (!strcmp(rows[r].mode, "hypercall") && have_nop && row_selected(o->rows, &rows[r]) &&
			 fig[r][ci] != db.nop) {
			fprintf(stderr,
				"tessera bench exit-cost: %s: the instruction log counts %llu for the null "
				"hypercall, exitbench's TSC %llu: the two methods disagree\n",
				c->name, db.nop, fig[r][ci]);
			return 1;
		}
	}
	printf("(%s: %u doorbells, sender %llu..%llu, receiver %llu..%llu; the log counts the sender's null "
	       "hypercall at %llu%s)\n",
	       c->name, db.samples, db.send_min, db.send_max, db.recv_min, db.recv_max, db.nop,
	       have_nop ? ", as exitbench measures it" : "");
	return 0;
}

static void json_add(json_t *benchmarks, const struct row *r, const struct tcase *c, unsigned long long v)
{
	char name[160];

	snprintf(name, sizeof(name), "exit_cost/%s/%s", r->mode, c->name);
	for (char *p = name; *p; p++)
		if (*p == ' ')
			*p = '_';
	/* The instruction count as the time, in a unit of its own: compare.py compares it like a time. */
	json_array_append_new(benchmarks,
			      json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:f, s:f, s:s, s:I}", "name", name,
					"run_name", name, "run_type", "iteration", "repetitions",
					(json_int_t)1, "repetition_index", (json_int_t)0, "threads",
					(json_int_t)1, "real_time", (double)v, "cpu_time", (double)v,
					"time_unit", "ns", "iterations", (json_int_t)1));
}

int exit_cost_run(const struct exit_cost_options *o)
{
	char dir[PATH_MAX], src[PATH_MAX + 64];
	unsigned int nr_cases = o->all_cases ? NR_CASES : 1;
	unsigned long long fig[NR_ROWS][NR_CASES] = {{0}};
	int missed = 0;

	if (lab_path_beside_exe(dir, sizeof(dir), "")) {
		fprintf(stderr, "tessera bench exit-cost: cannot find my own executable\n");
		return 1;
	}
	snprintf(src, sizeof(src), "%s", o->config ? o->config : "");
	if (!o->config) {
		snprintf(src, sizeof(src), "%s/%s", dir, DEFAULT_CONFIG_REL);
		/* configs/..., not out/../configs/..., in what is printed and recorded */
		char *real = realpath(src, NULL);
		if (real)
			snprintf(src, sizeof(src), "%s", real);
		free(real);
	}
	printf("== hypervisor instructions per exit (exitbench, %u samples per boot, median net of the "
	       "guest's "
	       "own sequence, -icount %s)\n",
	       o->calls, ICOUNT);
	char cfg[PATH_MAX], modes[256] = "";
	bool doorbell = false;
	for (unsigned int r = 0; r < NR_ROWS; r++) {
		if (!row_selected(o->rows, &rows[r]))
			continue;
		if (doorbell_row(&rows[r]))
			doorbell = true;
		else
			snprintf(modes + strlen(modes), sizeof(modes) - strlen(modes), "%s%s",
				 modes[0] ? "," : "", rows[r].mode);
	}
	char rdir[PATH_MAX];
	if (records_dir(o, dir, rdir, sizeof(rdir)))
		return 1;
	printf("(each boot's run record in %s/: CASE.json, doorbell-CASE.json)\n", rdir);
	if (modes[0] && exit_cost_write_config(src, o->calls, modes, cfg, sizeof(cfg)))
		return 1;
	for (unsigned int c = 0; c < nr_cases; c++) {
		set_case_record(rdir, "", &cases[c]);
		int st = modes[0] ? boot(cfg, &cases[c], c, o, fig) : 0;
		set_case_record(rdir, "doorbell-", &cases[c]);
		if (!st && doorbell)
			st = doorbell_case(dir, o, &cases[c], c, modes[0] != 0, fig);
		exit_cost_set_record_path(NULL);
		if (st) {
			if (modes[0])
				unlink(cfg);
			if (exit_cost_interrupted(st))
				fprintf(stderr, "%s: %s, stopped\n", PROG,
					st == 130 ? "interrupted" : "terminated");
			return exit_cost_interrupted(st) ? st : 1;
		}
	}
	if (modes[0])
		unlink(cfg);
	printf("%-28s", "exit kind");
	for (unsigned int c = 0; c < nr_cases; c++)
		printf(" %14s", cases[c].name);
	printf(" %8s %8s\n", "goal", "traced");
	for (unsigned int r = 0; r < NR_ROWS; r++) {
		if (!row_selected(o->rows, &rows[r]))
			continue;
		printf("%-28s", rows[r].label);
		for (unsigned int c = 0; c < nr_cases; c++)
			printf(" %14llu", fig[r][c]);
		if (rows[r].goal)
			printf(" %8llu", rows[r].goal);
		else
			printf(" %8s", "-");
		if (rows[r].traced_goal && nr_cases == NR_CASES)
			printf(" %8llu", rows[r].traced_goal);
		else
			printf(" %8s", "-");
		printf("\n");
	}
	/* One parseable line per figure, with its verdict. */
	for (unsigned int r = 0; r < NR_ROWS; r++)
		for (unsigned int c = 0; c < nr_cases && row_selected(o->rows, &rows[r]); c++) {
			unsigned long long goal = cases[c].slack    ? fig[r][0] + cases[c].slack
						  : cases[c].traced ? rows[r].traced_goal
						  : c == 0	    ? rows[r].goal
								    : 0;
			bool ok = !goal || fig[r][c] <= goal;
			missed += !ok;
			printf("exit-cost: %s: %s: %llu goal=%s%llu %s\n", rows[r].mode, cases[c].name,
			       fig[r][c], goal ? "<=" : "", goal,
			       !goal ? "(no goal)"
			       : ok  ? "ok"
				     : "EXCEEDED");
		}
	if (o->out) {
		json_t *root = json_pack("{s:{s:s, s:s}, s:[]}", "context", "executable",
					 "tessera bench exit-cost", "json_schema_version", "1", "benchmarks");
		json_t *b = json_object_get(root, "benchmarks");
		json_object_set_new(json_object_get(root, "context"), "json_schema_version", json_integer(1));
		for (unsigned int r = 0; r < NR_ROWS; r++)
			for (unsigned int c = 0; c < nr_cases && row_selected(o->rows, &rows[r]); c++)
				json_add(b, &rows[r], &cases[c], fig[r][c]);
		if (json_dump_file(root, o->out, JSON_INDENT(2))) {
			fprintf(stderr, "tessera bench exit-cost: cannot write %s\n", o->out);
			json_decref(root);
			return 1;
		}
		json_decref(root);
		printf("(Google Benchmark JSON in %s)\n", o->out);
	}
	if (missed)
		fprintf(stderr, "tessera bench exit-cost: %d figure%s over %s goal\n", missed,
			missed == 1 ? "" : "s", missed == 1 ? "its" : "their");
	return missed ? 1 : 0;
}

int exit_cost_parse_options(int argc, char **argv, struct exit_cost_options *o)
{
	*o = (struct exit_cost_options){.calls = 200};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			o->help = true;
		} else if (!strcmp(a, "--all")) {
			o->all_cases = true;
		} else if (!strcmp(a, "--out") && next) {
			o->out = argv[++i];
		} else if (!strcmp(a, "--rows") && next) {
			o->rows = argv[++i];
			bool any = false;
			for (unsigned int r = 0; r < NR_ROWS; r++)
				any |= row_selected(o->rows, &rows[r]);
			if (!any) {
				fprintf(stderr, "tessera bench exit-cost: --rows names no row of:");
				for (unsigned int r = 0; r < NR_ROWS; r++)
					fprintf(stderr, " %s", rows[r].mode);
				fprintf(stderr, "\n");
				return 2;
			}
		} else if (!strcmp(a, "--append") && next) {
			o->append = argv[++i];
		} else if (!strcmp(a, "--records") && next) {
			o->records = argv[++i];
		} else if (!strcmp(a, "--config") && next) {
			o->config = argv[++i];
		} else if (!strcmp(a, "--calls") && next) {
			char *end;
			errno = 0;
			long n = strtol(argv[++i], &end, 10);
			if (errno || *end || n < 1 || n > 1024) {
				fprintf(stderr, "tessera bench exit-cost: --calls wants 1..1024, not '%s'\n",
					next);
				return 2;
			}
			o->calls = (unsigned int)n;
		} else {
			fprintf(stderr, "tessera bench exit-cost: unknown or incomplete option '%s'\n", a);
			return 2;
		}
	}
	return 0;
}
