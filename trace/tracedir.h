/*
 * A recorded trace on disk, as `tessera trace record` writes it and every other subcommand reads it:
 *   DIR/meta       text, one `key value...` per line: format version, catalog hash, TSC frequency and
 *                  offset, CPU count, cell names, per-CPU produced/lost counts, per-CPU per-event losses,
 *                  and the hypervisor's own per-cell exit and violation counters (when it published them)
 *   DIR/cpuN.raw   the records drained from CPU N's ring, concatenated (padding removed)
 */
#ifndef TESSERA_TRACE_TRACEDIR_H
#define TESSERA_TRACE_TRACEDIR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <tessera/abi/cell_stats.h>
#include <tessera/abi/trace.h>

#include "catalog.h"
#include "timesync.h"

#define TRACE_DIR_VERSION 2 /* 2: records carry ring ABI 2 sequence numbers (losses in place) */

struct trace_dir {
	uint64_t catalog_hash;
	uint64_t tsc_hz, tsc_offset; /* as the hypervisor recorded them (tsc_hz: its PIT calibration) */
	uint64_t ns_hz; /* what trace_dir_ns converts with: the host-measured rate when there is one */
	unsigned int nr_cpus, nr_cells;
	char cell_names[TESSERA_TRACE_MAX_CELLS][TESSERA_TRACE_NAME_LEN];
	uint64_t produced[TESSERA_TRACE_MAX_CPUS], lost[TESSERA_TRACE_MAX_CPUS];
	uint64_t lost_per_event[TESSERA_TRACE_MAX_CPUS][TESSERA_TRACE_MAX_EVENTS];
	uint64_t cell_cpus[TESSERA_TRACE_MAX_CELLS]; /* bit n: CPU n belongs to the cell (0: unknown) */
	bool have_counters;			     /* cell_exits below came from the hypervisor */
	uint64_t cell_exits[TESSERA_TRACE_MAX_CELLS][TESSERA_ER_COUNT];
	uint64_t cell_violations[TESSERA_TRACE_MAX_CELLS]; /* with have_counters */
	/* Loaded records per CPU (trace_dir_load) */
	uint8_t *data[TESSERA_TRACE_MAX_CPUS];
	size_t len[TESSERA_TRACE_MAX_CPUS];
	/* Where the losses are (trace_dir_load, from the records' sequence numbers): the records lost before
	 * some record (gaps) and after the last one (lost[] - gaps), per CPU. */
	uint64_t gap_lost[TESSERA_TRACE_MAX_CPUS], tail_lost[TESSERA_TRACE_MAX_CPUS];
	uint64_t nr_losses[TESSERA_TRACE_MAX_CPUS]; /* places where records were lost */
	/* The host clock correlation (record: timesync.h): the first and the last burst of the run. */
	bool have_sync_first, have_sync_last;
	struct trace_time_sync sync_first, sync_last;
	char clock_uuid[40]; /* the host's boot id: LTTng's monotonic clock carries it as its UUID */
};

/*
 * The host clock mapping of a trace: host CLOCK_MONOTONIC ns = mono_ns + (tsc - tsc) * 1e9 / hz, with hz
 * measured against the host clock between the first and last sync bursts when they are at least 50 ms
 * apart (hz_from_sync), else the hypervisor's PIT calibration. False without any sync.
 */
struct trace_host_clock {
	int64_t mono_ns; /* at TSC value `tsc` */
	uint64_t tsc;
	uint64_t hz;
	bool hz_from_sync;
	uint64_t uncertainty_ns; /* half the best round trip */
	int64_t epoch_ns;	 /* CLOCK_REALTIME - CLOCK_MONOTONIC on the host at recording time */
};
bool trace_dir_host_clock(const struct trace_dir *td, struct trace_host_clock *hc);

/* 0, or -1 with a message in err. Checks the version and the catalog hash. */
int trace_dir_load(struct trace_dir *td, const char *dir, char *err, size_t err_len);
void trace_dir_free(struct trace_dir *td);
/* Writes DIR/meta from td (the raw files are written by whoever drains). 0 or -1 (errno set). */
int trace_dir_write_meta(const struct trace_dir *td, const char *dir);
/* Opens DIR/cpuN.raw for appending. */
FILE *trace_dir_open_cpu(const char *dir, unsigned int cpu, const char *mode);

uint64_t trace_dir_ns(const struct trace_dir *td, uint64_t tsc);
/* Records of event `id` (all events: TESSERA_TRACE_MAX_EVENTS) lost on cell c's CPUs. Each CPU belongs to
 * at most one cell, so these are the cell's losses (the hypervisor's own events on a cell's CPU, and a
 * cell's events written on CPU 0 by the watchdog or the mailbox, count where they were written). */
uint64_t trace_dir_cell_lost(const struct trace_dir *td, unsigned int c, unsigned int id);

/* Format an error message into err (for the converters and the reader); returns -1. */
int trace_errorf(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* One record, as the merged iteration hands it out. */
struct trace_rec {
	unsigned int cpu;
	const struct tessera_trace_record_header *hdr;
	const struct trace_event_desc *ev; /* NULL for ids the catalog does not know */
	const void *payload;		   /* the ftrace common fields, then the event's fields */
	int cell;			   /* -1: the hypervisor itself */
	uint64_t ns;
	/* Records lost on this CPU right before this one ("lost N since sequence S"), 0 if none. */
	uint64_t lost_before;
	uint32_t lost_since;
};

/* Calls fn for every record of every CPU in time order (ties by CPU); stops when fn returns non-zero. */
int trace_dir_for_each(const struct trace_dir *td, int (*fn)(const struct trace_rec *r, void *ctx),
		       void *ctx);
/* The same for one CPU. */
int trace_dir_for_each_cpu(const struct trace_dir *td, unsigned int cpu,
			   int (*fn)(const struct trace_rec *r, void *ctx), void *ctx);

#endif
