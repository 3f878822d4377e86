/*
 * The results page (docs/workloads.md, "Channel"), end to end: a workload boots with a host channel, its
 * result lines reach both the console and its cell's ring, and the host drains the ring. The samples read
 * from the page must equal those parsed from the console; a ring left undrained while a long run writes
 * must say how many records it lost and where, and the ones it kept must be the console's.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../bench/results_page.h"
#include "../../bench/workload_parse.h"
#include "../../lab/runner.h"
#include "harness.h"

#define ROOT TESSERA_SOURCE_ROOT

struct boot {
	char *console; /* the BENCH lines */
	size_t len;
	const char *channel;
	bool poll; /* drain at every line, as bench run does; false: only after the boot */
	struct results_page page;
};

static int on_line(const char *line, void *ctx)
{
	struct boot *b = ctx;
	size_t n = strlen(line);

	if (!strstr(line, "BENCH "))
		return 0;
	b->console = realloc(b->console, b->len + n + 2);
	memcpy(b->console + b->len, line, n);
	b->len += n;
	b->console[b->len++] = '\n';
	b->console[b->len] = 0;
	if (b->poll)
		results_page_poll(&b->page, b->channel);
	return 0;
}

static void after(int status, void *ctx)
{
	struct boot *b = ctx;

	(void)status;
	results_page_finish(&b->page, b->channel);
}

/* exitloop with `iters` iterations (five metrics, and exit-count params), booted with a host channel. */
static void boot_exitloop(struct boot *b, unsigned int iters, bool poll)
{
	char config[] = "/tmp/tessera-rp-XXXXXX.yaml", channel[64], *text = NULL, *at;
	size_t size = 0;
	FILE *f = fopen(ROOT "/configs/bench/exitloop.yaml", "r");

	cr_assert_not_null(f);
	cr_assert_gt(getdelim(&text, &size, 0, f), 0);
	fclose(f);
	cr_assert_not_null(at = strstr(text, "iters=1000"));
	int fd = mkstemps(config, 5);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	fprintf(f, "%.*siters=%u%s", (int)(at - text), text, iters, at + strlen("iters=1000"));
	fclose(f);
	free(text);
	snprintf(channel, sizeof(channel), "/tmp/tessera-rp-%d.channel", (int)getpid());
	memset(b, 0, sizeof(*b));
	b->channel = channel;
	b->poll = poll;
	/* the images beside the shipped config */
	setenv("TESSERA_GUEST_PATH", ROOT "/configs/bench", 1);
	struct lab_system s = {.config = config, .channel = channel, .timeout_s = 240};
	struct lab_hooks h = {.on_line = on_line, .after = after, .ctx = b, .quiet = true};
	struct lab_run run;
	int status = lab_run(&s, &h, &run);
	unlink(config);
	cr_assert_eq(status, 0, "exit status %d: %s", status, run.summary);
	cr_assert_eq(access(channel, F_OK), -1, "the runner removed the channel");
	b->channel = NULL;
	lab_run_release(&run);
}

Test(results_page, samples_from_the_page_equal_the_console, .timeout = 300)
{
	struct boot b;
	struct workload_results con = {0}, page = {0};
	char err[256];

	boot_exitloop(&b, 200, true);
	cr_assert(b.page.present, "no results page in the channel");
	cr_assert_str_empty(b.page.err);
	cr_assert_eq(b.page.lost, 0, "lost %llu: %s", (unsigned long long)b.page.lost, b.page.where);
	cr_assert_eq(workload_parse_text(b.console, "console", &con, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(workload_parse_text(b.page.text, "results page", &page, err, sizeof(err)), 0, "%s", err);
	/* five metrics of 200 samples, params and the done line: one record per console line */
	cr_assert_eq(con.nr_samples, 5 * 200);
	unsigned int lines = 0;
	for (const char *s = b.console; *s; s++)
		lines += *s == '\n';
	cr_assert_eq(b.page.records, lines, "%llu records, %u console lines",
		     (unsigned long long)b.page.records, lines);
	cr_assert_eq(workload_results_compare(&con, &page, err, sizeof(err)), 0, "%s", err);
	/* and the compare can fail: one value changed on one side */
	page.samples[page.nr_samples / 2].value++;
	cr_assert_neq(workload_results_compare(&con, &page, err, sizeof(err)), 0);
	workload_results_free(&con);
	workload_results_free(&page);
	results_page_close(&b.page);
	free(b.console);
}

Test(results_page, an_undrained_ring_says_what_it_lost_and_where, .timeout = 300)
{
	struct boot b;
	unsigned int lines = 0;

	/* 5000 samples of about 48 ring bytes each: more than the 128 KiB ring, read only after the boot */
	boot_exitloop(&b, 1000, false);
	cr_assert(b.page.present);
	cr_assert_str_empty(b.page.err);
	for (const char *s = b.console; *s; s++)
		lines += *s == '\n';
	cr_assert_gt(b.page.lost, 0, "nothing lost from %u lines", lines);
	cr_assert_eq(b.page.records + b.page.lost, lines, "every line is a record read or one counted lost");
	cr_assert(strstr(b.page.where, "cell 'exitloop'") && strstr(b.page.where, "lost from seq"),
		  "where: '%s'", b.page.where);
	/*
	 * The records kept are console lines in the console's order, the first one first: a full ring
	 * drops a record, and a later, shorter one may fit again (its sequence number places the gap), so
	 * they are a subsequence of the console, not always its prefix (the prefix check failed once on a
	 * loaded host, whose larger tick counts made the records' lengths vary).
	 */
	cr_assert_eq(strncmp(b.page.text, b.console, strcspn(b.console, "\n") + 1), 0,
		     "the first record is not the console's first line");
	const char *c = b.console, *p = b.page.text, *end = b.page.text + b.page.len;
	unsigned long kept = 0;
	while (p < end) {
		size_t n = strcspn(p, "\n") + 1;
		while (*c && strncmp(c, p, n))
			c += strcspn(c, "\n") + 1;
		cr_assert(*c, "record %lu ('%.*s') is not a later console line", kept, (int)n - 1, p);
		c += n;
		p += n;
		kept++;
	}
	cr_assert_eq(kept, b.page.records, "%lu lines in the page text, %llu records", kept,
		     (unsigned long long)b.page.records);
	results_page_close(&b.page);
	free(b.console);
}

static long long query_int(const char *db_path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/*
 * bench run takes a boot's samples from the page when the boot has one (tracing events-off: a channel),
 * checked equal to the console's, and from the console without one (tracing off); the boot's record says
 * which, and what the page held.
 */
Test(results_page, bench_run_takes_samples_from_the_page_when_present, .timeout = 300)
{
	char dir[] = "/tmp/tessera-rp-bench-XXXXXX", plan[96], db[96];
	struct tessera_proc p;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(plan, sizeof(plan), "%s/plan.yaml", dir);
	snprintf(db, sizeof(db), "%s/run.db", dir);
	FILE *f = fopen(plan, "w");
	cr_assert_not_null(f);
	fputs("mode: deterministic\nseed: 2\nboots: 1\niterations: 20\nwarmup: 0\nworkloads: [exitloop]\n"
	      "configurations:\n  - name: console\n    tracing: off\n  - name: page\n    tracing: "
	      "events-off\n",
	      f);
	fclose(f);
	tessera_run(&p, 280, (const char *const[]){"bench", "run", plan, "-o", db, "--no-compare", NULL});
	cr_assert_eq(p.status, 0, "exit %d\n%s\n%s", p.status, p.out, p.err);
	tessera_free(&p);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM boots WHERE status = 'done'"), 2);
	/* exitloop's params, 5 x 20 samples and the done line: every line a record, none lost */
	cr_expect_eq(query_int(db, "SELECT count(*) FROM boots WHERE configuration = 'page'"
				   " AND json_extract(record, '$.samples_from') = 'results_page'"
				   " AND json_extract(record, '$.results_page.lost') = 0"
				   " AND json_extract(record, '$.results_page.records') > 100"),
		     1);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM boots WHERE configuration = 'console'"
				   " AND json_extract(record, '$.samples_from') = 'console'"
				   " AND json_type(record, '$.results_page') = 'null'"),
		     1);
	/* under -icount both channels carry the same exact counts, and the page did not change them */
	cr_expect_eq(
		query_int(db, "SELECT count(*) FROM samples a JOIN boots ba ON ba.id = a.boot_id"
			      " JOIN samples b JOIN boots bb ON bb.id = b.boot_id"
			      " WHERE ba.configuration = 'console' AND bb.configuration = 'page'"
			      " AND a.metric = b.metric AND a.iteration = b.iteration AND a.value = b.value"),
		100);
	sh("rm -rf '%s'", dir);
}

/*
 * The probe's attempts on results_write (bad pointers, lengths, another cell's memory, from user mode) put
 * nothing on the page: its ring holds exactly the one good record it writes as a control, and the other
 * cells' rings nothing.
 */
Test(results_page, refused_writes_leave_nothing_on_the_page, .timeout = 200)
{
	char channel[64];
	struct boot b = {0};

	snprintf(channel, sizeof(channel), "/tmp/tessera-rp-probe-%d.channel", (int)getpid());
	b.channel = channel;
	struct lab_system s = {.config = ROOT "/configs/default.yaml", .channel = channel, .timeout_s = 150};
	struct lab_hooks h = {.on_line = on_line, .after = after, .ctx = &b, .quiet = true};
	struct lab_run run;
	int status = lab_run(&s, &h, &run);
	cr_assert_eq(status, 0, "exit status %d: %s", status, run.summary);
	lab_run_release(&run);
	cr_assert(b.page.present);
	cr_assert_str_empty(b.page.err);
	cr_expect_eq(b.page.lost, 0);
	cr_expect_eq(b.page.records, 1);
	cr_expect_eq(b.page.gaps, 0, "a refused call used up a sequence number: %s", b.page.where);
	cr_expect_str_eq(b.page.text ? b.page.text : "", "[probe] PROBE results_write\n");
	results_page_close(&b.page);
	free(b.console);
}
