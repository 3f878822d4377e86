/* Campaign rows in the results database (campaign_db.h). */
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_db.h"

void campaign_sha256(const char *text, size_t len, char out[65])
{
	unsigned char d[32];
	unsigned int n = 0;

	EVP_Digest(text, len, d, &n, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

void campaign_result_free(struct campaign_result *r)
{
	free(r->excerpt);
	free(r->qemu_cmdline);
	free(r->repeat);
	r->excerpt = r->qemu_cmdline = r->repeat = NULL;
}

static int db_fail(struct results_db *db, const char *what)
{
	fprintf(stderr, "tessera: %s: %s: %s\n", db->path, what, sqlite3_errmsg(db->db));
	return -1;
}

static int exec(struct results_db *db, const char *sql)
{
	return sqlite3_exec(db->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_fail(db, sql);
}

static void text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* The first parameter's value of a fault line ("register_flip cell=x reg=rax bit=3 ..." -> "reg=rax"). */
static void fault_site(const char *fault, char *buf, size_t size)
{
	const char *p = strchr(fault, ' ');

	p = p ? strchr(p + 1, ' ') : NULL; /* past "cell=..." */
	snprintf(buf, size, "%.*s", p ? (int)strcspn(p + 1, " ") : 0, p ? p + 1 : "");
}

int campaign_db_create(struct results_db *db, const struct campaign *c, const char *source,
		       const struct campaign_experiment *x, size_t nr, int64_t *run_id)
{
	struct rdb_run run = {.kind = "campaign",
			      .plan = c->path,
			      .seed = c->seed,
			      .mode = c->deterministic ? "deterministic" : "wallclock",
			      .load_start = -1};
	sqlite3_stmt *st = NULL;

	if (exec(db, "BEGIN IMMEDIATE"))
		return -1;
	if (results_db_run_begin(db, &run, run_id))
		goto err;
	if (sqlite3_prepare_v2(db->db,
			       "INSERT INTO campaigns (run_id, name, file, source, space_size, planned)"
			       " VALUES (?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto err;
	/* The file by its real path, so that replay finds it from any directory. */
	char *real = realpath(c->path, NULL);
	sqlite3_bind_int64(st, 1, *run_id);
	text(st, 2, c->name);
	text(st, 3, real ? real : c->path);
	free(real);
	text(st, 4, source);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)c->space_size);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)nr);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto err;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(
		    db->db,
		    "INSERT INTO experiments (run_id, campaign, experiment_index, fault, seed, weight,"
		    " status, model, site, point, inject_at) VALUES (?,?,?,?,?,?,'planned',?,?,?,?)",
		    -1, &st, NULL) != SQLITE_OK)
		goto err;
	for (size_t i = 0; i < nr; i++) {
		char site[128];
		fault_site(x[i].fault, site, sizeof(site));
		sqlite3_bind_int64(st, 1, *run_id);
		text(st, 2, c->name);
		sqlite3_bind_int(st, 3, (int)x[i].index);
		text(st, 4, x[i].fault);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)x[i].plan_seed);
		sqlite3_bind_double(st, 6, x[i].weight);
		text(st, 7, c->entries[x[i].entry].model);
		text(st, 8, site);
		sqlite3_bind_int64(st, 9, (sqlite3_int64)x[i].point);
		sqlite3_bind_int64(st, 10, (sqlite3_int64)x[i].inject_at);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto err;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return exec(db, "COMMIT");
err:
	db_fail(db, "cannot record the campaign");
	sqlite3_finalize(st);
	exec(db, "ROLLBACK");
	return -1;
}

static int64_t one_int(struct results_db *db, const char *sql, const char *arg, int64_t iarg)
{
	sqlite3_stmt *st;
	int64_t v = 0;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (arg)
		text(st, 1, arg);
	else
		sqlite3_bind_int64(st, 1, iarg);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int64_t campaign_db_unfinished(struct results_db *db, const char *name)
{
	return one_int(db,
		       "SELECT max(c.run_id) FROM campaigns c JOIN runs r ON r.id = c.run_id"
		       " WHERE c.name = ? AND r.status != 'done'",
		       name, 0);
}

int64_t campaign_db_latest(struct results_db *db)
{
	return one_int(db, "SELECT coalesce(max(run_id), ?) FROM campaigns", NULL, 0);
}

static char *one_text(struct results_db *db, const char *sql, int64_t run_id, int64_t *also)
{
	sqlite3_stmt *st;
	char *s = NULL;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, run_id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		s = strdup((const char *)sqlite3_column_text(st, 0));
		if (also)
			*also = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return s;
}

char *campaign_db_source(struct results_db *db, int64_t run_id)
{
	return one_text(db, "SELECT source FROM campaigns WHERE run_id = ?", run_id, NULL);
}

char *campaign_db_golden(struct results_db *db, int64_t run_id, int64_t *duration_ns)
{
	return one_text(db, "SELECT golden_console, golden_duration_ns FROM campaigns WHERE run_id = ?",
			run_id, duration_ns);
}

int campaign_db_set_golden(struct results_db *db, int64_t run_id, const char *console, int64_t duration_ns,
			   const char *sha256)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db->db,
			       "UPDATE campaigns SET golden_console = ?, golden_duration_ns = ?,"
			       " golden_trace_sha256 = ? WHERE run_id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "cannot record the golden run");
	text(st, 1, console);
	sqlite3_bind_int64(st, 2, duration_ns);
	text(st, 3, sha256);
	sqlite3_bind_int64(st, 4, run_id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, "cannot record the golden run");
}

int campaign_db_status(struct results_db *db, int64_t run_id, unsigned int index, char *buf, size_t size)
{
	sqlite3_stmt *st;
	int ret = -1;

	if (sqlite3_prepare_v2(db->db,
			       "SELECT status FROM experiments WHERE run_id = ? AND experiment_index = ?", -1,
			       &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int(st, 2, (int)index);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
		ret = 0;
	}
	sqlite3_finalize(st);
	return ret;
}

bool campaign_db_is_done(struct results_db *db, int64_t run_id, unsigned int index)
{
	char status[32];

	return !campaign_db_status(db, run_id, index, status, sizeof(status)) && !strcmp(status, "done");
}

int campaign_db_start(struct results_db *db, int64_t run_id, unsigned int index)
{
	sqlite3_stmt *st;
	char now[40];

	results_db_now(now, sizeof(now));
	if (sqlite3_prepare_v2(db->db,
			       "UPDATE experiments SET interruptions = interruptions +"
			       " (status = 'interrupted'), status = 'running', started = ?"
			       " WHERE run_id = ? AND experiment_index = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "cannot start the experiment");
	text(st, 1, now);
	sqlite3_bind_int64(st, 2, run_id);
	sqlite3_bind_int(st, 3, (int)index);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, "cannot start the experiment");
}

int campaign_db_finish(struct results_db *db, int64_t run_id, const struct campaign_result *r)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(
		    db->db,
		    "UPDATE experiments SET status = ?, outcome = ?, detail = ?, exit_status = ?,"
		    " started = ?, ended = ?, duration_ns = ?, trace_excerpt = ?, trace_sha256 = ?,"
		    " config_hash = ?, image_hash = ?, qemu_cmdline = ?, repeat = ?"
		    " WHERE run_id = ? AND experiment_index = ?",
		    -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "cannot record the experiment");
	text(st, 1, r->interrupted ? "interrupted" : "done");
	text(st, 2, r->interrupted ? NULL : outcome_name(r->outcome));
	text(st, 3, r->detail);
	sqlite3_bind_int(st, 4, r->exit_status);
	text(st, 5, r->started[0] ? r->started : NULL);
	text(st, 6, r->ended[0] ? r->ended : NULL);
	sqlite3_bind_int64(st, 7, r->duration_ns);
	text(st, 8, r->excerpt);
	text(st, 9, r->trace_sha256[0] ? r->trace_sha256 : NULL);
	text(st, 10, r->config_hash[0] ? r->config_hash : NULL);
	text(st, 11, r->image_hash[0] ? r->image_hash : NULL);
	text(st, 12, r->qemu_cmdline);
	text(st, 13, r->repeat);
	sqlite3_bind_int64(st, 14, run_id);
	sqlite3_bind_int(st, 15, (int)r->index);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, "cannot record the experiment");
}
