/*
 * `tessera fi campaign run`: the golden run, then every planned experiment in reboot-per-experiment mode,
 * up to -j N at once, each in a forked worker that boots through lab_run and hands its result back over
 * a pipe as JSON. Only this process writes the database. Ctrl-C or SIGTERM: the workers' boots end (lab_run
 * stops QEMU), their experiments are recorded interrupted, the run too; a SIGKILL of this process ends the
 * workers (PR_SET_PDEATHSIG) and `--resume` marks what was running interrupted and reruns it.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <tessera/abi/batch.h>

#include "../../lab/runner.h"
#include "campaign_boot.h"
#include "campaign_run.h"
#include "campaign_shared.h"

#define MAX_JOBS 64

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

struct worker {
	pid_t pid;
	int fd; /* its results */
	int to; /* many-per-boot: the next experiment's position in x, one per line (-1 when none) */
	unsigned int index; /* the experiment in flight */
	bool busy;	    /* one is in flight (a reboot worker's always is) */
	bool shared;	    /* many experiments in its boot */
	char *buf;
	size_t len, cap;
};

static char *result_json(const struct campaign_result *r)
{
	json_t *o = json_pack(
		"{s:i, s:b, s:b, s:s, s:s, s:i, s:s, s:s, s:I, s:s, s:s, s:s, s:s?, s:s?, s:s?}", "index",
		r->index, "interrupted", r->interrupted, "boot_ended", r->boot_ended, "outcome",
		outcome_name(r->outcome), "detail", r->detail, "exit_status", r->exit_status, "started",
		r->started, "ended", r->ended, "duration_ns", (json_int_t)r->duration_ns, "trace_sha256",
		r->trace_sha256, "config_hash", r->config_hash, "image_hash", r->image_hash, "excerpt",
		r->excerpt, "qemu_cmdline", r->qemu_cmdline, "repeat", r->repeat);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	return s;
}

static void copy_str(json_t *o, const char *key, char *dst, size_t size)
{
	const char *s = json_string_value(json_object_get(o, key));

	snprintf(dst, size, "%s", s ? s : "");
}

static char *dup_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? strdup(s) : NULL;
}

static int result_parse(const char *text, struct campaign_result *r)
{
	json_t *o = json_loads(text, 0, NULL);
	char name[32];

	if (!o)
		return -1;
	r->index = (unsigned int)json_integer_value(json_object_get(o, "index"));
	r->interrupted = json_is_true(json_object_get(o, "interrupted"));
	r->boot_ended = json_is_true(json_object_get(o, "boot_ended"));
	copy_str(o, "outcome", name, sizeof(name));
	int oc = outcome_by_name(name);
	r->outcome = oc < 0 ? OUTCOME_NO_VERDICT : (enum outcome)oc;
	copy_str(o, "detail", r->detail, sizeof(r->detail));
	r->exit_status = (int)json_integer_value(json_object_get(o, "exit_status"));
	copy_str(o, "started", r->started, sizeof(r->started));
	copy_str(o, "ended", r->ended, sizeof(r->ended));
	r->duration_ns = json_integer_value(json_object_get(o, "duration_ns"));
	copy_str(o, "trace_sha256", r->trace_sha256, sizeof(r->trace_sha256));
	copy_str(o, "config_hash", r->config_hash, sizeof(r->config_hash));
	copy_str(o, "image_hash", r->image_hash, sizeof(r->image_hash));
	r->excerpt = dup_str(o, "excerpt");
	r->qemu_cmdline = dup_str(o, "qemu_cmdline");
	r->repeat = dup_str(o, "repeat");
	json_decref(o);
	return 0;
}

/* The worker: one experiment, its result on fd, then exit. Dies with its parent (and so does QEMU). */
static __attribute__((noreturn)) void worker_main(const struct campaign *c,
						  const struct campaign_experiment *e,
						  const struct campaign_console *golden,
						  unsigned int timeout_s, int fd, pid_t parent)
{
	struct campaign_result r;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(1);
	campaign_experiment_run(c, e, golden, timeout_s, NULL, &r);
	char *s = result_json(&r);
	size_t len = s ? strlen(s) : 0, done = 0;
	while (done < len) {
		ssize_t n = write(fd, s + done, len - done);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	_exit(done == len ? 0 : 1);
}

/* Many-per-boot: the worker's side of the pipes to the parent (campaign_shared_ops). */
struct shared_pipes {
	int in, out;
};

static int shared_next(void *ctx)
{
	struct shared_pipes *p = ctx;
	char line[32];
	size_t n = 0;

	while (n < sizeof(line) - 1) {
		ssize_t r = read(p->in, line + n, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1; /* the parent closed it: stop */
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	return atoi(line);
}

static void write_all(int fd, const char *s, size_t len)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, s + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		done += (size_t)n;
	}
}

static void shared_done(const struct campaign_result *r, void *ctx)
{
	struct shared_pipes *p = ctx;
	char *s = result_json(r);

	if (s) {
		write_all(p->out, s, strlen(s));
		write_all(p->out, "\n", 1);
	}
	free(s);
}

/*
 * A batch run's next batch (set by the parent just before it forks the batch's worker, which inherits
 * it): the experiments take_next would hand a shared boot one after another from its first on, so that
 * the parent, taking the next one as each result comes in, walks the batch's own order.
 */
static size_t *batch_list, batch_len;

/*
 * A many-per-boot worker: one boot, experiments from the parent until it says -1 or the boot ends; or,
 * for a batch, the experiments of batch_list (the parent's answers are then not needed: it walks the
 * same order).
 */
static __attribute__((noreturn)) void shared_worker_main(const struct campaign *c,
							 const struct campaign_experiment *x, size_t nr,
							 size_t first, const struct campaign_console *golden,
							 unsigned int timeout_s, int in, int out,
							 pid_t parent, bool batch)
{
	struct shared_pipes p = {in, out};
	struct campaign_shared_ops ops = {.next = shared_next, .done = shared_done, .ctx = &p};

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(1);
	if (batch) {
		close(in); /* the parent's answers are not read: its writes fail (SIGPIPE is ignored) */
		campaign_batch_boot(c, x, nr, batch_list, batch_len, golden, timeout_s, NULL, &ops);
	} else
		campaign_shared_boot(c, x, nr, first, golden, timeout_s, &ops);
	_exit(0);
}

struct progress {
	size_t total, done, skipped;
	uint64_t counts[OUTCOME_COUNT];
	struct timespec t0;
	bool tty;
	size_t last_line;
};

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void progress_show(struct progress *p, bool last)
{
	size_t ran = p->done - p->skipped;
	double t = since(&p->t0), rate = t > 0 ? (double)ran / t : 0;
	size_t every = p->total / 20 ? p->total / 20 : 1;

	if (!p->tty && (last ? p->last_line == p->done : p->done - p->last_line < every))
		return;
	p->last_line = p->done;
	fprintf(stderr, "%scampaign: %zu/%zu done, %.2f/s", p->tty ? "\r\033[K" : "", p->done, p->total,
		rate);
	for (int o = 0; o < OUTCOME_COUNT; o++)
		if (p->counts[o])
			fprintf(stderr, ", %s %llu", outcome_name((enum outcome)o),
				(unsigned long long)p->counts[o]);
	if (rate > 0 && p->done < p->total)
		fprintf(stderr, ", ETA %.0f s", (double)(p->total - p->done) / rate);
	fprintf(stderr, "%s", p->tty && !last ? "" : "\n");
}

static int record_result(struct results_db *db, int64_t run_id, struct campaign_result *r, struct progress *p)
{
	int ret = campaign_db_finish(db, run_id, r);

	if (!r->interrupted) {
		p->done++;
		p->counts[r->outcome]++;
		progress_show(p, false);
	}
	return ret;
}

/* A worker's pipe reached EOF: reap it and record what it said (or that it said nothing). */
static int worker_done(struct results_db *db, int64_t run_id, struct worker *w, struct progress *p)
{
	struct campaign_result r = {.index = w->index};
	int wstatus = 0;

	waitpid(w->pid, &wstatus, 0);
	close(w->fd);
	if (w->to >= 0)
		close(w->to);
	if (!w->busy) { /* a many-per-boot worker between experiments: nothing in flight */
		free(w->buf);
		memset(w, 0, sizeof(*w));
		return 0;
	}
	if (w->buf)
		w->buf[w->len] = '\0';
	if (!w->buf || result_parse(w->buf, &r)) {
		memset(&r, 0, sizeof(r));
		r.index = w->index;
		/* Killed by our own stop: interrupted, to be rerun. Otherwise a verdict-less experiment. */
		r.interrupted = stop_signal != 0;
		r.outcome = OUTCOME_NO_VERDICT;
		snprintf(r.detail, sizeof(r.detail), "the worker ended (wait status %#x) without a result",
			 wstatus);
	}
	if (stop_signal && (r.exit_status == 130 || r.exit_status == 143))
		r.interrupted = true;
	int ret = record_result(db, run_id, &r, p);
	campaign_result_free(&r);
	free(w->buf);
	memset(w, 0, sizeof(*w));
	w->pid = 0;
	return ret;
}

static int worker_read(struct worker *w)
{
	if (w->cap - w->len < 4096) {
		char *more = realloc(w->buf, w->cap = w->cap * 2 + 8192);
		if (!more)
			return -1;
		w->buf = more;
	}
	ssize_t n = read(w->fd, w->buf + w->len, w->cap - w->len - 1);
	if (n > 0)
		w->len += (size_t)n;
	return n > 0 ? 1 : (n == 0 || errno != EINTR ? 0 : 1);
}

/* A worker for experiment x[pos]: its own boot, or (shared) the first of a boot's experiments. */
static int start_worker(const struct campaign *c, const struct campaign_experiment *x, size_t nr, size_t pos,
			bool shared, bool batch, const struct campaign_console *golden,
			unsigned int timeout_s, struct worker *w)
{
	int fds[2], back[2] = {-1, -1};
	pid_t parent = getpid();

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	if (shared && pipe2(back, O_CLOEXEC)) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		if (shared)
			close(back[0]), close(back[1]);
		return -1;
	}
	if (!pid) {
		close(fds[0]);
		if (shared) {
			close(back[1]);
			shared_worker_main(c, x, nr, pos, golden, timeout_s, back[0], fds[1], parent, batch);
		}
		worker_main(c, &x[pos], golden, timeout_s, fds[1], parent);
	}
	close(fds[1]);
	if (shared)
		close(back[0]);
	*w = (struct worker){.pid = pid,
			     .fd = fds[0],
			     .to = back[1],
			     .index = x[pos].index,
			     .busy = true,
			     .shared = shared};
	return 0;
}

/* True when x's experiment boots alone even in a shared-boot run (campaign_entry.own_boot). */
static bool own_boot(const struct campaign *c, const struct campaign_experiment *x)
{
	return c->entries[x->entry].own_boot;
}

/*
 * The position of the next experiment not done yet (done ones count as skipped), or -1. The run's order
 * puts the experiments that boot alone last; for a shared boot's worker (for_shared) the next one of those
 * is not taken: the worker's boot ends and the main loop boots it alone.
 */
static long take_next(const struct campaign *c, struct results_db *db, int64_t run_id,
		      const struct campaign_experiment *x, const size_t *order, size_t nr, size_t *next,
		      bool for_shared, struct progress *p)
{
	while (*next < nr) {
		size_t pos = order[*next];
		if (for_shared && own_boot(c, &x[pos]))
			return -1;
		(*next)++;
		if (campaign_db_is_done(db, run_id, x[pos].index)) {
			p->done++, p->skipped++; /* a completed experiment is never run twice */
			continue;
		}
		return (long)pos;
	}
	return -1;
}

/* A batch run: pos and every experiment after it in the order that take_next would hand the same boot. */
static size_t batch_take(const struct campaign *c, struct results_db *db, int64_t run_id,
			 const struct campaign_experiment *x, const size_t *order, size_t nr, size_t next,
			 size_t pos, size_t *list)
{
	size_t n = 0;

	list[n++] = pos;
	for (size_t k = next; k < nr && n < TESSERA_BATCH_MAX; k++) {
		size_t q = order[k];
		if (own_boot(c, &x[q]))
			break;
		if (campaign_db_is_done(db, run_id, x[q].index))
			continue;
		list[n++] = q;
	}
	return n;
}

/*
 * A many-per-boot worker's complete result lines: record each, then hand it the next experiment (or -1).
 * Returns -1 when the database failed.
 */
static int shared_lines(const struct campaign *c, struct results_db *db, int64_t run_id,
			const struct campaign_experiment *x, const size_t *order, size_t nr, size_t *next,
			struct worker *w, struct progress *p)
{
	char *nl;
	int ret = 0;

	if (!w->buf)
		return 0;
	w->buf[w->len] = '\0';
	while ((nl = strchr(w->buf, '\n'))) {
		struct campaign_result r = {0};
		*nl = '\0';
		if (!result_parse(w->buf, &r)) {
			if (record_result(db, run_id, &r, p))
				ret = -1;
			w->busy = false;
			if (r.boot_ended) { /* it ends: the next experiment goes to a new boot */
				campaign_result_free(&r);
				w->len -= (size_t)(nl + 1 - w->buf);
				memmove(w->buf, nl + 1, w->len + 1);
				continue;
			}
			long pos = stop_signal || ret ? -1
						      : take_next(c, db, run_id, x, order, nr, next, true, p);
			char line[32];
			if (pos >= 0 && campaign_db_start(db, run_id, x[pos].index))
				ret = -1, pos = -1;
			if (pos >= 0)
				w->index = x[pos].index, w->busy = true;
			snprintf(line, sizeof(line), "%ld\n", pos);
			write_all(w->to, line, strlen(line));
		}
		campaign_result_free(&r);
		w->len -= (size_t)(nl + 1 - w->buf);
		memmove(w->buf, nl + 1, w->len + 1);
	}
	return ret;
}

int campaign_run_experiments(const struct campaign *c, struct results_db *db, int64_t run_id,
			     const struct campaign_experiment *x, size_t nr,
			     const struct campaign_console *golden, unsigned int timeout_s, unsigned int jobs,
			     enum campaign_run_mode mode, unsigned int *boots)
{
	bool shared = mode != CAMPAIGN_RUN_EACH, batch = mode == CAMPAIGN_RUN_BATCH;
	struct worker w[MAX_JOBS] = {0};
	struct progress p = {.total = nr, .tty = isatty(STDERR_FILENO)};
	struct sigaction sa = {.sa_handler = on_stop}, old_int, old_term;
	size_t next = 0, *order = malloc((nr ? nr : 1) * sizeof(*order)), k0 = 0;
	unsigned int running = 0;
	int ret = 0;

	if (!order)
		return 1;
	for (int pass = 0; pass < 2; pass++) /* shared-able first, then those that boot alone */
		for (size_t i = 0; i < nr; i++)
			if (own_boot(c, &x[i]) == (pass == 1))
				order[k0++] = i;
	clock_gettime(CLOCK_MONOTONIC, &p.t0);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	jobs = jobs < 1 || batch ? 1 : jobs > MAX_JOBS ? MAX_JOBS : jobs;
	if (batch && !(batch_list = malloc((nr ? nr : 1) * sizeof(*batch_list)))) {
		free(order);
		return 1;
	}
	for (;;) {
		while (!stop_signal && running < jobs && next < nr) {
			long pos = take_next(c, db, run_id, x, order, nr, &next, false, &p);
			if (pos < 0)
				break;
			unsigned int k = 0;
			while (w[k].pid)
				k++;
			bool many = shared && !own_boot(c, &x[pos]);
			if (batch && many)
				batch_len = batch_take(c, db, run_id, x, order, nr, next, (size_t)pos,
						       batch_list);
			if (campaign_db_start(db, run_id, x[pos].index) ||
			    start_worker(c, x, nr, (size_t)pos, many, batch && many, golden, timeout_s,
					 &w[k])) {
				ret = -1;
				stop_signal = SIGTERM;
				break;
			}
			running++;
			(*boots)++;
		}
		if (!running)
			break;
		struct pollfd pfd[MAX_JOBS];
		unsigned int idx[MAX_JOBS], n = 0;
		for (unsigned int k = 0; k < jobs; k++)
			if (w[k].pid) {
				pfd[n] = (struct pollfd){.fd = w[k].fd, .events = POLLIN};
				idx[n++] = k;
			}
		/* A terminal's Ctrl-C reached the workers too; a signal sent to us alone did not. */
		if (stop_signal)
			for (unsigned int k = 0; k < n; k++) {
				kill(w[idx[k]].pid, SIGTERM);
				if (w[idx[k]].to >= 0) /* a worker waiting for its next experiment: none */
					close(w[idx[k]].to), w[idx[k]].to = -1;
			}
		if (poll(pfd, n, 1000) < 0 && errno != EINTR)
			break;
		for (unsigned int k = 0; k < n; k++) {
			if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			int r = worker_read(&w[idx[k]]);
			if (r > 0 && w[idx[k]].shared &&
			    shared_lines(c, db, run_id, x, order, nr, &next, &w[idx[k]], &p))
				ret = -1;
			if (r <= 0) {
				if (worker_done(db, run_id, &w[idx[k]], &p))
					ret = -1;
				running--;
			}
		}
	}
	progress_show(&p, true);
	free(order);
	free(batch_list);
	batch_list = NULL;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (stop_signal)
		return stop_signal == SIGINT ? 130 : 143;
	return ret ? 1 : 0;
}
