/*
 * Many experiments per boot (campaign_shared.h). Two threads: lab_run's (the boot: every console line is
 * appended to sb->lines) and the conductor's (the mailbox: hold, restart with a fault, wait for the
 * cells' ends in the console, judge). The conductor ends a boot that an experiment broke by sending this
 * process SIGTERM, which lab_run's QEMU driver turns into a stop of QEMU, as for a Ctrl-C.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <tessera/abi/batch.h>
#include <tessera/abi/fault_plan.h>
#include <tessera/config_check.h>
#include <tessera/crc32.h>

#include "../../cli/config/compile.h"
#include "../../cli/control_client.h"
#include "../../lab/host_files.h"
#include "../models.h"
#include "../plan/plan_compile.h"
#include "campaign_shared.h"

#define OPEN_TIMEOUT_MS	 120000 /* the hypervisor's first line and its control block, on a loaded host */
#define SEND_TIMEOUT_MS	 20000	/* one mailbox command: CPU 0 serves it within about a millisecond */
#define STOP_WAIT_MS	 60000	/* QEMU gone after our SIGTERM (SIGKILL follows 0.5 s after it) */
#define PANIC_WAIT_MS	 10000	/* the machine stops itself after a panic: give it that long */
#define MAX_CELLS	 TESSERA_TRACE_MAX_CELLS
#define RESTART_REQUEST	 "restart requested by the host (restarting)"
#define HV_STARTING_LINE "Tessera hypervisor starting"
#define BATCH_LINE	 "] batch: experiment " /* a batch's own markers: the harness, as restarts */

struct shared_boot {
	struct campaign_attempts *attempts; /* NULL: a console judged after the fact, no boot of ours */
	const struct campaign *c;
	const struct campaign_experiment *x;
	size_t nr;
	size_t first;
	const struct campaign_console *golden;
	unsigned int timeout_s;
	const struct campaign_shared_ops *ops;
	char channel[128];
	struct lab_run r;
	struct config_compiled cfg;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	char **lines; /* the whole boot's console */
	size_t nr_lines, cap;
	bool over;	/* lab_run returned */
	int status;	/* its exit status */
	bool stopping;	/* we ended the boot */
	size_t hv_line; /* the hypervisor's first line: every slice starts with it */
	unsigned int done;

	struct control_channel ch;
	char names[MAX_CELLS][TESSERA_TRACE_NAME_LEN + 1];
	unsigned int nr_cells, target;

	/* A batch (campaign_batch_boot): the experiments x[batch[i]], run by the hypervisor itself. */
	const size_t *batch;
	size_t nr_batch;
	bool *in_blob;		      /* compiled into batch.blob (a fault that does not compile is not) */
	struct tessera_fault *faults; /* each one's fault as compiled */
	char (*bad)[160];	      /* each one's compile error, when not in the blob */
	bool batch_last; /* a batch: this result is the boot's last for the caller (its last experiment, or
			  * the boot ended); the caller then takes no next one from this boot */
	char scratch[PATH_MAX], batch_path[PATH_MAX + 16];
	bool keep_scratch; /* the caller's directory (a replay's): not removed */
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int on_line(const char *line, void *ctx)
{
	struct shared_boot *sb = ctx;
	char *copy = strdup(line);

	pthread_mutex_lock(&sb->mu);
	if (sb->nr_lines == sb->cap) {
		size_t cap = sb->cap ? sb->cap * 2 : 1024;
		char **more = realloc(sb->lines, cap * sizeof(*more));
		if (more)
			sb->lines = more, sb->cap = cap;
	}
	if (copy && sb->nr_lines < sb->cap)
		sb->lines[sb->nr_lines++] = copy;
	else
		free(copy);
	pthread_cond_broadcast(&sb->cv);
	pthread_mutex_unlock(&sb->mu);
	return 0;
}

/* Under sb->mu: wait for a new line, the boot's end, or the deadline. False once either of the latter. */
static bool wait_more(struct shared_boot *sb, size_t seen, long long deadline)
{
	while (sb->nr_lines == seen && !sb->over) {
		long long now = now_ms();
		if (now >= deadline)
			return false;
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		long long at = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + (deadline - now);
		ts.tv_sec = at / 1000;
		ts.tv_nsec = (at % 1000) * 1000000;
		pthread_cond_timedwait(&sb->cv, &sb->mu, &ts);
	}
	return sb->nr_lines != seen;
}

/* End the boot (an experiment broke it or its time ran out) and wait until lab_run has returned. */
static void stop_boot(struct shared_boot *sb)
{
	long long deadline = now_ms() + STOP_WAIT_MS;

	pthread_mutex_lock(&sb->mu);
	if (!sb->over && !sb->stopping) {
		sb->stopping = true;
		kill(getpid(), SIGTERM);
	}
	while (!sb->over && now_ms() < deadline)
		wait_more(sb, sb->nr_lines, deadline);
	pthread_mutex_unlock(&sb->mu);
}

static int ctl_send4(struct shared_boot *sb, uint32_t op, const uint64_t a[4], const void *payload,
		     uint32_t size, int32_t *result, char *why, size_t n)
{
	struct tessera_control_request req = {.args = {a[0], a[1], a[2], a[3]}, .payload_size = size};

	if (size)
		memcpy(req.payload, payload, size);
	return control_send(&sb->ch, op, &req, SEND_TIMEOUT_MS, result, why, n);
}

static int ctl_send(struct shared_boot *sb, uint32_t op, uint64_t a0, uint64_t a1, const void *payload,
		    uint32_t size, int32_t *result, char *why, size_t n)
{
	return ctl_send4(sb, op, (const uint64_t[4]){a0, a1, 0, 0}, payload, size, result, why, n);
}

/* The experiment's one fault as the engine's record, compiled from its plan as a boot's plan is. */
static int compile_fault(struct shared_boot *sb, const struct campaign_experiment *e, struct tessera_fault *f,
			 uint64_t *seed, char *why, size_t n)
{
	char plan[4096], path[] = "/tmp/tessera-campaign-plan-XXXXXX";
	struct fault_plan_compiled out;
	struct config_diag diag;
	int len = campaign_experiment_plan(sb->c, e, plan, sizeof(plan)), fd = len < 0 ? -1 : mkstemp(path);

	if (fd < 0 || write(fd, plan, (size_t)len) != len) {
		snprintf(why, n, "cannot write the plan: %s", strerror(errno));
		if (fd >= 0)
			close(fd), unlink(path);
		return -1;
	}
	close(fd);
	int ret = fault_plan_compile(path, sb->cfg.blob, &out, &diag);
	unlink(path);
	if (ret) {
		snprintf(why, n, "the plan does not compile: %s", diag.message);
		return -1;
	}
	const struct tessera_fault_plan_header *h = out.blob;
	if (h->nr_faults != 1) {
		snprintf(why, n, "the plan has %u faults, not one", h->nr_faults);
		fault_plan_compiled_free(&out);
		return -1;
	}
	*f = fault_plan_faults(h)[0];
	*seed = h->seed;
	fault_plan_compiled_free(&out);
	return 0;
}

/* The slice [from, to) as a console of its own, after the hypervisor's first line; the host's restart
 * requests are left out (they are the harness, not the experiment: the judge reads a restart as a
 * detection). */
static char *slice_text(struct shared_boot *sb, size_t from, size_t to)
{
	size_t len = 1;

	pthread_mutex_lock(&sb->mu);
	len += strlen(sb->lines[sb->hv_line]) + 1;
	for (size_t i = from; i < to; i++)
		len += strlen(sb->lines[i]) + 1;
	char *t = malloc(len), *p = t;
	if (t) {
		p += sprintf(p, "%s\n", sb->lines[sb->hv_line]);
		for (size_t i = from; i < to; i++)
			if (!strstr(sb->lines[i], RESTART_REQUEST) && !strstr(sb->lines[i], BATCH_LINE))
				p += sprintf(p, "%s\n", sb->lines[i]);
		*p = '\0';
	}
	pthread_mutex_unlock(&sb->mu);
	return t;
}

static void result_begin(struct campaign_result *res, const struct campaign_experiment *e)
{
	memset(res, 0, sizeof(*res));
	res->index = e->index;
	res->outcome = OUTCOME_NO_VERDICT;
	results_db_now(res->started, sizeof(res->started));
}

/* Judge the slice and hand the result on. */
static void finish(struct shared_boot *sb, struct campaign_result *res, size_t from, size_t to, int status,
		   long long t0)
{
	struct campaign_console con = {0};
	char repeat[8192];

	res->duration_ns = (now_ms() - t0) * 1000000;
	results_db_now(res->ended, sizeof(res->ended));
	res->exit_status = status;
	res->interrupted = !sb->stopping && (status == 130 || status == 143);
	campaign_console_set(&con, slice_text(sb, from, to), status);
	campaign_result_judge(sb->c, sb->golden, &con, status, true, res);
	if (sb->attempts && !sb->done) /* the boot's first: say what the host did to the boots before */
		campaign_attempts_note(sb->attempts, res->detail, sizeof(res->detail));
	snprintf(res->config_hash, sizeof(res->config_hash), "%s", sb->r.record.config_sha256);
	snprintf(res->image_hash, sizeof(res->image_hash), "%s", sb->r.record.image_sha256);
	res->qemu_cmdline = sb->r.record.qemu_cmdline ? strdup(sb->r.record.qemu_cmdline) : NULL;
	snprintf(repeat, sizeof(repeat), CAMPAIGN_SHARED_REPEAT "experiment %u of the boot %s", sb->done + 1,
		 sb->r.record.repeat ? sb->r.record.repeat : "");
	res->repeat = strdup(repeat);
	/* A batch's boot runs ahead of its judge: it may be over while earlier slices are judged. */
	res->boot_ended = sb->batch ? sb->batch_last : sb->over || sb->stopping;
	campaign_console_free(&con);
	sb->done++;
	sb->ops->done(res, sb->ops->ctx);
	campaign_result_free(res);
}

/* An experiment the boot could not run: infrastructure, with why. */
static void cannot(struct shared_boot *sb, const struct campaign_experiment *e, const char *why,
		   bool boot_ends)
{
	struct campaign_result res;

	result_begin(&res, e);
	res.outcome = OUTCOME_INFRASTRUCTURE;
	res.exit_status = sb->over ? sb->status : 1;
	res.interrupted = !sb->stopping && sb->over && (sb->status == 130 || sb->status == 143);
	snprintf(res.detail, sizeof(res.detail), "%s", why);
	results_db_now(res.ended, sizeof(res.ended));
	res.boot_ended = sb->batch ? sb->batch_last || boot_ends : boot_ends;
	sb->done++;
	sb->ops->done(&res, sb->ops->ctx);
}

static bool find_line(struct shared_boot *sb, size_t from, const char *text, long long deadline, size_t *at);

/*
 * One experiment on the held machine. Returns true when the boot may take the next one: every cell
 * ended and the machine is still up.
 */
static bool run_one(struct shared_boot *sb, const struct campaign_experiment *e)
{
	struct campaign_result res;
	struct tessera_fault f;
	uint64_t seed;
	char why[512];
	int32_t result;
	bool ended[MAX_CELLS] = {0}, panic = false, panic_seen = false;
	long long t0 = now_ms(), deadline = t0 + (long long)sb->timeout_s * 1000;
	size_t to;

	result_begin(&res, e);
	if (compile_fault(sb, e, &f, &seed, why, sizeof(why))) {
		cannot(sb, e, why, false);
		return true;
	}
	pthread_mutex_lock(&sb->mu);
	size_t from = sb->nr_lines, seen = from;
	pthread_mutex_unlock(&sb->mu);
	/*
	 * Every cell again in one command (core/control.c says why): the canaries first, so that each is
	 * running before the fault can land, then the target and its peers in the config's order, as a boot
	 * starts them; a canary watching `until` the target ends sees it run.
	 */
	uint64_t others = 0, canaries = 0;
	for (unsigned int k = 0; k < sb->nr_cells && k < 64; k++) {
		others |= k != sb->target ? 1ULL << k : 0;
		for (unsigned int i = 0; i < sb->c->nr_canaries; i++)
			canaries |=
				k != sb->target && !strcmp(sb->names[k], sb->c->canaries[i]) ? 1ULL << k : 0;
	}
	if (ctl_send(sb, TESSERA_CTL_FI_DISARM, ~0ULL, 0, NULL, 0, &result, why, sizeof(why)) ||
	    ctl_send4(sb, TESSERA_CTL_CELL_RESTART_FAULT,
		      (const uint64_t[4]){sb->target, seed, others, canaries}, &f, sizeof(f), &result, why,
		      sizeof(why)))
		goto broken;
	/*
	 * A fail point armed for the restart makes the restart itself fail with the fault's error: that is
	 * the experiment (the console reports the target's failure, the others run), not a refusal.
	 */
	bool injected = f.model == FAULT_FAIL_POINT && result == -(int64_t)f.params[FP_fail_point_error];
	if (result < 0 && !injected) {
		snprintf(why, sizeof(why), "the hypervisor refused cell_restart_fault of '%s': error %d",
			 sb->c->target, result);
		cannot(sb, e, why, false);
		return true;
	}
	/*
	 * The experiment's slice starts at the hypervisor's "armed for the restart" line: what the cells
	 * printed before they were stopped comes before it on the serial line, but may reach the host after
	 * the command's answer. A loaded CI host once put the boot's own first run's `FI round=0` line
	 * into the first experiment's slice, which made a benign experiment sdc.
	 */
	char armed[160];
	size_t at;
	snprintf(armed, sizeof(armed), "armed for the restart of cell '%s'", sb->c->target);
	if (find_line(sb, from, armed, deadline, &at))
		from = seen = at;
	pthread_mutex_lock(&sb->mu);
	for (;;) {
		for (; seen < sb->nr_lines; seen++) {
			char end[256];
			const char *l = sb->lines[seen];
			panic |= outcome_is_hv_line(l) && strstr(l, "] PANIC");
			for (unsigned int k = 0; k < sb->nr_cells; k++)
				ended[k] |= outcome_line_ends_cell(l, sb->names[k], end, sizeof(end)) != NULL;
		}
		unsigned int n = 0;
		for (unsigned int k = 0; k < sb->nr_cells; k++)
			n += ended[k];
		if ((n == sb->nr_cells && !panic) || sb->over)
			break;
		if (panic && !panic_seen && now_ms() + PANIC_WAIT_MS < deadline)
			deadline = now_ms() + PANIC_WAIT_MS; /* the machine stops itself: wait for that */
		panic_seen |= panic;
		if (!wait_more(sb, seen, deadline) && !sb->over)
			break; /* the time limit */
	}
	bool timed_out = !sb->over && now_ms() >= deadline;
	bool all_ended = true;
	for (unsigned int k = 0; k < sb->nr_cells; k++)
		all_ended &= ended[k];
	pthread_mutex_unlock(&sb->mu);
	if (timed_out || !all_ended)
		stop_boot(sb);
	pthread_mutex_lock(&sb->mu);
	to = sb->nr_lines;
	/* As a boot of its own would have ended: the time limit, or how the machine stopped by itself. */
	int status = timed_out && !panic ? 124 : sb->over && !sb->stopping ? sb->status : panic ? 1 : 0;
	pthread_mutex_unlock(&sb->mu);
	finish(sb, &res, from, to, status, t0);
	return !sb->over && !sb->stopping;
broken:
	/* No answer from the mailbox: the hypervisor is stuck (or gone). Judge what the console shows. */
	stop_boot(sb);
	pthread_mutex_lock(&sb->mu);
	to = sb->nr_lines;
	pthread_mutex_unlock(&sb->mu);
	finish(sb, &res, from, to, sb->status == 143 && sb->stopping ? 124 : sb->status, t0);
	return false;
}

/* The first hypervisor line from line `from` on that holds `text`, into *at: false when the boot ended or
 * the deadline passed first. */
static bool find_line(struct shared_boot *sb, size_t from, const char *text, long long deadline, size_t *at)
{
	size_t seen = from;
	bool found = false;

	pthread_mutex_lock(&sb->mu);
	while (!found) {
		for (; seen < sb->nr_lines && !found; seen++)
			if (outcome_is_hv_line(sb->lines[seen]) && strstr(sb->lines[seen], text))
				*at = seen, found = true;
		if (!found && !wait_more(sb, seen, deadline))
			break;
	}
	pthread_mutex_unlock(&sb->mu);
	return found;
}

/*
 * The boot failed before its first experiment (why), for a reason of the host's: true when the caller is
 * to boot again (why kept for the record); on the last attempt false, with the earlier reasons appended.
 * Not for a stop of ours or of the user's: a stopped boot is not booted again.
 */
static bool boot_again(struct shared_boot *sb, char *why, size_t n)
{
	struct campaign_attempts *a = sb->attempts;

	if (!a || (sb->over && !sb->stopping && (sb->status == 130 || sb->status == 143)))
		return false;
	if (a->n < CAMPAIGN_BOOT_ATTEMPTS) {
		campaign_attempts_add(a, why);
		a->again = true;
		return true;
	}
	campaign_attempts_note(a, why, n);
	return false;
}

/*
 * The boot up to the first experiment: its first line, the control block, the hold, every cell stopped.
 * -1 when the host failed it (worth another boot), -2 when the campaign cannot run on it (its config
 * does not compile, its target is not a cell): another boot would fail the same way.
 */
static int set_up(struct shared_boot *sb, char *why, size_t n)
{
	long long deadline = now_ms() + OPEN_TIMEOUT_MS;
	struct config_options opt = {.no_images = true};
	struct config_diag cd;
	int32_t result;
	bool found;

	if (config_compile(sb->c->config, &opt, &sb->cfg, &cd)) {
		snprintf(why, n, "%.200s: %.200s", sb->c->config, cd.message);
		return -2;
	}
	if (!(found = find_line(sb, 0, HV_STARTING_LINE, deadline, &sb->hv_line))) {
		snprintf(why, n,
			 "the boot ended (exit status %d) or stayed silent before the hypervisor started",
			 sb->over ? sb->status : -1);
		return -1;
	}
	long long left = deadline - now_ms();
	if (control_open(sb->channel, left > 1000 ? (unsigned int)left : 1000, &sb->ch, why, n))
		return -1;
	if (ctl_send(sb, TESSERA_CTL_SYS_HOLD, 1, 0, NULL, 0, &result, why, n))
		return -1;
	sb->nr_cells = sb->ch.ctl->nr_cells < MAX_CELLS ? sb->ch.ctl->nr_cells : MAX_CELLS;
	for (unsigned int k = 0; k < sb->nr_cells; k++)
		snprintf(sb->names[k], sizeof(sb->names[k]), "%.*s", TESSERA_TRACE_NAME_LEN,
			 (const char *)sb->ch.ctl->cells[k].name);
	int t = control_cell_id(&sb->ch, sb->c->target);
	if (t < 0) {
		snprintf(why, n, "the running system has no cell '%s'", sb->c->target);
		return -2;
	}
	sb->target = (unsigned int)t;
	/* The boot's own first run is not an experiment: stopped (not waited for), the memory cleared. A
	 * cell that has ended already refuses the stop, which is as good. */
	for (unsigned int k = 0; k < sb->nr_cells; k++)
		if (ctl_send(sb, TESSERA_CTL_CELL_STOP, k, 0, NULL, 0, &result, why, n))
			return -1;
	return 0;
}

static void *conduct(void *arg)
{
	struct shared_boot *sb = arg;
	char why[512];
	int i = (int)sb->first;

	int failed = set_up(sb, why, sizeof(why));
	if (failed) {
		if (failed == -2 || !boot_again(sb, why, sizeof(why))) {
			char msg[600];
			snprintf(msg, sizeof(msg), "the shared boot failed before its first experiment: %s",
				 why);
			cannot(sb, &sb->x[sb->first], msg, true);
		}
		stop_boot(sb);
		return NULL;
	}
	while (i >= 0 && (size_t)i < sb->nr && run_one(sb, &sb->x[i]))
		i = sb->ops->next(sb->ops->ctx);
	if (i < 0 && !sb->over && !sb->stopping) {
		int32_t result;
		/* Released, the machine shuts down: every cell has ended. */
		if (ctl_send(sb, TESSERA_CTL_SYS_HOLD, 0, 0, NULL, 0, &result, why, sizeof(why)))
			stop_boot(sb);
	}
	return NULL;
}

/*
 * The batch's experiments, one after another as the hypervisor runs them: each one's slice is the lines
 * between its `begins` and `ends` markers, judged as a many-per-boot experiment's. The hypervisor keeps
 * each one's time limit by its own clock (`ends (time limit)`: exit status 124, as a boot of its own);
 * the host only waits longer than that for a marker before it gives the boot up.
 */
static void *conduct_batch(void *arg)
{
	struct shared_boot *sb = arg;
	/* The hypervisor keeps each limit by its clock, which under -icount (one instruction, one ns) may
	 * run ten times slower than the host's: the host's own bound, for a silent boot, is far beyond. */
	long long wait_ms = (long long)sb->timeout_s * 20000 + OPEN_TIMEOUT_MS;
	char why[512], text[96];

	if (!find_line(sb, 0, HV_STARTING_LINE, now_ms() + OPEN_TIMEOUT_MS, &sb->hv_line)) {
		snprintf(why, sizeof(why),
			 "the batch's boot ended (exit status %d) or stayed silent before the hypervisor "
			 "started",
			 sb->over ? sb->status : -1);
		sb->batch_last = true;
		if (!boot_again(sb, why, sizeof(why)))
			cannot(sb, &sb->x[sb->batch[0]], why, true);
		stop_boot(sb);
		return NULL;
	}
	size_t seen = sb->hv_line + 1;
	for (size_t i = 0; i < sb->nr_batch; i++) {
		const struct campaign_experiment *e = &sb->x[sb->batch[i]];
		struct campaign_result res;
		size_t from, to;
		long long t0 = now_ms();

		sb->batch_last = i + 1 == sb->nr_batch;
		if (!sb->in_blob[i]) {
			snprintf(why, sizeof(why), "its fault does not compile (not in the batch): %s",
				 sb->bad[i]);
			cannot(sb, e, why, false);
			continue;
		}
		result_begin(&res, e);
		snprintf(text, sizeof(text), TESSERA_BATCH_BEGINS, (unsigned long long)e->index);
		if (!find_line(sb, seen, text, t0 + wait_ms, &from)) {
			stop_boot(sb);
			snprintf(why, sizeof(why),
				 "the batch's boot ended (exit status %d) before experiment %u began",
				 sb->status, e->index);
			sb->batch_last = true;
			cannot(sb, e, why, true);
			return NULL;
		}
		from++;
		snprintf(text, sizeof(text), TESSERA_BATCH_ENDS, (unsigned long long)e->index, "");
		text[strlen(text) - 1] = '\0'; /* "... ends (": any reason */
		bool ended = find_line(sb, from, text, t0 + wait_ms, &to);
		if (!ended)
			stop_boot(sb); /* a panic (the machine stopped itself) or a hypervisor gone silent */
		pthread_mutex_lock(&sb->mu);
		if (!ended)
			to = sb->nr_lines;
		bool limit = ended && strstr(sb->lines[to], "(time limit");
		/* cells that did not stop at the limit: the hypervisor stops the machine after this one */
		bool last = !ended || strstr(sb->lines[to], "cells did not stop");
		/* A failed restart: the fault's own error is the experiment (a fail point armed for the
		 * restart), any other is a refusal. */
		long long err = 0;
		for (size_t k = from; k < to; k++) {
			const char *r = strstr(sb->lines[k], ": restart error ");
			if (r && strstr(sb->lines[k], BATCH_LINE))
				err = strtoll(r + 16, NULL, 10);
		}
		int status = ended ? (limit ? 124 : 0) : sb->over && !sb->stopping ? sb->status : 124;
		pthread_mutex_unlock(&sb->mu);
		sb->batch_last |= last;
		const struct tessera_fault *f = &sb->faults[i];
		if (err &&
		    !(f->model == FAULT_FAIL_POINT && err == -(long long)f->params[FP_fail_point_error])) {
			snprintf(why, sizeof(why), "the hypervisor refused the restart of '%s': error %lld",
				 sb->c->target, err);
			cannot(sb, e, why, last);
		} else {
			finish(sb, &res, from, to, status, t0);
		}
		if (last) {
			stop_boot(sb);
			return NULL;
		}
		seen = to + 1;
	}
	/* Every experiment judged: the hypervisor shuts down. One that does not (the last fault wedged it)
	 * is stopped, so that the worker ends. */
	size_t at;
	if (!find_line(sb, seen, "experiments done", now_ms() + wait_ms, &at))
		stop_boot(sb);
	pthread_mutex_lock(&sb->mu);
	long long deadline = now_ms() + OPEN_TIMEOUT_MS;
	while (!sb->over && now_ms() < deadline)
		wait_more(sb, sb->nr_lines, deadline);
	bool over = sb->over;
	pthread_mutex_unlock(&sb->mu);
	if (!over)
		stop_boot(sb);
	return NULL;
}

/*
 * The batch of every experiment whose fault compiles (sb->in_blob, sb->faults), written as batch.blob
 * into sb->scratch unless that is "" (campaign_batch_judge needs only the faults). 0, or -1 with why.
 */
static int write_batch(struct shared_boot *sb, char *why, size_t n)
{
	const struct tessera_config_header *cfg = sb->cfg.blob;
	const struct tessera_config_cell *cells = config_cells(cfg);
	size_t size =
		sizeof(struct tessera_batch_header) + sb->nr_batch * sizeof(struct tessera_batch_experiment);
	struct tessera_batch_header *h = calloc(1, size);
	struct tessera_batch_experiment *ex = (struct tessera_batch_experiment *)(h + 1);
	int target = -1;

	sb->in_blob = calloc(sb->nr_batch ? sb->nr_batch : 1, sizeof(bool));
	sb->faults = calloc(sb->nr_batch ? sb->nr_batch : 1, sizeof(*sb->faults));
	sb->bad = calloc(sb->nr_batch ? sb->nr_batch : 1, sizeof(*sb->bad));
	if (!h || !sb->in_blob || !sb->faults || !sb->bad) {
		free(h);
		snprintf(why, n, "out of memory");
		return -1;
	}
	for (unsigned int k = 0; k < cfg->nr_cells && k < 64; k++) {
		if (!strcmp(cells[k].name, sb->c->target)) {
			target = (int)k;
			continue;
		}
		h->others |= 1ULL << k;
		for (unsigned int i = 0; i < sb->c->nr_canaries; i++)
			if (!strcmp(cells[k].name, sb->c->canaries[i]))
				h->canaries |= 1ULL << k;
	}
	if (target < 0) {
		free(h);
		snprintf(why, n, "the system has no cell '%s'", sb->c->target);
		return -1;
	}
	for (size_t i = 0; i < sb->nr_batch; i++) {
		struct tessera_batch_experiment *b = &ex[h->nr_experiments];
		if (compile_fault(sb, &sb->x[sb->batch[i]], &b->fault, &b->seed, sb->bad[i],
				  sizeof(sb->bad[i])))
			continue;
		b->index = sb->x[sb->batch[i]].index;
		sb->faults[i] = b->fault;
		sb->in_blob[i] = true;
		h->nr_experiments++;
	}
	memcpy(h->magic, TESSERA_BATCH_MAGIC, sizeof(h->magic));
	h->version = TESSERA_BATCH_VERSION;
	h->target = (uint32_t)target;
	h->limit_ms = sb->timeout_s > UINT32_MAX / 1000 ? UINT32_MAX : sb->timeout_s * 1000;
	h->experiments_offset = sizeof(*h);
	size = sizeof(*h) + h->nr_experiments * sizeof(*ex);
	h->total_size = (uint32_t)size;
	h->checksum = crc32_update(0, h, size);
	if (!sb->scratch[0]) {
		free(h);
		return 0;
	}
	snprintf(sb->batch_path, sizeof(sb->batch_path), "%s/%s", sb->scratch, TESSERA_BATCH_MODULE);
	FILE *f = h->nr_experiments ? fopen(sb->batch_path, "wb") : NULL;
	int ret = f && fwrite(h, 1, size, f) == size ? 0 : -1;
	if (f && fclose(f))
		ret = -1;
	if (ret)
		snprintf(why, n, "%.300s: %s", sb->batch_path,
			 h->nr_experiments ? strerror(errno) : "no fault compiles");
	free(h);
	return ret;
}

/* sb's batch scratch directory and memory; returns the experiments it did. */
static unsigned int free_boot(struct shared_boot *sb)
{
	unsigned int done = sb->done;

	if (sb->scratch[0] && !sb->keep_scratch)
		lab_remove_tree(sb->scratch);
	free(sb->in_blob);
	free(sb->faults);
	free(sb->bad);
	free(sb);
	return done;
}

/* What a boot or a judged console holds besides free_boot's: its lines, its lock, its config; frees sb. */
static unsigned int release_boot(struct shared_boot *sb)
{
	for (size_t i = 0; i < sb->nr_lines; i++)
		free(sb->lines[i]);
	free(sb->lines);
	pthread_cond_destroy(&sb->cv);
	pthread_mutex_destroy(&sb->mu);
	config_compiled_free(&sb->cfg);
	return free_boot(sb);
}

/* The boot itself: lab_run on this thread, `conductor` on another; frees sb. */
static unsigned int run_boot(struct shared_boot *sb, void *(*conductor)(void *))
{
	const struct campaign *c = sb->c;
	pthread_condattr_t ca;
	pthread_t t;

	pthread_mutex_init(&sb->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sb->cv, &ca);
	pthread_condattr_destroy(&ca);
	struct lab_system s = {
		/* a batch runs with no host attached: no channel, the batch is a boot module */
		.config = c->config,
		.hv_cmdline = c->hv_append[0] ? c->hv_append : NULL,
		.channel = sb->batch ? NULL : sb->channel,
		.batch = sb->batch ? sb->batch_path : NULL,
		.mode = c->deterministic ? LAB_MODE_DETERMINISTIC : LAB_MODE_WALLCLOCK,
		.seed = c->seed,
		.timeout_s = LAB_TIMEOUT_NONE, /* each experiment has its own limit */
	};
	struct lab_hooks h = {.on_line = on_line, .ctx = sb, .quiet = true, .prog = "tessera fi campaign"};
	bool threaded = !pthread_create(&t, NULL, conductor, sb);
	int status = threaded ? lab_run(&s, &h, &sb->r) : 1;
	pthread_mutex_lock(&sb->mu);
	sb->over = true;
	sb->status = status;
	pthread_cond_broadcast(&sb->cv);
	pthread_mutex_unlock(&sb->mu);
	if (threaded)
		pthread_join(t, NULL);
	else
		cannot(sb, &sb->x[sb->batch ? sb->batch[0] : sb->first], "cannot start the conductor thread",
		       true);
	control_close(&sb->ch);
	lab_run_release(&sb->r);
	return release_boot(sb);
}

unsigned int campaign_shared_boot(const struct campaign *c, const struct campaign_experiment *x, size_t nr,
				  size_t first, const struct campaign_console *golden, unsigned int timeout_s,
				  const struct campaign_shared_ops *ops)
{
	static unsigned int boots;
	struct campaign_attempts a = {0};
	unsigned int done = 0;

	do { /* again while the host fails the boot before its first experiment (boot_again) */
		struct shared_boot *sb = calloc(1, sizeof(*sb));
		if (!sb)
			return done;
		a.n++;
		a.again = false;
		*sb = (struct shared_boot){.attempts = &a,
					   .c = c,
					   .x = x,
					   .nr = nr,
					   .first = first,
					   .golden = golden,
					   .timeout_s = timeout_s,
					   .ops = ops};
		snprintf(sb->channel, sizeof(sb->channel), "/tmp/tessera-campaign-%d-%u-%lld.chan",
			 (int)getpid(), boots++, now_ms());
		done = run_boot(sb, conduct);
	} while (a.again);
	return done;
}

/*
 * A shared_boot for a batch (x[batch[0..nr_batch)]) with its config compiled: NULL when out of memory;
 * when the config does not compile, why says so and sb->cfg.blob is NULL.
 */
static struct shared_boot *batch_alone(const struct campaign *c, const struct campaign_experiment *x,
				       size_t nr, const size_t *batch, size_t nr_batch,
				       const struct campaign_console *golden, unsigned int timeout_s,
				       const struct campaign_shared_ops *ops, char *why, size_t n)
{
	struct shared_boot *sb = nr_batch ? calloc(1, sizeof(*sb)) : NULL;
	struct config_options opt = {.no_images = true};
	struct config_diag cd;

	if (!sb)
		return NULL;
	*sb = (struct shared_boot){.c = c,
				   .x = x,
				   .nr = nr,
				   .first = batch[0],
				   .golden = golden,
				   .timeout_s = timeout_s,
				   .ops = ops,
				   .batch = batch,
				   .nr_batch = nr_batch};
	if (config_compile(c->config, &opt, &sb->cfg, &cd)) {
		snprintf(why, n, "%.200s: %.200s", c->config, cd.message);
		sb->cfg.blob = NULL;
	}
	return sb;
}

/* Nothing booted: each experiment recorded as `why`, the last one ending the caller's boot. */
static void batch_cannot(struct shared_boot *sb, const char *why)
{
	for (size_t i = 0; i < sb->nr_batch; i++) {
		sb->batch_last = i + 1 == sb->nr_batch;
		cannot(sb, &sb->x[sb->batch[i]], why, false);
	}
}

/* sb's directory for batch.blob: keep_dir (made if need be, kept after the boot) or a new scratch one. */
static int batch_dir(struct shared_boot *sb, const char *keep_dir, char *why, size_t n)
{
	if (keep_dir) {
		snprintf(sb->scratch, sizeof(sb->scratch), "%s", keep_dir);
		sb->keep_scratch = true;
		if (!mkdir(keep_dir, 0755) || errno == EEXIST)
			return 0;
	} else if (!lab_make_scratch_dir(sb->scratch, sizeof(sb->scratch), "tessera-batch")) {
		return 0;
	}
	snprintf(why, n, "cannot make the batch's directory %s: %s", keep_dir ? keep_dir : "(scratch)",
		 strerror(errno));
	if (!keep_dir)
		sb->scratch[0] = '\0'; /* nothing of ours to remove */
	return -1;
}

unsigned int campaign_batch_boot(const struct campaign *c, const struct campaign_experiment *x, size_t nr,
				 const size_t *batch, size_t nr_batch, const struct campaign_console *golden,
				 unsigned int timeout_s, const char *keep_dir,
				 const struct campaign_shared_ops *ops)
{
	struct campaign_attempts a = {0};
	unsigned int done;

	do { /* again while the host fails the boot before its first experiment (boot_again) */
		char why[600] = "";
		struct shared_boot *sb =
			batch_alone(c, x, nr, batch, nr_batch, golden, timeout_s, ops, why, sizeof(why));
		if (!sb)
			return 0;
		a.n++;
		a.again = false;
		sb->attempts = &a;
		if (sb->cfg.blob && batch_dir(sb, keep_dir, why, sizeof(why)) == 0 &&
		    write_batch(sb, why, sizeof(why)) == 0) {
			done = run_boot(sb, conduct_batch);
			continue;
		}
		batch_cannot(sb, why);
		config_compiled_free(&sb->cfg);
		return free_boot(sb);
	} while (a.again);
	return done;
}

int campaign_batch_write(const struct campaign *c, const struct campaign_experiment *x, const size_t *batch,
			 size_t nr_batch, unsigned int timeout_s, const char *dir, char *why, size_t n)
{
	struct shared_boot *sb = batch_alone(c, x, 0, batch, nr_batch, NULL, timeout_s, NULL, why, n);

	if (!sb)
		return -1;
	snprintf(sb->scratch, sizeof(sb->scratch), "%s", dir);
	int ret = sb->cfg.blob ? write_batch(sb, why, n) : -1;
	sb->scratch[0] = '\0'; /* the caller's directory: kept */
	config_compiled_free(&sb->cfg);
	free_boot(sb);
	return ret;
}

unsigned int campaign_batch_judge(const struct campaign *c, const struct campaign_experiment *x, size_t nr,
				  const size_t *batch, size_t nr_batch, const struct campaign_console *golden,
				  unsigned int timeout_s, const char *console, int status,
				  const struct campaign_shared_ops *ops)
{
	char why[600] = "";
	struct shared_boot *sb =
		batch_alone(c, x, nr, batch, nr_batch, golden, timeout_s, ops, why, sizeof(why));

	if (!sb)
		return 0;
	pthread_mutex_init(&sb->mu, NULL);
	pthread_cond_init(&sb->cv, NULL);
	if (sb->cfg.blob && write_batch(sb, why, sizeof(why)) == 0) {
		for (const char *l = console ? console : ""; *l;) {
			const char *nl = strchr(l, '\n');
			size_t len = nl ? (size_t)(nl - l) : strlen(l);
			char *line = strndup(l, len);
			if (line) {
				on_line(line, sb);
				free(line);
			}
			l += len + (nl ? 1 : 0);
		}
		sb->over = true; /* the whole console is here: no wait, no stop */
		sb->status = status;
		conduct_batch(sb);
	} else {
		batch_cannot(sb, why);
	}
	return release_boot(sb);
}
