/*
 * trace.dat writer: libtracecmd writes the file (its writer, trace-output.c, is exported by
 * libtracecmd.so.1 but not in the public header: see libtracecmd_writer.h); we give it what it would read
 * from a live tracefs, laid out in a temporary directory shaped like tracefs:
 *
 *   events/header_page, events/header_event   the ring-buffer page and event headers (ours, below); the
 *                                             page size comes from header_page (tracecmd_output_create)
 *   events/tessera/<event>/format             the catalog's ftrace `format` texts (formats.c), copied
 *                                             by tracecmd_output_write_headers (all systems, no list)
 *   events/ftrace/print/format                one ftrace-internal format, which libtracecmd needs (below)
 *   saved_cmdlines                            "pid comm" per cell (tracecmd_write_cmdlines): cells
 *                                             appear as processes, pid = cell id + 1, comm = cell name
 *   cpuN                                      CPU N's data (tracecmd_write_cpu_data copies it)
 *
 * What it does not do is ours: the CPU data, in the ftrace ring-buffer page format: a 16-byte page header
 * (time stamp, commit), then events with a 32-bit header (type_len:5, time_delta:27), whose data are our
 * records' payloads (ftrace common fields + event fields) unchanged.
 *
 * The directory has no printk_formats or trace_clock (those sections stay empty, as in our earlier
 * hand-written v6 files), and kallsyms points at a file that does not exist: the default, /proc/kallsyms,
 * would embed the host's kernel symbols and make libtracecmd rewrite kptr_restrict.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <trace-cmd/trace-cmd.h>
#include <tracefs.h>
#include <unistd.h>

#include "../lab/host_files.h"
#include "convert.h"
#include "formats.h"
#include "libtracecmd_writer.h"
#include "ring.h"
#include "tasks.h"

#define DAT_PAGE_SIZE	 4096
#define PAGE_HDR	 16
#define TYPE_TIME_EXTEND 30
#define MAX_DELTA	 ((1u << 27) - 1)
#define MAX_SMALL_DATA	 (28 * 4)
#define DAT_VERSION	 6 /* no sections, no compression (libtracecmd 3.1.6 defaults to 7) */

static const char header_event[] = "# compressed entry header\n"
				   "\ttype_len    :    5 bits\n"
				   "\ttime_delta  :   27 bits\n"
				   "\tarray       :   32 bits\n\n"
				   "\tpadding     : type == 29\n"
				   "\ttime_extend : type == 30\n"
				   "\ttime_stamp : type == 31\n"
				   "\tdata max type_len  == 28\n";

/*
 * libtracecmd 3.1.6 needs at least one ftrace-internal event: read_ftrace_files() hands the list of
 * events/ftrace/<event>/format to copy_event_system(), which dereferences it without a NULL check (a
 * live tracefs always has events/ftrace). We give it the kernel's `print` (trace_marker) format under an
 * id our catalog cannot use (ids are below TESSERA_TRACE_MAX_EVENTS); no record of ours has that id.
 */
#define FTRACE_PRINT_ID_STR "64"
_Static_assert(TESSERA_TRACE_MAX_EVENTS == 64, "FTRACE_PRINT_ID_STR must be outside the catalog's ids");
static const char ftrace_print[] =
	"name: print\nID: " FTRACE_PRINT_ID_STR "\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:unsigned long ip;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:char buf[];\toffset:16;\tsize:0;\tsigned:1;\n\n"
	"print fmt: \"%ps: %s\", (void *)REC->ip, REC->buf\n";

/*
 * The ring-buffer page header's commit word also carries the kernel's loss flags (kbuffer-parse.c reads
 * them): MISSED_EVENTS says records were lost before this page's first event, MISSED_STORED that their
 * count follows the page's data (an unsigned long at data + commit). trace-cmd report then prints
 * "CPU:N [N EVENTS DROPPED]" at that place.
 */
#define PAGE_MISSED_EVENTS (1ULL << 31)
#define PAGE_MISSED_STORED (1ULL << 30)

/* The kernel's sched_switch, under an id outside the catalog's (and print's): KernelShark draws each
 * CPU's tasks from it. */
#define SCHED_SWITCH_ID 65
static const char sched_switch_format[] =
	"name: sched_switch\nID: 65\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;\n"
	"\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;\n"
	"\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;\n"
	"\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;\n"
	"\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;\n\n"
	"print fmt: \"prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s ==> next_comm=%s next_pid=%d "
	"next_prio=%d\", REC->prev_comm, REC->prev_pid, REC->prev_prio, REC->prev_state ? \"S\" : \"R\", "
	"REC->next_comm, REC->next_pid, REC->next_prio\n";

/* The pages of one CPU, built in memory. */
struct pages {
	uint8_t *p;
	size_t nr;			   /* pages started */
	size_t used;			   /* bytes used in the current page, header included */
	uint64_t last_ns;		   /* time of the previous event in the current page */
	uint64_t missed;		   /* records lost before the current page's first event */
	const struct trace_host_clock *hc; /* time stamps on the host's CLOCK_MONOTONIC, or NULL */
	const struct trace_dir *td;
	uint64_t first_ns, events, bytes; /* for the CPU's stats */
};

/*
 * A record's time stamp: with a clock sync, ns of the host's CLOCK_MONOTONIC (trace clock "mono", as
 * `trace-cmd record -C mono` on the host would write); without, ns since the trace started ("local").
 */
static uint64_t rec_ts(const struct pages *pg, const struct trace_rec *r)
{
	if (!pg->hc)
		return r->ns;
	__int128 d = (__int128)r->hdr->tsc - (__int128)pg->hc->tsc;
	__int128 ns = (__int128)pg->hc->mono_ns + d * 1000000000 / (__int128)pg->hc->hz;
	return ns > 0 ? (uint64_t)ns : 0;
}

static uint8_t *pages_cur(struct pages *pg)
{
	return pg->p + (pg->nr - 1) * DAT_PAGE_SIZE;
}

static void pages_close(struct pages *pg)
{
	if (pg->nr) {
		uint64_t commit = pg->used - PAGE_HDR;
		if (pg->missed) {
			memcpy(pages_cur(pg) + pg->used, &pg->missed, 8); /* room kept by add_record */
			commit |= PAGE_MISSED_EVENTS | PAGE_MISSED_STORED;
		}
		memcpy(pages_cur(pg) + 8, &commit, 8);
	}
}

static void pages_new(struct pages *pg, uint64_t ns)
{
	pages_close(pg);
	pg->p = realloc(pg->p, ++pg->nr * DAT_PAGE_SIZE);
	memset(pages_cur(pg), 0, DAT_PAGE_SIZE);
	memcpy(pages_cur(pg), &ns, 8);
	pg->used = PAGE_HDR;
	pg->last_ns = ns;
	pg->missed = 0;
}

/* One event of `len` payload bytes at time ts, in the current page or a new one. */
static void emit(struct pages *pg, uint64_t ts, const void *payload, uint32_t len, uint64_t lost_before)
{
	uint32_t need = len + 4 + (len > MAX_SMALL_DATA ? 4 : 0);
	uint64_t delta;

	/* A loss starts a page (its header says how many were lost); 8 bytes stay free for that count. */
	if (!pg->nr || lost_before || pg->used + need + 8 + 8 > DAT_PAGE_SIZE)
		pages_new(pg, ts);
	pg->missed += lost_before;
	if (!pg->events++)
		pg->first_ns = ts;
	pg->bytes += len;
	delta = ts - pg->last_ns;
	if (delta > MAX_DELTA) {
		uint32_t ext[2] = {TYPE_TIME_EXTEND | (uint32_t)(delta & MAX_DELTA) << 5,
				   (uint32_t)(delta >> 27)};
		memcpy(pages_cur(pg) + pg->used, ext, 8);
		pg->used += 8;
		delta = 0;
	}
	uint8_t *at = pages_cur(pg) + pg->used;
	uint32_t hdr;
	if (len <= MAX_SMALL_DATA) {
		hdr = (len / 4) | (uint32_t)delta << 5;
		memcpy(at, &hdr, 4);
		memcpy(at + 4, payload, len);
	} else {
		uint32_t array0 = len + 4; /* as the kernel stores it: data length plus this word */
		hdr = (uint32_t)delta << 5;
		memcpy(at, &hdr, 4);
		memcpy(at + 4, &array0, 4);
		memcpy(at + 8, payload, len);
	}
	pg->used += need;
	pg->last_ns = ts;
}

/* The kernel's sched_switch record (its format is staged below under SCHED_SWITCH_ID). */
struct sched_switch_rec {
	struct tessera_trace_common common;
	char prev_comm[16];
	int32_t prev_pid, prev_prio;
	int64_t prev_state; /* 0: runnable (R): a vCPU the hypervisor interrupts stays runnable */
	char next_comm[16];
	int32_t next_pid, next_prio;
};
_Static_assert(sizeof(struct sched_switch_rec) == 64, "the layout of the staged format");

static void task_comm(const struct trace_dir *td, int pid, char comm[16])
{
	memset(comm, 0, 16);
	if (pid < TRACE_TASK_CELL)
		snprintf(comm, 16, "hv/%d", pid - TRACE_TASK_HV);
	else
		snprintf(comm, 16, "%s", td->cell_names[pid / TRACE_TASK_CELL - 1]);
}

static void emit_switch(struct pages *pg, uint64_t ts, int prev, int next, uint64_t lost_before)
{
	struct sched_switch_rec s = {.common = {.type = SCHED_SWITCH_ID, .pid = prev},
				     .prev_pid = prev,
				     .prev_prio = 120,
				     .next_pid = next,
				     .next_prio = 120};

	task_comm(pg->td, prev, s.prev_comm);
	task_comm(pg->td, next, s.next_comm);
	emit(pg, ts, &s, sizeof(s), lost_before);
}

static int add_record(const struct trace_rec *r, void *arg)
{
	struct pages *pg = arg;
	uint32_t len = r->hdr->size - sizeof(*r->hdr);
	uint64_t ts = rec_ts(pg, r);
	uint8_t payload[TRACE_RING_MAX_RECORD];
	int pid = trace_task_of(pg->td, r);
	bool own = pid >= TRACE_TASK_CELL;
	bool is_exit = own && r->ev && r->ev->id == TESSERA_TRACE_EV_exit;
	bool is_entry = own && r->ev && r->ev->id == TESSERA_TRACE_EV_entry;
	uint64_t lost = r->lost_before;

	/* Only exit and entry are the vCPU's (as kvm_exit/kvm_entry are the vCPU thread's): everything else
	 * on its CPU is the hypervisor's doing, also an injection written after the entry record. */
	if (own && !is_entry && !is_exit)
		pid = trace_task_hv(r->cpu);

	if (len > sizeof(payload))
		return 0; /* no ring writes such a record (trace_dir_load checked only the framing) */
	memcpy(payload, r->payload, len);
	((struct tessera_trace_common *)payload)->pid = pid;
	((struct tessera_trace_common *)payload)->pid = pid;
	if (is_entry) {
		emit_switch(pg, ts, trace_task_hv(r->cpu), pid, lost); /* the guest runs again */
		lost = 0;
	}
	emit(pg, ts, payload, len, lost);
	if (is_exit) {
		emit_switch(pg, ts, pid, trace_task_hv(r->cpu), 0); /* the hypervisor handles the exit */
	}
	return 0;
}

/* Writes DIR/REL (its parent exists). 0 or -1 (errno set). */
static int stage_file(const char *dir, const char *rel, const void *data, size_t len)
{
	char path[2048];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	if (len)
		fwrite(data, 1, len, f);
	if (ferror(f)) {
		fclose(f);
		errno = EIO;
		return -1;
	}
	return fclose(f);
}

static int stage_mkdir(const char *dir, const char *rel)
{
	char path[2048];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return mkdir(path, 0755);
}

static int stage_formats(const char *dir)
{
	char rel[256];
	char page[256];
	int n;

	/* The data field's size makes the page size (tep_get_sub_buffer_size: data offset + size). */
	n = snprintf(page, sizeof(page),
		     "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
		     "\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
		     "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
		     "\tfield: char data;\toffset:%d;\tsize:%d;\tsigned:1;\n",
		     PAGE_HDR, DAT_PAGE_SIZE - PAGE_HDR);
	if (stage_mkdir(dir, "events") || stage_mkdir(dir, "events/" TRACE_FTRACE_SYSTEM) ||
	    stage_mkdir(dir, "events/ftrace") || stage_mkdir(dir, "events/ftrace/print") ||
	    stage_mkdir(dir, "events/sched") || stage_mkdir(dir, "events/sched/sched_switch") ||
	    stage_file(dir, "events/sched/sched_switch/format", sched_switch_format,
		       sizeof(sched_switch_format) - 1) ||
	    stage_file(dir, "events/header_page", page, n) ||
	    stage_file(dir, "events/header_event", header_event, sizeof(header_event) - 1) ||
	    stage_file(dir, "events/ftrace/print/format", ftrace_print, sizeof(ftrace_print) - 1))
		return -1;
	for (unsigned int i = 0; i < trace_event_count(); i++) {
		const struct trace_event_desc *e = trace_event_at(i);
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);
		int ret;

		trace_format_ftrace(m, e);
		fclose(m);
		snprintf(rel, sizeof(rel), "events/" TRACE_FTRACE_SYSTEM "/%s", e->name);
		ret = stage_mkdir(dir, rel);
		strncat(rel, "/format", sizeof(rel) - strlen(rel) - 1);
		ret = ret ? ret : stage_file(dir, rel, text, len);
		free(text);
		if (ret)
			return -1;
	}
	return 0;
}

static int stage_cmdlines(const char *dir, const struct trace_dir *td)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	int ret;

	for (unsigned int cpu = 0; cpu < td->nr_cpus; cpu++) {
		fprintf(m, "%d hv/%u\n", trace_task_hv(cpu), cpu);
		for (unsigned int c = 0; c < td->nr_cells; c++)
			if (trace_task_on_own_cpu(td, (int)c, cpu))
				fprintf(m, "%d %s\n", trace_task_vcpu((int)c, cpu), td->cell_names[c]);
	}
	fclose(m);
	ret = stage_file(dir, "saved_cmdlines", text, len);
	free(text);
	return ret;
}

/* The kernel's per_cpu/cpuN/stats text, as trace-cmd record saves it (CPUSTAT option, `report --stat`). */
static char *cpu_stats(unsigned int cpu, const struct pages *pg, const struct trace_dir *td)
{
	char *text = NULL;

	if (asprintf(&text,
		     "CPU: %u\nentries: 0\noverrun: 0\ncommit overrun: 0\nbytes: %" PRIu64
		     "\noldest event ts: %" PRIu64 ".%06" PRIu64 "\nnow ts: %" PRIu64 ".%06" PRIu64
		     "\ndropped events: %" PRIu64 "\nread events: %" PRIu64 "\n",
		     cpu, pg->bytes, pg->first_ns / 1000000000, pg->first_ns / 1000 % 1000000,
		     pg->last_ns / 1000000000, pg->last_ns / 1000 % 1000000, td->lost[cpu], pg->events) < 0)
		return NULL;
	return text;
}

static int stage_cpus(const char *dir, const struct trace_dir *td, const struct trace_host_clock *hc,
		      char **files, char **stats)
{
	for (unsigned int c = 0; c < td->nr_cpus; c++) {
		struct pages pg = {.hc = hc, .td = td};
		char rel[32];
		int ret;

		trace_dir_for_each_cpu(td, c, add_record, &pg);
		pages_close(&pg);
		stats[c] = cpu_stats(c, &pg, td);
		snprintf(rel, sizeof(rel), "cpu%u", c);
		ret = stage_file(dir, rel, pg.p, pg.nr * DAT_PAGE_SIZE);
		free(pg.p);
		if (ret || !stats[c] || asprintf(&files[c], "%s/%s", dir, rel) < 0)
			return -1;
	}
	return 0;
}

/* The page size libtracecmd wrote (after magic, "6\0", endianness, long size); ours or the file is wrong. */
static int check_page_size(const char *out_file, char *err, size_t err_len)
{
	FILE *f = fopen(out_file, "rb");
	uint32_t page = 0;

	if (!f || fseek(f, 14, SEEK_SET) || fread(&page, 4, 1, f) != 1) {
		if (f)
			fclose(f);
		return trace_errorf(err, err_len, "%s: cannot read back the file header", out_file);
	}
	fclose(f);
	if (page != DAT_PAGE_SIZE)
		return trace_errorf(err, err_len, "%s: libtracecmd chose page size %u, our pages are %u",
				    out_file, page, DAT_PAGE_SIZE);
	return 0;
}

/* The libtracecmd calls, in the order trace-cmd record makes them for a v6 file. */
static const char *write_dat(struct tracecmd_output *h, const char *dir, int cpus, char **files, char **stats)
{
	char kallsyms[2048];

	snprintf(kallsyms, sizeof(kallsyms), "%s/kallsyms-none", dir);
	tracecmd_set_quiet(h, true); /* no "CPU0 data recorded at offset" lines on stderr */
	if (tracecmd_output_set_trace_dir(h, dir) || tracecmd_output_set_kallsyms(h, kallsyms) ||
	    tracecmd_output_set_version(h, DAT_VERSION))
		return "tracecmd_output_set_*";
	if (tracecmd_output_write_headers(h, NULL))
		return "tracecmd_output_write_headers";
	if (tracecmd_write_cmdlines(h))
		return "tracecmd_write_cmdlines";
	if (tracecmd_write_cpus(h, cpus))
		return "tracecmd_write_cpus";
	/* As trace-cmd record: the clock is saved (from DIR/trace_clock), then each CPU's stats. */
	if (!tracecmd_add_option(h, TRACECMD_OPTION_TRACECLOCK, 0, NULL))
		return "tracecmd_add_option(TRACECLOCK)";
	for (int c = 0; c < cpus; c++)
		if (!tracecmd_add_option(h, TRACECMD_OPTION_CPUSTAT, (int)strlen(stats[c]) + 1, stats[c]))
			return "tracecmd_add_option(CPUSTAT)";
	if (tracecmd_write_options(h))
		return "tracecmd_write_options";
	/*
	 * For a v6 file, tracecmd_write_cpu_data always warns "Cannot find description for buffer" about
	 * the top buffer (update_buffer_cpu_offset_v6 looks for an instance named ""; only instances have
	 * descriptions). Only that step runs with warnings off; TEP_LOG_WARNING is libtracecmd's default.
	 */
	tracecmd_set_loglevel(TEP_LOG_ERROR);
	int ret = tracecmd_write_cpu_data(h, cpus, files, NULL);
	tracecmd_set_loglevel(TEP_LOG_WARNING);
	return ret ? "tracecmd_write_cpu_data" : NULL;
}

int trace_convert_tracedat(const struct trace_dir *td, const char *out_file, char *err, size_t err_len)
{
	char *files[TESSERA_TRACE_MAX_CPUS] = {0}, *stats[TESSERA_TRACE_MAX_CPUS] = {0};
	struct trace_host_clock hc;
	bool synced = trace_dir_host_clock(td, &hc);
	char dir[1024];
	const char *step;
	struct tracecmd_output *h;
	int ret = -1;

	if (!td->nr_cpus)
		return trace_errorf(err, err_len, "no CPUs in the trace");
	if (lab_make_scratch_dir(dir, sizeof(dir), "tessera-tracedat"))
		return trace_errorf(err, err_len, "scratch directory: %s", strerror(errno));
	/* The clock list as the kernel's trace_clock file shows it, the one in use in brackets. */
	const char *clocks = synced ? "local global counter uptime perf [mono] mono_raw boot x86-tsc\n"
				    : "[local] global counter uptime perf mono mono_raw boot x86-tsc\n";
	if (stage_formats(dir) || stage_cmdlines(dir, td) ||
	    stage_file(dir, "trace_clock", clocks, strlen(clocks)) ||
	    stage_cpus(dir, td, synced ? &hc : NULL, files, stats)) {
		trace_errorf(err, err_len, "%s: %s", dir, strerror(errno));
		goto out;
	}
	/*
	 * tracecmd_output_create reads the page size from the tracing dir before set_trace_dir can be
	 * called, through tracefs_tracing_dir(), which (as root) mounts tracefs or debugfs when none is
	 * mounted. With a custom tracing dir set, libtracefs returns it and mounts nothing.
	 */
	tracefs_set_tracing_dir(dir);
	h = tracecmd_output_create(out_file);
	tracefs_set_tracing_dir(NULL);
	if (!h) {
		trace_errorf(err, err_len, "%s: %s", out_file, strerror(errno));
		goto out;
	}
	step = write_dat(h, dir, td->nr_cpus, files, stats);
	tracecmd_output_close(h);
	if (step)
		trace_errorf(err, err_len, "%s: libtracecmd %s failed", out_file, step);
	else
		ret = check_page_size(out_file, err, err_len);
out:
	for (unsigned int c = 0; c < td->nr_cpus; c++) {
		free(files[c]);
		free(stats[c]);
	}
	lab_remove_tree(dir);
	return ret;
}
