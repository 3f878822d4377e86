/*
 * CTF 1.8 writer: the metadata comes from the catalog (formats.c); each CPU becomes one stream file of
 * packets. Every integer is byte-aligned in the metadata, so fields are written back to back.
 *
 * Packets: a new one starts where records were lost (and after PACKET_MAX bytes, so that no packet is
 * unbounded), and each packet context carries events_discarded, the CPU's losses so far: babeltrace2 and
 * Trace Compass take the difference between two packets as the records discarded between them, at that
 * place. Losses after a CPU's last record end its stream with an empty packet that counts them.
 *
 * Time stamps are the raw TSC values of the records; the clock class has the TSC's frequency and an
 * offset that maps them to the host's clock (clock_of below), so `babeltrace2 --clock-cycles` prints TSC
 * values and the default view is host time.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "convert.h"
#include "formats.h"

#define CTF_MAGIC  0xc1fc1fc1u
#define PACKET_MAX (64 * 1024)

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *src, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void put_u32(struct buf *b, uint32_t v)
{
	put(b, &v, 4);
}

static void put_u64(struct buf *b, uint64_t v)
{
	put(b, &v, 8);
}

struct stream_ctx {
	struct buf *b;
	unsigned int cpu;
	size_t packet_at; /* where the open packet starts, SIZE_MAX: none open */
	uint64_t first_tsc, last_tsc;
	uint64_t discarded; /* records lost on this CPU before the open packet's first record */
	uint64_t packets;
};

#define PACKET_HEADER (4 + 4 + 5 * 8 + 4)

static void packet_close(struct stream_ctx *s)
{
	uint64_t bits = (s->b->len - s->packet_at) * 8;
	uint64_t ctx[5] = {s->first_tsc, s->last_tsc, bits, bits, s->discarded};

	if (s->packet_at == SIZE_MAX)
		return;
	memcpy(s->b->p + s->packet_at + 8, ctx, sizeof(ctx));
	s->packet_at = SIZE_MAX;
}

static void packet_open(struct stream_ctx *s, uint64_t tsc)
{
	packet_close(s);
	s->packet_at = s->b->len;
	put_u32(s->b, CTF_MAGIC);
	put_u32(s->b, 0); /* stream id */
	for (int i = 0; i < 5; i++)
		put_u64(s->b, 0); /* packet context, filled by packet_close */
	put_u32(s->b, s->cpu);
	s->first_tsc = s->last_tsc = tsc;
	s->packets++;
}

static int put_event(const struct trace_rec *r, void *arg)
{
	struct stream_ctx *s = arg;

	if (!s->packets && r->lost_before)
		packet_open(s,
			    r->hdr->tsc); /* an empty first packet with 0 discarded: readers count from it */
	if (r->lost_before || s->packet_at == SIZE_MAX || s->b->len - s->packet_at >= PACKET_MAX) {
		packet_close(s); /* with the count before this loss */
		s->discarded += r->lost_before;
		packet_open(s, r->hdr->tsc);
	}
	s->last_tsc = r->hdr->tsc;
	if (!r->ev)
		return 0; /* unknown id: the catalog hash check makes this a corrupt record; skip it */
	put_u32(s->b, r->ev->id);
	put_u64(s->b, r->hdr->tsc);
	put_u32(s->b, (uint32_t)r->cell);
	for (unsigned int i = 0; i < r->ev->nr_fields; i++) {
		const struct trace_field_desc *f = &r->ev->fields[i];
		const char *p = (const char *)r->payload + f->offset;
		if (f->type == TRACE_T_str) {
			size_t n = strnlen(p, f->size);
			put(s->b, p, n);
			put(s->b, "", 1);
		} else {
			put(s->b, p, f->size);
		}
	}
	return 0;
}

static int write_stream(const struct trace_dir *td, unsigned int cpu, const char *out_dir, char *err,
			size_t err_len)
{
	struct buf b = {0};
	struct stream_ctx s = {.b = &b, .cpu = cpu, .packet_at = SIZE_MAX};
	char path[4096];
	FILE *f;

	trace_dir_for_each_cpu(td, cpu, put_event, &s);
	if (td->tail_lost[cpu] || !s.packets) {
		/* The losses after the last record (or a CPU with none): an empty packet that counts them. */
		uint64_t at = s.last_tsc;
		packet_close(&s);
		s.discarded += td->tail_lost[cpu];
		packet_open(&s, at);
	}
	packet_close(&s);
	snprintf(path, sizeof(path), "%s/stream_%u", out_dir, cpu);
	f = fopen(path, "wb");
	if (!f || fwrite(b.p, 1, b.len, f) != b.len || fclose(f)) {
		free(b.p);
		return trace_errorf(err, err_len, "%s: %s", path, strerror(errno));
	}
	free(b.p);
	return 0;
}

/*
 * The clock: TSC cycles at the host-measured rate, offset so that its values land on the host's
 * CLOCK_MONOTONIC, shifted to the epoch exactly as LTTng's `monotonic` clock is (offset = REALTIME -
 * MONOTONIC at recording time), with the host's boot id as UUID as LTTng gives it: one clock domain, so
 * one babeltrace2 command merges this trace with an LTTng trace of the host tools. Without a sync (an old
 * or synthetic trace) the clock starts at the trace's time 0 and has no UUID.
 */
static void clock_of(const struct trace_dir *td, struct trace_ctf_clock *clk, char *env, size_t env_len)
{
	struct trace_host_clock hc;

	*clk = (struct trace_ctf_clock){.name = "tsc",
					.freq = td->ns_hz,
					.description = "hypervisor TSC cycles since the trace started"};
	if (!trace_dir_host_clock(td, &hc)) {
		/* value tsc_offset is time 0 */
		__int128 off = -(__int128)td->tsc_offset;
		clk->offset_s = (int64_t)(off / (__int128)td->ns_hz) - (off % (__int128)td->ns_hz < 0);
		clk->offset = (uint64_t)(off - (__int128)clk->offset_s * td->ns_hz);
		snprintf(env, env_len, "\ttsc_hz_pit = %" PRIu64 ";\n\tclock_sync = \"none\";\n", td->tsc_hz);
		clk->env = env;
		return;
	}
	/* epoch ns at TSC 0 = epoch + mono_ns - tsc * 1e9 / hz; offset_s + offset cycles must equal it */
	__int128 at0 = (__int128)hc.epoch_ns + hc.mono_ns - (__int128)hc.tsc * 1000000000 / hc.hz;
	int64_t sec = (int64_t)(at0 / 1000000000) - (at0 % 1000000000 < 0);
	clk->name = "monotonic";
	clk->absolute = true; /* babeltrace2 gives LTTng's monotonic clock the Unix epoch as origin */
	clk->uuid = td->clock_uuid;
	clk->description = "hypervisor TSC cycles, mapped onto the host's monotonic clock (as LTTng's)";
	clk->freq = hc.hz;
	clk->offset_s = sec;
	clk->offset = (uint64_t)((at0 - (__int128)sec * 1000000000) * hc.hz / 1000000000);
	clk->precision = (uint64_t)((unsigned __int128)hc.uncertainty_ns * hc.hz / 1000000000);
	snprintf(env, env_len,
		 "\ttsc_hz = %" PRIu64 ";\n\ttsc_hz_method = \"%s\";\n\ttsc_hz_pit = %" PRIu64
		 ";\n\tclock_sync = \"mailbox TIME_SYNC bursts of up to 8 exchanges, shortest round trip "
		 "kept\";\n\tclock_sync_uncertainty_ns = %" PRIu64 ";\n\tclock_sync_tsc = %" PRIu64
		 ";\n\tclock_sync_monotonic_ns = %" PRId64 ";\n",
		 hc.hz,
		 hc.hz_from_sync ? "TSC ticks per host second between the first and last sync"
				 : "the hypervisor's calibration against the PIT",
		 td->tsc_hz, hc.uncertainty_ns, hc.tsc, hc.mono_ns);
	clk->env = env;
}

int trace_convert_ctf(const struct trace_dir *td, const char *out_dir, char *err, size_t err_len)
{
	char path[4096];
	FILE *f;

	if (mkdir(out_dir, 0777) && errno != EEXIST)
		return trace_errorf(err, err_len, "%s: %s", out_dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/metadata", out_dir);
	f = fopen(path, "w");
	if (!f)
		return trace_errorf(err, err_len, "%s: %s", path, strerror(errno));
	struct trace_ctf_clock clk;
	char env[1024];
	clock_of(td, &clk, env, sizeof(env));
	trace_format_ctf_metadata(f, &clk);
	if (fclose(f))
		return trace_errorf(err, err_len, "%s: %s", path, strerror(errno));
	for (unsigned int c = 0; c < td->nr_cpus; c++)
		if ((td->len[c] || td->lost[c]) && write_stream(td, c, out_dir, err, err_len))
			return -1;
	return 0;
}
