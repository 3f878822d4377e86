/*
 * `tessera trace record`: the host side of the live channel.
 *
 * Before QEMU starts, a file of --shm-mb MiB is created (zeroed) in the run's scratch directory and
 * mapped MAP_SHARED here; QEMU gets the same file as the memory of an ivshmem-plain device (lab/). The
 * hypervisor finds the device, lays out its control block and rings there and writes the magic last. The
 * recording's initial masks travel on the hypervisor command line (trace_events=, trace_cells=,
 * trace_ring=), so they hold from the cells' very first exit; the mailbox is for changes while it runs.
 *
 * A drain thread polls every ring (about every millisecond while they are empty) and appends what it
 * finds to DIR/cpuN.raw. TESSERA_TRACE_DRAIN_NAP_MS (a test hook) makes it nap that long between polls
 * instead: a recording under icount must not change with when the host drains (faultinj_test.c). After QEMU ends, the file still holds everything the hypervisor wrote: one last
 * drain takes the rest, and the meta file records the counters the hypervisor published (produced,
 * lost per CPU and event, exits and violations per cell and reason).
 *
 * LTTng-UST: besides run_start/qemu_start/run_stop (cli/, lab/), the recorder fires `drain_stats` once
 * per CPU every PROGRESS_MS while it drains (for CPUs whose totals changed) and once per CPU with the
 * final totals after the last drain: cumulative events and bytes drained from that CPU's ring, and the
 * records the hypervisor counted lost on it.
 *
 * On a terminal, the progress line (stderr, rewritten in place with \r) and the console lines (stdout)
 * share the screen: the runner calls progress_around_output around every line it writes, which erases
 * the progress line first ("\r\033[K") and draws it again afterwards, under the lock that the drain
 * thread also takes to draw it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <tessera/config_check.h>

#include "../cli/run.h"
#include "../lab/runner.h"
#include "probes.h"
#include "record.h"
#include "ring.h"
#include "timesync.h"
#include "tracedir.h"

#define SHM_MB_DEFAULT 4
#define DRAIN_BUF      (1 << 20)
#define PROGRESS_MS    200
#define SYNC_EVERY_MS  20
#define SYNC_SAMPLES   8 /* exchanges per burst; the shortest round trip is kept */

struct recorder {
	const char *dir;
	const char *events_arg; /* -e, NULL: every event */
	const char *cells_arg[TESSERA_TRACE_MAX_CELLS];
	unsigned int nr_cells_arg;
	unsigned long ring; /* --ring, 0: as large as fits */
	unsigned int shm_mb;
	char shm_path[4200];
	char cmdline[4096];
	uint8_t *map;
	size_t map_len;
	const struct tessera_trace_control *ctl;
	FILE *files[TESSERA_TRACE_MAX_CPUS];
	uint64_t events, bytes;
	uint64_t cpu_events[TESSERA_TRACE_MAX_CPUS], cpu_bytes[TESSERA_TRACE_MAX_CPUS];
	uint64_t cpu_reported[TESSERA_TRACE_MAX_CPUS]; /* cpu_events + lost at the last drain_stats */
	bool progress;				       /* stderr is a terminal */
	bool quiet;		       /* trace_record_system: no progress line, no summary on stderr */
	bool progress_shown;	       /* the progress line is on the screen (under progress_lock) */
	pthread_mutex_t progress_lock; /* the progress line vs. the console lines */
	volatile bool stop;
	pthread_t thread;
	bool thread_started;
	uint8_t *buf;
	int failed;
	/* --mailbox OP:EVENTS:CELLS, sent in order once the channel is open */
	struct {
		uint32_t op;
		uint64_t events, cells;
		int32_t result;
		bool done;
	} cmds[8];
	unsigned int nr_cmds, next_cmd;
	long long cmd_sent_ms;
	/* Clock correlation bursts (timesync.h): the first once the channel is open, then one every
	 * SYNC_EVERY_MS; the last one that worked is kept, so first and last span the run. */
	struct trace_time_sync sync_first, sync_last;
	bool have_sync_first, have_sync_last;
	long long next_sync_ms;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tessera trace record [-e EVENT[,EVENT...]] [--cell NAME]... [--ring BYTES]\n"
		"                            [--shm-mb N] -o DIR [-- RUN-OPTIONS...]\n"
		"\n"
		"Boots the system as `tessera run RUN-OPTIONS` would (default: configs/default.yaml) with\n"
		"a host channel, and drains the hypervisor's per-CPU trace rings into DIR while it runs.\n"
		"  -e EVENTS     record only these events (names from `tessera trace catalog`; default all)\n"
		"  --cell NAME   record only this cell's events (repeatable; default every cell and the\n"
		"                hypervisor's own)\n"
		"  --ring BYTES  cap each CPU's ring (a power of two >= 256; default: as large as fits)\n"
		"  --shm-mb N    size of the shared memory in MiB, a power of two (default 4)\n"
		"Exit status: that of the run; 1 also when the hypervisor never opened the channel.\n");
}

/* ---- the control block as the host sees it ---- */

static bool ctl_valid(const struct recorder *rc, char *why, size_t len)
{
	const struct tessera_trace_control *c = (const void *)rc->map;

	if (__atomic_load_n(&c->magic, __ATOMIC_ACQUIRE) != TESSERA_TRACE_MAGIC)
		return snprintf(why, len, "the hypervisor did not open the trace channel"), false;
	if (c->version != TESSERA_TRACE_VERSION || c->header_size != sizeof(*c))
		return snprintf(why, len, "control block version %u (header %u bytes), expected %u (%zu)",
				c->version, c->header_size, TESSERA_TRACE_VERSION, sizeof(*c)),
		       false;
	if (c->catalog_hash != trace_catalog_hash())
		return snprintf(why, len, "the hypervisor's event catalog differs from ours (rebuild both)"),
		       false;
	if (!c->nr_cpus || c->nr_cpus > TESSERA_TRACE_MAX_CPUS || c->total_size > rc->map_len)
		return snprintf(why, len, "control block with bad sizes"), false;
	for (unsigned int i = 0; i < c->nr_cpus; i++)
		if (c->rings[i].data_offset + c->rings[i].size > rc->map_len)
			return snprintf(why, len, "ring %u lies outside the shared memory", i), false;
	return true;
}

static int drain_once(struct recorder *rc)
{
	const struct tessera_trace_control *c = rc->ctl;
	int got = 0;

	for (unsigned int i = 0; i < c->nr_cpus; i++) {
		struct trace_ring_reader rd = {(struct tessera_trace_ring_desc *)&c->rings[i],
					       rc->map + c->rings[i].data_offset, c->rings[i].size};
		long n;

		if (!rd.size)
			continue;
		while ((n = trace_ring_drain(&rd, rc->buf, DRAIN_BUF)) > 0) {
			got = 1;
			for (long off = 0; off < n;
			     off += ((const struct tessera_trace_record_header *)(rc->buf + off))->size)
				rc->cpu_events[i]++;
			rc->cpu_bytes[i] += (uint64_t)n;
			if (fwrite(rc->buf, 1, (size_t)n, rc->files[i]) != (size_t)n)
				return -1;
		}
		if (n < 0) {
			fprintf(stderr, "\ntessera trace record: ring %u holds a malformed record\n", i);
			return -1;
		}
	}
	uint64_t events = 0, bytes = 0;
	for (unsigned int i = 0; i < c->nr_cpus; i++) {
		events += rc->cpu_events[i];
		bytes += rc->cpu_bytes[i];
	}
	/* Read by the progress line under progress_lock; written only by whoever drains. */
	__atomic_store_n(&rc->events, events, __ATOMIC_RELAXED);
	__atomic_store_n(&rc->bytes, bytes, __ATOMIC_RELAXED);
	return got;
}

/* LTTng drain_stats per CPU; `all`: every CPU (the final totals), else only those that changed. */
static void drain_stats(struct recorder *rc, bool all)
{
	const struct tessera_trace_control *c = rc->ctl;

	for (unsigned int i = 0; i < c->nr_cpus; i++) {
		uint64_t lost = __atomic_load_n(&c->rings[i].lost, __ATOMIC_RELAXED);
		if (!all && rc->cpu_events[i] + lost == rc->cpu_reported[i])
			continue;
		rc->cpu_reported[i] = rc->cpu_events[i] + lost;
		probe_drain_stats(i, rc->cpu_events[i], rc->cpu_bytes[i], lost);
	}
}

static uint64_t total_lost(const struct tessera_trace_control *c)
{
	uint64_t lost = 0;

	for (unsigned int i = 0; i < c->nr_cpus; i++)
		lost += __atomic_load_n(&c->rings[i].lost, __ATOMIC_RELAXED);
	return lost;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Caller holds progress_lock. */
static void progress_draw(struct recorder *rc)
{
	fprintf(stderr, "\r\033[Ktessera trace record: %" PRIu64 " events, %" PRIu64 " KiB, %" PRIu64 " lost",
		__atomic_load_n(&rc->events, __ATOMIC_RELAXED),
		__atomic_load_n(&rc->bytes, __ATOMIC_RELAXED) >> 10, rc->ctl ? total_lost(rc->ctl) : 0);
	rc->progress_shown = true;
}

static void progress_line(struct recorder *rc)
{
	pthread_mutex_lock(&rc->progress_lock);
	progress_draw(rc);
	pthread_mutex_unlock(&rc->progress_lock);
}

/* The runner's around_output hook (only set when stderr is a terminal). */
static void progress_around_output(bool before, void *ctx)
{
	struct recorder *rc = ctx;

	if (before) {
		pthread_mutex_lock(&rc->progress_lock);
		if (rc->progress_shown)
			fputs("\r\033[K", stderr);
	} else {
		if (rc->progress_shown)
			progress_draw(rc);
		pthread_mutex_unlock(&rc->progress_lock);
	}
}

/* Takes the progress line off the screen for good (before the recorder's final messages). */
static void progress_end(struct recorder *rc)
{
	pthread_mutex_lock(&rc->progress_lock);
	if (rc->progress_shown)
		fputs("\r\033[K", stderr);
	rc->progress_shown = false;
	rc->progress = false;
	pthread_mutex_unlock(&rc->progress_lock);
}

static int open_files(struct recorder *rc)
{
	for (unsigned int i = 0; i < rc->ctl->nr_cpus; i++) {
		rc->files[i] = trace_dir_open_cpu(rc->dir, i, "wb");
		if (!rc->files[i]) {
			fprintf(stderr, "tessera trace record: %s/cpu%u.raw: %s\n", rc->dir, i,
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Sends the next mailbox command once the previous one is acknowledged (2 s at most each). */
static void mailbox_step(struct recorder *rc)
{
	struct tessera_control_mailbox *mb = (struct tessera_control_mailbox *)&rc->ctl->mailbox;
	uint32_t seq = __atomic_load_n(&mb->seq, __ATOMIC_RELAXED);

	if (rc->next_cmd > 0 && !rc->cmds[rc->next_cmd - 1].done) {
		if (__atomic_load_n(&mb->ack, __ATOMIC_ACQUIRE) != seq) {
			if (now_ms() - rc->cmd_sent_ms > 2000)
				rc->cmds[rc->next_cmd - 1].done = true, rc->cmds[rc->next_cmd - 1].result = 1;
			return;
		}
		rc->cmds[rc->next_cmd - 1].result = mb->result;
		rc->cmds[rc->next_cmd - 1].done = true;
	}
	if (rc->next_cmd >= rc->nr_cmds)
		return;
	mb->op = rc->cmds[rc->next_cmd].op;
	mb->req.args[0] = rc->cmds[rc->next_cmd].events;
	mb->req.args[1] = rc->cmds[rc->next_cmd].cells;
	__atomic_store_n(&mb->seq, seq + 1, __ATOMIC_RELEASE);
	rc->cmd_sent_ms = now_ms();
	rc->next_cmd++;
}

/* One burst of clock exchanges, when the mailbox is idle; CPU 0 answers within about a millisecond. */
static void time_sync_burst(struct recorder *rc)
{
	struct tessera_control_mailbox *mb = (struct tessera_control_mailbox *)&rc->ctl->mailbox;
	struct trace_time_sync s;

	rc->next_sync_ms = now_ms() + SYNC_EVERY_MS;
	/* When CPU 0 runs a cell it serves the mailbox at that cell's exits: the exchanges would change
	 * what the cell measures (bench-nullcall under icount would no longer repeat exactly). No sync then. */
	for (unsigned int i = 0; i < rc->ctl->nr_cells && i < TESSERA_TRACE_MAX_CELLS; i++)
		if (rc->ctl->cells[i].cpus & 1)
			return;
	if (!__atomic_load_n(&rc->ctl->running, __ATOMIC_ACQUIRE) ||
	    trace_time_sync(mb, SYNC_SAMPLES, 20, &s))
		return;
	if (!rc->have_sync_first) {
		rc->sync_first = s;
		rc->have_sync_first = true;
	} else {
		rc->sync_last = s;
		rc->have_sync_last = true;
	}
}

/* Waits for the control block, then drains until told to stop. Signals stay with the main thread. */
static void *drain_thread(void *arg)
{
	struct recorder *rc = arg;
	struct timespec nap = {0, 1000000};
	const char *nap_ms = getenv("TESSERA_TRACE_DRAIN_NAP_MS");
	long long next_progress = now_ms() + PROGRESS_MS;
	char why[160];
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (nap_ms && *nap_ms) {
		long ms = strtol(nap_ms, NULL, 10);
		nap.tv_sec = ms > 0 ? ms / 1000 : 0;
		nap.tv_nsec = ms > 0 ? ms % 1000 * 1000000 : 1000000;
	}
	while (!rc->stop && !rc->failed) {
		int got = 0;
		if (!rc->ctl && ctl_valid(rc, why, sizeof(why))) {
			rc->ctl = (const void *)rc->map;
			if (open_files(rc))
				rc->failed = 1;
		}
		if (rc->ctl && !rc->failed && (got = drain_once(rc)) < 0)
			rc->failed = 1;
		if (rc->ctl && !rc->failed)
			mailbox_step(rc);
		if (rc->ctl && !rc->failed && rc->next_cmd >= rc->nr_cmds &&
		    (!rc->nr_cmds || rc->cmds[rc->nr_cmds - 1].done) && now_ms() >= rc->next_sync_ms)
			time_sync_burst(rc);
		if (now_ms() >= next_progress) {
			if (rc->progress)
				progress_line(rc);
			if (rc->ctl && !rc->failed)
				drain_stats(rc, false);
			next_progress = now_ms() + PROGRESS_MS;
		}
		if (got <= 0)
			nanosleep(&nap, NULL);
	}
	return NULL;
}

/* ---- options to masks ---- */

static int events_mask(const char *arg, uint64_t *mask)
{
	char *copy = strdup(arg), *save = NULL;

	*mask = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const struct trace_event_desc *ev = trace_event_by_name(t);
		if (!ev) {
			fprintf(stderr,
				"tessera trace record: -e: unknown event '%s' (see tessera trace catalog)\n",
				t);
			free(copy);
			return -1;
		}
		*mask |= 1ULL << ev->id;
	}
	free(copy);
	return *mask ? 0 : -1;
}

/* Cell names from the compiled config in the scratch directory. */
static int cells_mask(const struct recorder *rc, const char *workdir, uint64_t *mask)
{
	char path[4200];
	FILE *f;
	static uint8_t blob[1 << 20];
	size_t n;
	struct config_error err;

	snprintf(path, sizeof(path), "%s/config.blob", workdir);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "tessera trace record: --cell needs a config (not --no-config)\n");
		return -1;
	}
	n = fread(blob, 1, sizeof(blob), f);
	fclose(f);
	if (config_check(blob, n, NULL, &err) /* reads names only */) {
		fprintf(stderr, "tessera trace record: %s: %s\n", path, err.message);
		return -1;
	}
	const struct tessera_config_header *h = (const void *)blob;
	*mask = 0;
	for (unsigned int a = 0; a < rc->nr_cells_arg; a++) {
		unsigned int i;
		for (i = 0; i < h->nr_cells; i++)
			if (!strncmp(config_cells(h)[i].name, rc->cells_arg[a], TESSERA_NAME_LEN))
				break;
		if (i == h->nr_cells) {
			fprintf(stderr, "tessera trace record: --cell: the config has no cell '%s'\n",
				rc->cells_arg[a]);
			return -1;
		}
		*mask |= 1ULL << i;
	}
	return 0;
}

static int before_boot(struct machine *m, const char *workdir, void *ctx)
{
	struct recorder *rc = ctx;
	uint64_t events = 0, cells = ~0ULL;
	int fd;

	if (rc->events_arg && events_mask(rc->events_arg, &events))
		return 2;
	if (rc->nr_cells_arg && cells_mask(rc, workdir, &cells))
		return 2;
	snprintf(rc->shm_path, sizeof(rc->shm_path), "%s/trace.shm", workdir);
	rc->map_len = (size_t)rc->shm_mb << 20;
	fd = open(rc->shm_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)rc->map_len)) {
		fprintf(stderr, "tessera trace record: %s: %s\n", rc->shm_path, strerror(errno));
		return 1;
	}
	rc->map = mmap(NULL, rc->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (rc->map == MAP_FAILED) {
		rc->map = NULL;
		fprintf(stderr, "tessera trace record: mmap %s: %s\n", rc->shm_path, strerror(errno));
		return 1;
	}
	m->shm_path = rc->shm_path;
	m->shm_mb = rc->shm_mb;
	int len = snprintf(rc->cmdline, sizeof(rc->cmdline), "%s%s", m->cmdline ? m->cmdline : "",
			   m->cmdline ? " " : "");
	if (rc->events_arg)
		len += snprintf(rc->cmdline + len, sizeof(rc->cmdline) - len, "trace_events=%#" PRIx64 " ",
				events);
	if (rc->nr_cells_arg)
		len += snprintf(rc->cmdline + len, sizeof(rc->cmdline) - len, "trace_cells=%#" PRIx64 " ",
				cells);
	if (rc->ring)
		len += snprintf(rc->cmdline + len, sizeof(rc->cmdline) - len, "trace_ring=%lu ", rc->ring);
	if (len && rc->cmdline[len - 1] == ' ')
		rc->cmdline[len - 1] = '\0';
	m->cmdline = rc->cmdline;
	rc->progress = !rc->quiet && isatty(2);
	if (rc->progress) {
		m->around_output = progress_around_output;
		m->around_output_ctx = rc;
	}
	if (pthread_create(&rc->thread, NULL, drain_thread, rc)) {
		fprintf(stderr, "tessera trace record: cannot start the drain thread\n");
		return 1;
	}
	rc->thread_started = true;
	return 0;
}

static int write_meta(struct recorder *rc)
{
	const struct tessera_trace_control *c = rc->ctl;
	struct trace_dir td;

	memset(&td, 0, sizeof(td));
	td.catalog_hash = c->catalog_hash;
	td.tsc_hz = c->tsc_hz;
	td.tsc_offset = c->tsc_offset;
	td.nr_cpus = c->nr_cpus;
	td.nr_cells = MIN(c->nr_cells, (uint32_t)TESSERA_TRACE_MAX_CELLS);
	for (unsigned int i = 0; i < td.nr_cells; i++) {
		memcpy(td.cell_names[i], c->cells[i].name, TESSERA_TRACE_NAME_LEN);
		td.cell_names[i][TESSERA_TRACE_NAME_LEN - 1] = '\0';
		td.cell_cpus[i] = c->cells[i].cpus;
		for (unsigned int r = 0; r < TESSERA_ER_COUNT; r++)
			td.cell_exits[i][r] = c->cells[i].exits_by_reason[r];
		td.cell_violations[i] = c->cells[i].violations;
	}
	/* Counters are final only if the hypervisor shut down in order. */
	td.have_counters = !__atomic_load_n(&c->running, __ATOMIC_ACQUIRE);
	td.have_sync_first = rc->have_sync_first;
	td.have_sync_last = rc->have_sync_last;
	td.sync_first = rc->sync_first;
	td.sync_last = rc->sync_last;
	FILE *boot = fopen("/proc/sys/kernel/random/boot_id", "r");
	if (boot) {
		if (fscanf(boot, "%36s", td.clock_uuid) != 1)
			td.clock_uuid[0] = 0;
		fclose(boot);
	}
	for (unsigned int i = 0; i < td.nr_cpus; i++) {
		td.produced[i] = c->rings[i].seq - c->rings[i].lost;
		td.lost[i] = c->rings[i].lost;
		memcpy(td.lost_per_event[i], c->rings[i].lost_per_event, sizeof(td.lost_per_event[i]));
	}
	return trace_dir_write_meta(&td, rc->dir);
}

static void after_boot(int status, void *ctx)
{
	struct recorder *rc = ctx;
	char why[160] = "";

	(void)status;
	if (!rc->thread_started)
		return;
	rc->stop = true;
	pthread_join(rc->thread, NULL);
	if (!rc->ctl && ctl_valid(rc, why, sizeof(why))) {
		rc->ctl = (const void *)rc->map;
		if (open_files(rc))
			rc->failed = 1;
	}
	if (rc->progress)
		progress_end(rc);
	if (!rc->ctl) {
		fprintf(stderr, "tessera trace record: no trace: %s\n", why);
		rc->failed = 1;
		return;
	}
	/* QEMU is gone; the file keeps what the hypervisor wrote last. */
	if (!rc->failed && drain_once(rc) < 0)
		rc->failed = 1;
	drain_stats(rc, true);
	for (unsigned int i = 0; i < rc->ctl->nr_cpus; i++)
		if (rc->files[i] && fclose(rc->files[i]))
			rc->failed = 1;
	if (!rc->failed && write_meta(rc)) {
		fprintf(stderr, "tessera trace record: %s/meta: %s\n", rc->dir, strerror(errno));
		rc->failed = 1;
	}
	for (unsigned int i = 0; i < rc->nr_cmds; i++) {
		if (!rc->cmds[i].done)
			fprintf(stderr, "tessera trace record: mailbox command %u: not carried out\n", i + 1);
		else if (rc->cmds[i].result > 0)
			fprintf(stderr, "tessera trace record: mailbox command %u: no answer in 2 s\n",
				i + 1);
		else
			fprintf(stderr, "tessera trace record: mailbox command %u: result %d\n", i + 1,
				rc->cmds[i].result);
	}
	if (rc->quiet)
		return;
	fprintf(stderr,
		"tessera trace record: %" PRIu64 " events (%" PRIu64 " bytes), %" PRIu64 " lost, in %s%s\n",
		rc->events, rc->bytes, total_lost(rc->ctl), rc->dir,
		rc->ctl->running ? " (the hypervisor did not shut down in order: no final counters)" : "");
}

/* trace_record_system: the recorder's hooks around the caller's. */
struct record_boot {
	struct recorder rc;
	const struct lab_hooks *outer;
};

static int system_before(struct machine *m, const char *workdir, void *ctx)
{
	struct record_boot *b = ctx;
	int ret = before_boot(m, workdir, &b->rc);

	if (!ret && b->outer && b->outer->before)
		ret = b->outer->before(m, workdir, b->outer->ctx);
	return ret;
}

static void system_after(int status, void *ctx)
{
	struct record_boot *b = ctx;

	after_boot(status, &b->rc);
	if (b->outer && b->outer->after)
		b->outer->after(status, b->outer->ctx);
}

static int system_on_line(const char *line, void *ctx)
{
	struct record_boot *b = ctx;
	return b->outer->on_line(line, b->outer->ctx);
}

int trace_record_system(const char *dir, const struct lab_system *s, const struct lab_hooks *h,
			struct lab_run *r, struct trace_record_totals *t)
{
	struct record_boot *b = calloc(1, sizeof(*b));
	struct lab_hooks mine = {
		.before = system_before, .after = system_after, .prog = "tessera trace record"};
	int ret;

	memset(t, 0, sizeof(*t));
	if (!b || !(b->rc.buf = malloc(DRAIN_BUF))) {
		free(b);
		fprintf(stderr, "tessera trace record: out of memory\n");
		memset(r, 0, sizeof(*r));
		return r->exit_status = 1;
	}
	pthread_mutex_init(&b->rc.progress_lock, NULL);
	b->rc.shm_mb = SHM_MB_DEFAULT;
	b->rc.dir = dir;
	b->rc.quiet = true;
	b->outer = h;
	if (h) {
		mine.on_line = h->on_line ? system_on_line : NULL;
		mine.quiet = h->quiet;
		mine.prog = h->prog ? h->prog : mine.prog;
	}
	mine.ctx = b;
	if (mkdir(dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "tessera trace record: %s: %s\n", dir, strerror(errno));
		ret = 1;
		memset(r, 0, sizeof(*r));
		r->exit_status = 1;
	} else {
		ret = lab_run(s, &mine, r);
		/* Every boot keeps its record: how to repeat it, beside the trace it made. */
		char rec[4096];
		snprintf(rec, sizeof(rec), "%s/" TRACE_RUN_RECORD, dir);
		if (r->record.qemu_cmdline && lab_run_record_write(&r->record, rec)) {
			fprintf(stderr, "tessera trace record: %s: %s\n", rec, strerror(errno));
			ret = ret ? ret : 1;
		}
	}
	if (b->rc.ctl) {
		t->events = b->rc.events;
		t->bytes = b->rc.bytes;
		t->lost = total_lost(b->rc.ctl);
	}
	if (b->rc.map)
		munmap(b->rc.map, b->rc.map_len);
	pthread_mutex_destroy(&b->rc.progress_lock);
	free(b->rc.buf);
	if (!ret && b->rc.failed)
		ret = 1;
	free(b);
	return ret;
}

int trace_record_main(int argc, char **argv)
{
	static struct recorder rc;
	char *run_argv[256] = {"run"};
	int run_argc = 1, ret;

	memset(&rc, 0, sizeof(rc));
	pthread_mutex_init(&rc.progress_lock, NULL);
	rc.shm_mb = SHM_MB_DEFAULT;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			for (i++; i < argc && run_argc < 255; i++)
				run_argv[run_argc++] = argv[i];
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return usage(stdout), 0;
		if (i + 1 >= argc)
			return usage(stderr), 2;
		if (!strcmp(a, "-o"))
			rc.dir = argv[++i];
		else if (!strcmp(a, "-e"))
			rc.events_arg = argv[++i];
		else if (!strcmp(a, "--cell") && rc.nr_cells_arg < TESSERA_TRACE_MAX_CELLS)
			rc.cells_arg[rc.nr_cells_arg++] = argv[++i];
		else if (!strcmp(a, "--ring"))
			rc.ring = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(a, "--mailbox") && rc.nr_cmds < 8) {
			char op[16];
			unsigned long long ev, cells;
			if (sscanf(argv[++i], "%15[a-z]:%llx:%llx", op, &ev, &cells) != 3 ||
			    (strcmp(op, "enable") && strcmp(op, "disable")))
				return usage(stderr), 2;
			rc.cmds[rc.nr_cmds].op =
				strcmp(op, "enable") ? TESSERA_CTL_TRACE_DISABLE : TESSERA_CTL_TRACE_ENABLE;
			rc.cmds[rc.nr_cmds].events = ev;
			rc.cmds[rc.nr_cmds++].cells = cells;
		} else if (!strcmp(a, "--shm-mb"))
			rc.shm_mb = (unsigned int)strtoul(argv[++i], NULL, 0);
		else
			return usage(stderr), 2;
	}
	if (!rc.dir || !rc.shm_mb || rc.shm_mb > 1024 || (rc.shm_mb & (rc.shm_mb - 1)) ||
	    (rc.ring && (rc.ring < 256 || (rc.ring & (rc.ring - 1)))))
		return usage(stderr), 2;
	if (mkdir(rc.dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "tessera trace record: %s: %s\n", rc.dir, strerror(errno));
		return 1;
	}
	rc.buf = malloc(DRAIN_BUF);
	/* The run record goes beside the trace (tessera run --record), ahead of the caller's options. */
	char rec[4096];
	snprintf(rec, sizeof(rec), "%s/" TRACE_RUN_RECORD, rc.dir);
	if (run_argc > 253) {
		fprintf(stderr, "tessera trace record: too many options after --\n");
		return 2;
	}
	memmove(run_argv + 3, run_argv + 1, (size_t)(run_argc - 1) * sizeof(run_argv[0]));
	run_argv[1] = "--record";
	run_argv[2] = rec;
	run_argc += 2;
	run_argv[run_argc] = NULL;
	struct run_hooks h = {before_boot, after_boot, &rc};
	ret = run_system(run_argc, run_argv, "tessera trace record", &h);
	if (rc.map)
		munmap(rc.map, rc.map_len);
	free(rc.buf);
	return ret ? ret : rc.failed ? 1 : 0;
}
