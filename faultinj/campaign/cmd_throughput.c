/*
 * `tessera bench fi-throughput` (docs/performance.md): the same experiments of one campaign run twice in
 * one invocation, many per boot and one boot each, against one golden run, with the wall time of each
 * pass: experiments per second for both modes and their ratio. Both passes are real campaign runs (rows
 * in a results database), so their outcome tables can be compared too.
 */
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../lab/host_files.h"
#include "campaign_run.h"

#define DEFAULT_CAMPAIGN "configs/campaigns/regflip-fiself.yaml"
#define DEFAULT_N	 20

static const char usage[] =
	"usage: tessera bench fi-throughput [CAMPAIGN] [-j N] [-n EXPERIMENTS] [-o DB]\n"
	"\n"
	"Run the first EXPERIMENTS (default 20) planned experiments of CAMPAIGN (default the shipped\n"
	"self-checking workload campaign, " DEFAULT_CAMPAIGN ") in many-per-boot mode and then in\n"
	"reboot-per-experiment mode, N boots at once (default 2), after one golden run, and print the\n"
	"experiments per second of each and their ratio (many-per-boot runs every experiment shared, as\n"
	"boots: shared would, its icount points included). The two runs go to DB (default a temporary file,\n"
	"removed afterwards). Exit status: 0 done, 1 a run failed, 2 bad input.\n";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct pass {
	const char *name;
	bool shared;
	int64_t run_id;
	unsigned int boots;
	double seconds;
	int status;
	double span_s, mean_ms; /* the experiments alone: first start to last end; mean duration */
};

/* What the rows say about the experiments alone (no boot before the first, no shutdown after the last). */
static void pass_span(struct results_db *db, struct pass *p)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db->db,
			       "SELECT (julianday(max(ended)) - julianday(min(started))) * 86400.0,"
			       " avg(duration_ns) / 1e6 FROM experiments WHERE run_id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, p->run_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		p->span_s = sqlite3_column_double(st, 0);
		p->mean_ms = sqlite3_column_double(st, 1);
	}
	sqlite3_finalize(st);
}

static int one_pass(const struct campaign *c, struct results_db *db, const char *source,
		    const struct campaign_experiment *x, size_t n, const struct campaign_console *golden,
		    unsigned int jobs, unsigned int timeout_s, struct pass *p)
{
	if (campaign_db_create(db, c, source, x, n, &p->run_id) ||
	    campaign_db_set_golden(db, p->run_id, golden->text, 0, ""))
		return 1;
	double t0 = now_s();
	p->status = campaign_run_experiments(c, db, p->run_id, x, n, golden, timeout_s, jobs,
					     p->shared ? CAMPAIGN_RUN_SHARED : CAMPAIGN_RUN_EACH, &p->boots);
	p->seconds = now_s() - t0;
	results_db_run_end(db, p->run_id, p->status ? "failed" : "done");
	pass_span(db, p);
	return p->status;
}

int campaign_cmd_throughput(int argc, char **argv)
{
	const char *file = NULL, *dbpath = NULL;
	unsigned long jobs = 2, n = DEFAULT_N;
	char def[4096], tmpdb[] = "/tmp/tessera-fi-throughput-XXXXXX";

	for (int i = 1; i < argc; i++) {
		char *end = NULL;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if ((!strcmp(argv[i], "-j") || !strcmp(argv[i], "-n")) && i + 1 < argc) {
			unsigned long v = strtoul(argv[i + 1], &end, 10);
			if (*end || !v || (argv[i][1] == 'j' && v > 64)) {
				fprintf(stderr,
					"tessera bench fi-throughput: %s takes a number%s, got '%s'\n",
					argv[i], argv[i][1] == 'j' ? " 1..64" : " from 1", argv[i + 1]);
				return 2;
			}
			*(argv[i][1] == 'j' ? &jobs : &n) = v;
			i++;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			dbpath = argv[++i];
		} else if (argv[i][0] != '-' && !file) {
			file = argv[i];
		} else {
			fprintf(stderr, "tessera bench fi-throughput: unexpected argument '%s'\n%s", argv[i],
				usage);
			return 2;
		}
	}
	if (!file) {
		/* The shipped campaign, beside the executable as ./tessera builds it (out/../configs). */
		if (lab_path_beside_exe(def, sizeof(def), "../" DEFAULT_CAMPAIGN)) {
			fprintf(stderr, "tessera bench fi-throughput: cannot find my own executable\n");
			return 1;
		}
		file = def;
	}
	signal(SIGPIPE, SIG_IGN);
	int ret;
	struct campaign *c = campaign_load_reported(file, &ret);
	if (!c)
		return ret;
	size_t nr = 0, size;
	struct campaign_experiment *x = campaign_plan_experiments(c, &nr);
	char *source = config_read_file(c->path, &size);
	struct campaign_console golden = {0};
	struct results_db db = {0};
	struct pass pass[2] = {{.name = "many-per-boot", .shared = true}, {.name = "reboot-per-experiment"}};
	ret = 1;
	if (!dbpath) {
		int fd = mkstemp(tmpdb);
		if (fd >= 0)
			close(fd), dbpath = tmpdb;
	}
	if (!x || !source || !dbpath || results_db_open(&db, dbpath))
		goto out;
	n = n < nr ? n : nr;
	int64_t golden_run_id;
	/* One golden run for both passes: a run of its own, with no experiment. */
	if (campaign_db_create(&db, c, source, x, 0, &golden_run_id) ||
	    (ret = campaign_golden_run(c, &db, golden_run_id, &golden)))
		goto out;
	results_db_run_end(&db, golden_run_id, "done");
	/*
	 * The many-per-boot pass runs every experiment shared, as `boots: shared` would: a campaign run
	 * boots its icount points alone (campaign_entry_needs_own_boot), which would measure reboots.
	 */
	for (unsigned int i = 0; i < c->nr_entries; i++)
		c->entries[i].own_boot = false;
	for (int k = 0; k < 2; k++) {
		fprintf(stderr, "fi-throughput: %s, %lu experiments, -j %lu\n", pass[k].name, n, jobs);
		if ((ret = one_pass(c, &db, source, x, n, &golden, (unsigned int)jobs,
				    campaign_timeout_s(c, &db, golden_run_id), &pass[k])))
			goto out;
	}
	printf("fi-throughput: %s (%s), the first %lu of its %zu planned experiments, -j %lu\n", c->name,
	       c->path, n, nr, jobs);
	for (int k = 0; k < 2; k++)
		printf("  %-22s %4lu experiments in %8.1f s: %7.2f experiments/s (%u boots)\n", pass[k].name,
		       n, pass[k].seconds, (double)n / pass[k].seconds, pass[k].boots);
	printf("  ratio                  %.1f x\n", pass[1].seconds / pass[0].seconds);
	printf("the experiments alone (first start to last end, no boot before nor shutdown after; mean of "
	       "one):\n");
	for (int k = 0; k < 2; k++)
		printf("  %-22s %8.1f s: %7.2f experiments/s, %.0f ms each\n", pass[k].name, pass[k].span_s,
		       pass[k].span_s > 0 ? (double)n / pass[k].span_s : 0, pass[k].mean_ms);
	if (dbpath != tmpdb)
		printf("  runs %lld (many-per-boot) and %lld (reboot) in %s: tessera fi campaign report %s "
		       "--run ID\n",
		       (long long)pass[0].run_id, (long long)pass[1].run_id, dbpath, dbpath);
	ret = 0;
out:
	campaign_console_free(&golden);
	if (db.db)
		results_db_close(&db);
	if (dbpath == tmpdb) {
		char p[128];
		unlink(tmpdb);
		snprintf(p, sizeof(p), "%s-wal", tmpdb), unlink(p);
		snprintf(p, sizeof(p), "%s-shm", tmpdb), unlink(p);
	}
	free(source);
	free(x);
	campaign_free(c);
	free(c);
	return ret;
}
