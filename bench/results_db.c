/*
 * The results database (results_db.h): the schema, its version check, and the writers. WAL journaling
 * lets readers (compare, report) run while a lab run writes, and with synchronous=FULL a committed boot
 * survives a kill of the writer (and of the machine).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "results_db.h"

/* Schema version 1. docs/bench.md describes each column; a change is a new step in migrations[] below. */
static const char schema_sql[] =
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK (kind IN ('bench', 'campaign')),"
	" plan TEXT, git_revision TEXT, config_hash TEXT, image_hash TEXT,"
	" qemu_version TEXT, qemu_cmdline TEXT, hv_cmdline TEXT,"
	" seed INTEGER NOT NULL DEFAULT 0,"
	" mode TEXT NOT NULL CHECK (mode IN ('deterministic', 'wallclock')),"
	" host_cpu TEXT, host_kernel TEXT, load_start REAL, load_end REAL,"
	" started TEXT NOT NULL, ended TEXT,"
	" status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'interrupted')));"
	"CREATE TABLE boots ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES runs (id),"
	" configuration TEXT NOT NULL,"
	" boot_index INTEGER NOT NULL,"
	" run_order INTEGER NOT NULL,"
	" status TEXT NOT NULL CHECK (status IN ('done', 'failed', 'interrupted')),"
	" started TEXT, ended TEXT, load_start REAL, load_end REAL,"
	" UNIQUE (run_id, configuration, boot_index));"
	"CREATE TABLE samples ("
	" boot_id INTEGER NOT NULL REFERENCES boots (id),"
	" workload TEXT NOT NULL, metric TEXT NOT NULL, unit TEXT NOT NULL,"
	" iteration INTEGER NOT NULL, value REAL NOT NULL,"
	" warmup INTEGER NOT NULL DEFAULT 0 CHECK (warmup IN (0, 1)),"
	" PRIMARY KEY (boot_id, workload, metric, iteration));"
	"CREATE TABLE experiments ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES runs (id),"
	" campaign TEXT NOT NULL, experiment_index INTEGER NOT NULL,"
	" fault TEXT NOT NULL, seed INTEGER NOT NULL DEFAULT 0, weight REAL NOT NULL DEFAULT 1,"
	" outcome TEXT,"
	" status TEXT NOT NULL CHECK (status IN ('planned', 'running', 'done', 'interrupted')),"
	" started TEXT, ended TEXT, duration_ns INTEGER, trace_excerpt TEXT,"
	" UNIQUE (run_id, experiment_index));"
	"CREATE INDEX samples_metric ON samples (workload, metric);";

/*
 * Ordered migration steps: migrations[i] takes a file of version i + 1 to version i + 2, and a new file
 * gets schema_sql (version 1) and then every step, so that both end with the same schema. Steps only add;
 * docs/bench.md describes what each adds.
 */
static const char *const migrations[] = {
	/* 1 -> 2: the test cases of LAVA jobs (lab lava run / submit) and of lab regress's steps. */
	"CREATE TABLE jobs ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER REFERENCES runs (id),"
	" source TEXT NOT NULL CHECK (source IN ('lava-run', 'lava-submit', 'regress')),"
	" name TEXT NOT NULL, lava_id TEXT, file TEXT,"
	" health TEXT NOT NULL CHECK (health IN ('complete', 'incomplete')),"
	" problems TEXT, started TEXT, ended TEXT, duration_s REAL, log TEXT);"
	"CREATE TABLE cases ("
	" job_id INTEGER NOT NULL REFERENCES jobs (id),"
	" seq INTEGER NOT NULL,"
	" name TEXT NOT NULL,"
	" result TEXT NOT NULL CHECK (result IN ('pass', 'fail')),"
	" detail TEXT,"
	" PRIMARY KEY (job_id, seq));"
	"CREATE INDEX cases_name ON cases (name);",
	/* 2 -> 3 (bench run): a boot's workload and run record; the plan's hash and margin, so that
	 * --resume continues only the run of the same plan. */
	"ALTER TABLE boots ADD COLUMN workload TEXT;"
	"ALTER TABLE boots ADD COLUMN record TEXT;"
	"ALTER TABLE runs ADD COLUMN plan_sha256 TEXT;"
	"ALTER TABLE runs ADD COLUMN margin REAL;",
	/* 3 -> 4: fault-injection campaigns (docs/fault-campaigns.md): a campaign's definition and golden
	 * run per run, and what an experiment needs to be reported and replayed. */
	"CREATE TABLE campaigns ("
	" run_id INTEGER PRIMARY KEY REFERENCES runs (id),"
	" name TEXT NOT NULL, file TEXT NOT NULL, source TEXT NOT NULL,"
	" space_size INTEGER NOT NULL, planned INTEGER NOT NULL,"
	" golden_console TEXT, golden_duration_ns INTEGER, golden_trace_sha256 TEXT);"
	"ALTER TABLE experiments ADD COLUMN model TEXT;"
	"ALTER TABLE experiments ADD COLUMN site TEXT;"
	"ALTER TABLE experiments ADD COLUMN point INTEGER;"
	"ALTER TABLE experiments ADD COLUMN inject_at INTEGER;"
	"ALTER TABLE experiments ADD COLUMN detail TEXT;"
	"ALTER TABLE experiments ADD COLUMN exit_status INTEGER;"
	"ALTER TABLE experiments ADD COLUMN trace_sha256 TEXT;"
	"ALTER TABLE experiments ADD COLUMN interruptions INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE experiments ADD COLUMN plan TEXT;"
	"ALTER TABLE experiments ADD COLUMN config_hash TEXT;"
	"ALTER TABLE experiments ADD COLUMN image_hash TEXT;"
	"ALTER TABLE experiments ADD COLUMN qemu_cmdline TEXT;"
	"ALTER TABLE experiments ADD COLUMN repeat TEXT;",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == RESULTS_DB_SCHEMA_VERSION - 1,
	       "one migration step per schema version after 1");

static int fail(struct results_db *r, const char *what)
{
	fprintf(stderr, "tessera: %s: %s: %s\n", r->path, what,
		r->db ? sqlite3_errmsg(r->db) : "cannot open");
	return -1;
}

static int exec(struct results_db *r, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(r->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "tessera: %s: %s\n", r->path, err ? err : "SQL error");
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

static int user_version(struct results_db *r)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(r->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Inside the open transaction: from the file's version (0: empty) up to RESULTS_DB_SCHEMA_VERSION. */
static int migrate(struct results_db *r)
{
	char stamp[64];
	int v = user_version(r);

	if (v < 0 || v > RESULTS_DB_SCHEMA_VERSION)
		return -1;
	if (v == 0 && exec(r, schema_sql) < 0)
		return -1;
	for (int step = v ? v : 1; step < RESULTS_DB_SCHEMA_VERSION; step++)
		if (exec(r, migrations[step - 1]) < 0)
			return -1;
	snprintf(stamp, sizeof(stamp), "PRAGMA user_version = %d", RESULTS_DB_SCHEMA_VERSION);
	return exec(r, stamp);
}

static int open_flags(struct results_db *r, const char *path, int flags)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s", path);
	if (sqlite3_open_v2(path, &r->db, flags, NULL) != SQLITE_OK) {
		fail(r, "cannot open the results database");
		results_db_close(r);
		return -1;
	}
	sqlite3_busy_timeout(r->db, 10000);
	if (exec(r, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON") < 0)
		goto err;
	int v = user_version(r);
	if ((v == 0 && (flags & SQLITE_OPEN_CREATE)) || (v >= 1 && v < RESULTS_DB_SCHEMA_VERSION)) {
		/* A new file, or one of an older version: the schema, the missing migration steps and the new
		 * version in one transaction, with the version read again inside it so that two writers
		 * opening the same file at once do each step once. */
		if (exec(r, "BEGIN IMMEDIATE") < 0)
			goto err;
		if (migrate(r) < 0) {
			exec(r, "ROLLBACK");
			goto err;
		}
		if (exec(r, "COMMIT") < 0)
			goto err;
		v = user_version(r);
	}
	if (v != RESULTS_DB_SCHEMA_VERSION) {
		fprintf(stderr,
			"tessera: %s: results database schema version %d, this tessera reads version %d\n",
			path, v, RESULTS_DB_SCHEMA_VERSION);
		goto err;
	}
	return 0;
err:
	results_db_close(r);
	return -1;
}

int results_db_open(struct results_db *r, const char *path)
{
	return open_flags(r, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
}

int results_db_open_existing(struct results_db *r, const char *path)
{
	if (access(path, R_OK) != 0) {
		fprintf(stderr, "tessera: %s: no such results database\n", path);
		return -1;
	}
	return open_flags(r, path, SQLITE_OPEN_READWRITE);
}

void results_db_close(struct results_db *r)
{
	if (r->db)
		sqlite3_close(r->db);
	r->db = NULL;
}

double results_db_loadavg(void)
{
	double l;
	FILE *f = fopen("/proc/loadavg", "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lf", &l) != 1)
		l = -1;
	fclose(f);
	return l;
}

void results_db_now(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* The CPU model from /proc/cpuinfo ("model name"). */
static void host_cpu(char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");
	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (!strncmp(line, "model name", 10) && colon) {
			snprintf(buf, len, "%s", colon + 2);
			buf[strcspn(buf, "\n")] = 0;
			break;
		}
	}
	fclose(f);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_real(sqlite3_stmt *st, int i, double v)
{
	if (v >= 0)
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* Fills the statement's parameters for row i of a stmt_run. */
typedef void (*row_bind_fn)(sqlite3_stmt *st, size_t i, const void *ctx);

/* Most writers' rows: an owner's id (the run, boot or job) and what to write under it. */
struct owned_rows {
	int64_t id;
	const void *rows;
};

/*
 * The one prepare / bind / step / reset / finalize of every writer: sql is run once per row, n times,
 * with bind filling row i's parameters. -1 on the first failure; sqlite3_errmsg still tells why.
 */
static int stmt_run(struct results_db *r, const char *sql, size_t n, row_bind_fn bind, const void *ctx)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	for (size_t i = 0; i < n; i++) {
		bind(st, i, ctx);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return -1;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return 0;
}

struct run_row {
	const struct rdb_run *run;
	const char *cpu, *kernel, *now;
};

static void run_bind(sqlite3_stmt *st, size_t i, const void *ctx)
{
	const struct run_row *row = ctx;
	const struct rdb_run *run = row->run;

	(void)i;
	bind_text(st, 1, run->kind ? run->kind : "bench");
	bind_text(st, 2, run->plan);
	bind_text(st, 3, run->git_revision);
	bind_text(st, 4, run->config_hash);
	bind_text(st, 5, run->image_hash);
	bind_text(st, 6, run->qemu_version);
	bind_text(st, 7, run->qemu_cmdline);
	bind_text(st, 8, run->hv_cmdline);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)run->seed);
	bind_text(st, 10, run->mode ? run->mode : "wallclock");
	bind_text(st, 11, run->host_cpu ? run->host_cpu : row->cpu);
	bind_text(st, 12, run->host_kernel ? run->host_kernel : row->kernel);
	bind_real(st, 13, run->load_start > 0 ? run->load_start : results_db_loadavg());
	bind_text(st, 14, row->now);
	bind_text(st, 15, run->plan_sha256);
	if (run->margin > 0)
		sqlite3_bind_double(st, 16, run->margin);
	else
		sqlite3_bind_null(st, 16);
}

int results_db_run_begin(struct results_db *r, const struct rdb_run *run, int64_t *run_id)
{
	char cpu[256], kernel[512], now[40];
	struct utsname u;

	host_cpu(cpu, sizeof(cpu));
	if (uname(&u) == 0)
		snprintf(kernel, sizeof(kernel), "%s %s %s", u.sysname, u.release, u.version);
	else
		snprintf(kernel, sizeof(kernel), "unknown");
	results_db_now(now, sizeof(now));
	struct run_row row = {run, cpu, kernel, now};
	if (stmt_run(r,
		     "INSERT INTO runs (kind, plan, git_revision, config_hash, image_hash, qemu_version,"
		     " qemu_cmdline, hv_cmdline, seed, mode, host_cpu, host_kernel, load_start, started,"
		     " status, plan_sha256, margin) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,'running',?,?)",
		     1, run_bind, &row) < 0)
		return fail(r, "cannot record the run");
	*run_id = sqlite3_last_insert_rowid(r->db);
	return 0;
}

struct run_end_row {
	int64_t run_id;
	const char *status, *now;
};

static void run_end_bind(sqlite3_stmt *st, size_t i, const void *ctx)
{
	const struct run_end_row *row = ctx;

	(void)i;
	bind_text(st, 1, row->status);
	bind_text(st, 2, row->now);
	bind_real(st, 3, results_db_loadavg());
	sqlite3_bind_int64(st, 4, row->run_id);
}

int results_db_run_end(struct results_db *r, int64_t run_id, const char *status)
{
	char now[40];

	results_db_now(now, sizeof(now));
	struct run_end_row row = {run_id, status, now};
	if (stmt_run(r, "UPDATE runs SET status = ?, ended = ?, load_end = ? WHERE id = ?", 1, run_end_bind,
		     &row) < 0)
		return fail(r, "cannot end the run");
	return 0;
}

static void run_qemu_bind(sqlite3_stmt *st, size_t i, const void *ctx)
{
	const struct owned_rows *row = ctx;

	(void)i;
	bind_text(st, 1, row->rows);
	sqlite3_bind_int64(st, 2, row->id);
}

int results_db_run_set_qemu(struct results_db *r, int64_t run_id, const char *qemu_version)
{
	struct owned_rows row = {run_id, qemu_version};

	if (stmt_run(r, "UPDATE runs SET qemu_version = ? WHERE id = ? AND qemu_version IS NULL", 1,
		     run_qemu_bind, &row) < 0)
		return fail(r, "cannot record QEMU's version");
	return 0;
}

static void sample_bind(sqlite3_stmt *st, size_t i, const void *ctx)
{
	const struct owned_rows *rows = ctx;
	const struct rdb_sample *s = (const struct rdb_sample *)rows->rows + i;

	sqlite3_bind_int64(st, 1, rows->id);
	bind_text(st, 2, s->workload);
	bind_text(st, 3, s->metric);
	bind_text(st, 4, s->unit);
	sqlite3_bind_int(st, 5, (int)s->iteration);
	sqlite3_bind_double(st, 6, s->value);
	sqlite3_bind_int(st, 7, s->warmup);
}

static void boot_bind(sqlite3_stmt *st, size_t i, const void *ctx)
{
	const struct owned_rows *row = ctx;
	const struct rdb_boot *b = row->rows;

	(void)i;
	sqlite3_bind_int64(st, 1, row->id);
	bind_text(st, 2, b->configuration);
	sqlite3_bind_int(st, 3, (int)b->boot_index);
	sqlite3_bind_int(st, 4, (int)b->run_order);
	bind_text(st, 5, b->status ? b->status : "done");
	bind_text(st, 6, b->started);
	bind_text(st, 7, b->ended);
	bind_real(st, 8, b->load_start);
	bind_real(st, 9, b->load_end);
	bind_text(st, 10, b->workload);
	bind_text(st, 11, b->record);
}

int results_db_add_boot(struct results_db *r, int64_t run_id, const struct rdb_boot *b,
			const struct rdb_sample *samples, size_t nr_samples, int64_t *boot_id)
{
	struct owned_rows row = {run_id, b};

	if (exec(r, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (stmt_run(r,
		     "INSERT INTO boots (run_id, configuration, boot_index, run_order, status, started,"
		     " ended, load_start, load_end, workload, record) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
		     1, boot_bind, &row) < 0)
		goto err;
	struct owned_rows rows = {sqlite3_last_insert_rowid(r->db), samples};
	if (stmt_run(r,
		     "INSERT INTO samples (boot_id, workload, metric, unit, iteration, value, warmup)"
		     " VALUES (?,?,?,?,?,?,?)",
		     nr_samples, sample_bind, &rows) < 0)
		goto err;
	if (exec(r, "COMMIT") < 0)
		goto err;
	if (boot_id)
		*boot_id = rows.id;
	return 0;
err:
	fail(r, "cannot record the boot");
	exec(r, "ROLLBACK");
	return -1;
}

bool results_db_has_boot(struct results_db *r, int64_t run_id, const char *configuration, unsigned int index)
{
	sqlite3_stmt *st;
	bool found = false;
	if (sqlite3_prepare_v2(
		    r->db, "SELECT 1 FROM boots WHERE run_id = ? AND configuration = ? AND boot_index = ?",
		    -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_int64(st, 1, run_id);
	bind_text(st, 2, configuration);
	sqlite3_bind_int(st, 3, (int)index);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static void experiment_bind(sqlite3_stmt *st, size_t i, const void *ctx)
{
	const struct owned_rows *row = ctx;
	const struct rdb_experiment *e = row->rows;

	(void)i;
	sqlite3_bind_int64(st, 1, row->id);
	bind_text(st, 2, e->campaign);
	sqlite3_bind_int(st, 3, (int)e->index);
	bind_text(st, 4, e->fault);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)e->seed);
	sqlite3_bind_double(st, 6, e->weight);
	bind_text(st, 7, e->outcome);
	bind_text(st, 8, e->status);
	bind_text(st, 9, e->started);
	bind_text(st, 10, e->ended);
	if (e->duration_ns >= 0)
		sqlite3_bind_int64(st, 11, e->duration_ns);
	else
		sqlite3_bind_null(st, 11);
	bind_text(st, 12, e->trace_excerpt);
}

int results_db_put_experiment(struct results_db *r, int64_t run_id, const struct rdb_experiment *e)
{
	struct owned_rows row = {run_id, e};

	if (stmt_run(r,
		     "INSERT OR REPLACE INTO experiments (run_id, campaign, experiment_index, fault, seed,"
		     " weight, outcome, status, started, ended, duration_ns, trace_excerpt)"
		     " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
		     1, experiment_bind, &row) < 0)
		return fail(r, "cannot record the experiment");
	return 0;
}

int results_db_resume(struct results_db *r, int64_t run_id)
{
	sqlite3_stmt *st;
	int changed = -1;
	if (exec(r, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (sqlite3_prepare_v2(
		    r->db,
		    "UPDATE experiments SET status = 'interrupted' WHERE run_id = ? AND status = 'running'",
		    -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, run_id);
		if (sqlite3_step(st) == SQLITE_DONE)
			changed = sqlite3_changes(r->db);
		sqlite3_finalize(st);
	}
	if (changed >= 0 &&
	    sqlite3_prepare_v2(r->db, "UPDATE runs SET status = 'running', ended = NULL WHERE id = ?", -1,
			       &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, run_id);
		if (sqlite3_step(st) != SQLITE_DONE)
			changed = -1;
		sqlite3_finalize(st);
	}
	if (changed < 0 || exec(r, "COMMIT") < 0) {
		fail(r, "cannot resume the run");
		exec(r, "ROLLBACK");
		return -1;
	}
	return changed;
}

int64_t results_db_unfinished_run(struct results_db *r, char *plan_sha256, size_t len)
{
	sqlite3_stmt *st;
	int64_t id = 0;

	if (len)
		plan_sha256[0] = 0;
	if (sqlite3_prepare_v2(r->db,
			       "SELECT id, plan_sha256 FROM runs WHERE kind = 'bench' AND status IN"
			       " ('running', 'interrupted') ORDER BY id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(r, "cannot look for an unfinished run");
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		const unsigned char *h = sqlite3_column_text(st, 1);
		if (h && len)
			snprintf(plan_sha256, len, "%s", (const char *)h);
	}
	sqlite3_finalize(st);
	return id;
}

int64_t results_db_latest_run(struct results_db *r)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	/*
	 * The database is shared with fault-injection campaigns and lab runs: only a bench run has bench
	 * samples, and a finished one is preferred over one still running or stopped.
	 */
	if (sqlite3_prepare_v2(r->db,
			       "SELECT id, status FROM runs WHERE kind = 'bench' "
			       "ORDER BY status = 'done' DESC, id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		bool done = !strcmp((const char *)sqlite3_column_text(st, 1), "done");
		fprintf(stderr, "tessera bench: %s: run %lld (%s)\n", r->path, (long long)id,
			done ? "the newest finished bench run" : "the newest bench run; none has finished");
	}
	sqlite3_finalize(st);
	return id;
}

static void case_bind(sqlite3_stmt *st, size_t i, const void *ctx)
{
	const struct owned_rows *rows = ctx;
	const struct rdb_case *c = (const struct rdb_case *)rows->rows + i;

	sqlite3_bind_int64(st, 1, rows->id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
	bind_text(st, 3, c->name);
	bind_text(st, 4, c->result);
	bind_text(st, 5, c->detail);
}

static void job_bind(sqlite3_stmt *st, size_t i, const void *ctx)
{
	const struct rdb_job *j = ctx;

	(void)i;
	if (j->run_id > 0)
		sqlite3_bind_int64(st, 1, j->run_id);
	else
		sqlite3_bind_null(st, 1);
	bind_text(st, 2, j->source);
	bind_text(st, 3, j->name);
	bind_text(st, 4, j->lava_id);
	bind_text(st, 5, j->file);
	bind_text(st, 6, j->health ? j->health : "complete");
	bind_text(st, 7, j->problems);
	bind_text(st, 8, j->started);
	bind_text(st, 9, j->ended);
	bind_real(st, 10, j->duration_s);
	if (j->log)
		sqlite3_bind_text(st, 11, j->log, (int)j->log_len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 11);
}

int results_db_add_job(struct results_db *r, const struct rdb_job *j, const struct rdb_case *cases,
		       size_t nr_cases, int64_t *job_id)
{
	if (exec(r, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (stmt_run(r,
		     "INSERT INTO jobs (run_id, source, name, lava_id, file, health, problems, started,"
		     " ended, duration_s, log) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
		     1, job_bind, j) < 0)
		goto err;
	struct owned_rows rows = {sqlite3_last_insert_rowid(r->db), cases};
	if (stmt_run(r, "INSERT INTO cases (job_id, seq, name, result, detail) VALUES (?,?,?,?,?)", nr_cases,
		     case_bind, &rows) < 0 ||
	    exec(r, "COMMIT") < 0)
		goto err;
	if (job_id)
		*job_id = rows.id;
	return 0;
err:
	fail(r, "cannot record the job");
	exec(r, "ROLLBACK");
	return -1;
}
