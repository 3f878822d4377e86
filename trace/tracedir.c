/* Reading and writing trace directories (see tracedir.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tracedir.h"

int trace_errorf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

FILE *trace_dir_open_cpu(const char *dir, unsigned int cpu, const char *mode)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/cpu%u.raw", dir, cpu);
	return fopen(path, mode);
}

int trace_dir_write_meta(const struct trace_dir *td, const char *dir)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/meta", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f,
		"tessera-trace %d\ncatalog_hash %#" PRIx64 "\ntsc_hz %" PRIu64 "\ntsc_offset %" PRIu64
		"\nnr_cpus %u\n",
		TRACE_DIR_VERSION, td->catalog_hash, td->tsc_hz, td->tsc_offset, td->nr_cpus);
	for (unsigned int c = 0; c < td->nr_cells; c++) {
		fprintf(f, "cell %u %s\n", c, td->cell_names[c]);
		if (td->cell_cpus[c])
			fprintf(f, "cell_cpus %u %#" PRIx64 "\n", c, td->cell_cpus[c]);
	}
	for (unsigned int c = 0; c < td->nr_cpus; c++) {
		fprintf(f, "cpu %u produced %" PRIu64 " lost %" PRIu64 "\n", c, td->produced[c], td->lost[c]);
		for (unsigned int e = 0; e < TESSERA_TRACE_MAX_EVENTS; e++)
			if (td->lost_per_event[c][e])
				fprintf(f, "lost_event %u %u %" PRIu64 "\n", c, e, td->lost_per_event[c][e]);
	}
	const struct trace_time_sync *ss[2] = {td->have_sync_first ? &td->sync_first : NULL,
					       td->have_sync_last ? &td->sync_last : NULL};
	for (unsigned int i = 0; i < 2; i++)
		if (ss[i])
			fprintf(f,
				"%s %u %" PRId64 " %" PRIu64 " %" PRIu64 " %" PRId64
				" # samples, host CLOCK_MONOTONIC ns, TSC, round trip ns, CLOCK_REALTIME - "
				"CLOCK_MONOTONIC ns\n",
				i ? "sync_last" : "sync_first", ss[i]->samples, ss[i]->mono_ns, ss[i]->tsc,
				ss[i]->rtt_ns, ss[i]->epoch_ns);
	if (td->clock_uuid[0])
		fprintf(f, "clock_uuid %s\n", td->clock_uuid);
	fprintf(f, "tsc_hz_method the hypervisor's calibration against the PIT (shortest of 3 x 50 ms)\n");
	struct trace_host_clock hc;
	if (trace_dir_host_clock(td, &hc))
		fprintf(f, "tsc_hz_host %" PRIu64 " %s\n", hc.hz,
			hc.hz_from_sync ? "# TSC ticks per host second between the first and last sync"
					: "# no two syncs 50 ms apart: the PIT calibration");
	if (td->have_counters)
		for (unsigned int c = 0; c < td->nr_cells; c++) {
			for (unsigned int r = 0; r < TESSERA_ER_COUNT; r++)
				fprintf(f, "cell_exits %u %u %" PRIu64 "\n", c, r, td->cell_exits[c][r]);
			fprintf(f, "cell_violations %u %" PRIu64 "\n", c, td->cell_violations[c]);
		}
	return fclose(f) ? -1 : 0;
}

static int load_meta(struct trace_dir *td, const char *dir, char *err, size_t err_len)
{
	char path[4096], line[512];
	int version = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/meta", dir);
	f = fopen(path, "r");
	if (!f)
		return trace_errorf(err, err_len, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		unsigned int a, b;
		uint64_t x, y;
		char name[TESSERA_TRACE_NAME_LEN + 8];

		if (sscanf(line, "tessera-trace %d", &version) == 1 ||
		    sscanf(line, "catalog_hash %" SCNx64, &td->catalog_hash) == 1 ||
		    sscanf(line, "tsc_hz %" SCNu64, &td->tsc_hz) == 1 ||
		    sscanf(line, "tsc_offset %" SCNu64, &td->tsc_offset) == 1 ||
		    sscanf(line, "nr_cpus %u", &td->nr_cpus) == 1)
			continue;
		if (sscanf(line, "cell_cpus %u %" SCNx64, &a, &x) == 2 && a < TESSERA_TRACE_MAX_CELLS) {
			td->cell_cpus[a] = x;
		} else if (sscanf(line, "cell %u %39s", &a, name) == 2 && a < TESSERA_TRACE_MAX_CELLS) {
			name[TESSERA_TRACE_NAME_LEN - 1] = 0;
			memcpy(td->cell_names[a], name, TESSERA_TRACE_NAME_LEN);
			if (a + 1 > td->nr_cells)
				td->nr_cells = a + 1;
		} else if (sscanf(line, "cpu %u produced %" SCNu64 " lost %" SCNu64, &a, &x, &y) == 3 &&
			   a < TESSERA_TRACE_MAX_CPUS) {
			td->produced[a] = x;
			td->lost[a] = y;
		} else if (sscanf(line, "lost_event %u %u %" SCNu64, &a, &b, &x) == 3 &&
			   a < TESSERA_TRACE_MAX_CPUS && b < TESSERA_TRACE_MAX_EVENTS) {
			td->lost_per_event[a][b] = x;
		} else if (sscanf(line, "cell_exits %u %u %" SCNu64, &a, &b, &x) == 3 &&
			   a < TESSERA_TRACE_MAX_CELLS && b < TESSERA_ER_COUNT) {
			td->cell_exits[a][b] = x;
			td->have_counters = true;
		} else if (sscanf(line, "cell_violations %u %" SCNu64, &a, &x) == 2 &&
			   a < TESSERA_TRACE_MAX_CELLS) {
			td->cell_violations[a] = x;
		} else if (!strncmp(line, "sync_first ", 11) || !strncmp(line, "sync_last ", 10)) {
			bool last = line[5] == 'l';
			struct trace_time_sync *ts = last ? &td->sync_last : &td->sync_first;
			if (sscanf(line + (last ? 10 : 11), "%u %" SCNd64 " %" SCNu64 " %" SCNu64 " %" SCNd64,
				   &ts->samples, &ts->mono_ns, &ts->tsc, &ts->rtt_ns, &ts->epoch_ns) == 5) {
				if (last)
					td->have_sync_last = true;
				else
					td->have_sync_first = true;
			}
		} else if (sscanf(line, "clock_uuid %39s", td->clock_uuid) == 1) {
			continue;
		}
	}
	fclose(f);
	if (version != TRACE_DIR_VERSION)
		return trace_errorf(err, err_len, "%s: not a tessera trace of version %d", path,
				    TRACE_DIR_VERSION);
	if (td->catalog_hash != trace_catalog_hash())
		return trace_errorf(err, err_len,
				    "%s: recorded with a different event catalog (hash %#" PRIx64
				    ", ours %#" PRIx64 ")",
				    path, td->catalog_hash, trace_catalog_hash());
	if (!td->nr_cpus || td->nr_cpus > TESSERA_TRACE_MAX_CPUS || !td->tsc_hz)
		return trace_errorf(err, err_len, "%s: bad nr_cpus or tsc_hz", path);
	/* The PIT calibration varies by several percent between boots under TCG; the host's clock does not. */
	struct trace_host_clock hc;
	td->ns_hz = trace_dir_host_clock(td, &hc) ? hc.hz : td->tsc_hz;
	return 0;
}

int trace_dir_load(struct trace_dir *td, const char *dir, char *err, size_t err_len)
{
	memset(td, 0, sizeof(*td));
	if (load_meta(td, dir, err, err_len))
		return -1;
	for (unsigned int c = 0; c < td->nr_cpus; c++) {
		FILE *f = trace_dir_open_cpu(dir, c, "rb");
		if (!f)
			continue; /* a CPU that never wrote */
		fseek(f, 0, SEEK_END);
		long n = ftell(f);
		rewind(f);
		td->data[c] = malloc(n > 0 ? n : 1);
		if (n > 0 && fread(td->data[c], 1, n, f) != (size_t)n) {
			fclose(f);
			trace_dir_free(td);
			return trace_errorf(err, err_len, "%s/cpu%u.raw: short read", dir, c);
		}
		fclose(f);
		td->len[c] = n;
		/* Check the records' framing once, so that iterators can trust it; find the losses. */
		uint32_t next_seq = 0;
		for (size_t off = 0; off < td->len[c];) {
			const struct tessera_trace_record_header *h = (const void *)(td->data[c] + off);
			if (td->len[c] - off < sizeof(*h) + sizeof(struct tessera_trace_common) ||
			    h->size < 24 || h->size % 8 || h->size > td->len[c] - off) {
				trace_dir_free(td);
				return trace_errorf(err, err_len,
						    "%s/cpu%u.raw: malformed record at offset %zu", dir, c,
						    off);
			}
			uint32_t gap = h->seq - next_seq;
			td->gap_lost[c] += gap;
			td->nr_losses[c] += gap != 0;
			next_seq = h->seq + 1;
			off += h->size;
		}
		if (td->gap_lost[c] > td->lost[c]) {
			trace_dir_free(td);
			return trace_errorf(err, err_len,
					    "%s/cpu%u.raw: the sequence numbers miss %" PRIu64
					    " records, the hypervisor counted %" PRIu64 " lost",
					    dir, c, td->gap_lost[c], td->lost[c]);
		}
	}
	for (unsigned int c = 0; c < td->nr_cpus; c++) {
		td->tail_lost[c] = td->lost[c] - td->gap_lost[c];
		td->nr_losses[c] += td->tail_lost[c] != 0;
	}
	return 0;
}

void trace_dir_free(struct trace_dir *td)
{
	for (unsigned int c = 0; c < TESSERA_TRACE_MAX_CPUS; c++) {
		free(td->data[c]);
		td->data[c] = NULL;
		td->len[c] = 0;
	}
}

uint64_t trace_dir_ns(const struct trace_dir *td, uint64_t tsc)
{
	if (tsc < td->tsc_offset)
		return 0;
	return (uint64_t)((unsigned __int128)(tsc - td->tsc_offset) * 1000000000u / td->ns_hz);
}

bool trace_dir_host_clock(const struct trace_dir *td, struct trace_host_clock *hc)
{
	const struct trace_time_sync *a = &td->sync_first, *b = &td->sync_last;

	if (!td->have_sync_first)
		return false;
	hc->mono_ns = a->mono_ns;
	hc->tsc = a->tsc;
	hc->hz = td->tsc_hz;
	hc->hz_from_sync = false;
	hc->uncertainty_ns = a->rtt_ns / 2;
	hc->epoch_ns = a->epoch_ns;
	if (td->have_sync_last && b->mono_ns - a->mono_ns >= 50000000 && b->tsc > a->tsc) {
		hc->hz = (uint64_t)((unsigned __int128)(b->tsc - a->tsc) * 1000000000u /
				    (uint64_t)(b->mono_ns - a->mono_ns));
		hc->hz_from_sync = true;
		if (b->rtt_ns / 2 > hc->uncertainty_ns)
			hc->uncertainty_ns = b->rtt_ns / 2;
	}
	return true;
}

uint64_t trace_dir_cell_lost(const struct trace_dir *td, unsigned int c, unsigned int id)
{
	uint64_t lost = 0;

	if (c >= TESSERA_TRACE_MAX_CELLS)
		return 0;
	for (unsigned int cpu = 0; cpu < td->nr_cpus; cpu++) {
		if (!(td->cell_cpus[c] >> cpu & 1))
			continue;
		lost += id < TESSERA_TRACE_MAX_EVENTS ? td->lost_per_event[cpu][id] : td->lost[cpu];
	}
	return lost;
}

static void rec_fill(const struct trace_dir *td, unsigned int cpu, size_t off, uint32_t *next_seq,
		     struct trace_rec *r)
{
	const struct tessera_trace_common *c;

	r->cpu = cpu;
	r->hdr = (const void *)(td->data[cpu] + off);
	r->payload = r->hdr + 1;
	c = r->payload;
	r->ev = trace_event_by_id(c->type);
	if (r->ev && r->ev->record_size > r->hdr->size)
		r->ev = NULL; /* shorter than the catalog says: do not read its fields */
	r->cell = c->pid - 1;
	r->ns = trace_dir_ns(td, r->hdr->tsc);
	r->lost_before = (uint32_t)(r->hdr->seq - *next_seq);
	r->lost_since = *next_seq;
	*next_seq = r->hdr->seq + 1;
}

int trace_dir_for_each_cpu(const struct trace_dir *td, unsigned int cpu,
			   int (*fn)(const struct trace_rec *r, void *ctx), void *ctx)
{
	struct trace_rec r;
	uint32_t next_seq = 0;
	int ret;

	for (size_t off = 0; off < td->len[cpu]; off += r.hdr->size) {
		rec_fill(td, cpu, off, &next_seq, &r);
		if ((ret = fn(&r, ctx)))
			return ret;
	}
	return 0;
}

int trace_dir_for_each(const struct trace_dir *td, int (*fn)(const struct trace_rec *r, void *ctx), void *ctx)
{
	size_t off[TESSERA_TRACE_MAX_CPUS] = {0};
	uint32_t next_seq[TESSERA_TRACE_MAX_CPUS] = {0};
	struct trace_rec r;
	int ret;

	for (;;) {
		int best = -1;
		uint64_t best_tsc = 0;

		for (unsigned int c = 0; c < td->nr_cpus; c++) {
			if (off[c] >= td->len[c])
				continue;
			uint64_t tsc =
				((const struct tessera_trace_record_header *)(td->data[c] + off[c]))->tsc;
			if (best < 0 || tsc < best_tsc) {
				best = c;
				best_tsc = tsc;
			}
		}
		if (best < 0)
			return 0;
		rec_fill(td, best, off[best], &next_seq[best], &r);
		off[best] += r.hdr->size;
		if ((ret = fn(&r, ctx)))
			return ret;
	}
}
