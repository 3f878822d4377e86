/*
 * CTF 1.8 writer: the metadata comes from the catalog (formats.c); each CPU becomes one stream file with
 * one packet. Every integer is byte-aligned in the metadata, so fields are written back to back.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "convert.h"
#include "formats.h"

#define CTF_MAGIC 0xc1fc1fc1u

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
	uint64_t first_ns, last_ns;
	uint64_t count;
};

static int put_event(const struct trace_rec *r, void *arg)
{
	struct stream_ctx *s = arg;

	if (!r->ev)
		return 0; /* unknown id: the catalog hash check makes this a corrupt record; skip it */
	put_u32(s->b, r->ev->id);
	put_u64(s->b, r->ns);
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
	if (!s->count++)
		s->first_ns = r->ns;
	s->last_ns = r->ns;
	return 0;
}

static int write_stream(const struct trace_dir *td, unsigned int cpu, const char *out_dir, char *err,
			size_t err_len)
{
	struct buf b = {0};
	struct stream_ctx s = {.b = &b};
	char path[4096];
	size_t ctx_at;
	FILE *f;

	put_u32(&b, CTF_MAGIC);
	put_u32(&b, 0); /* stream id */
	ctx_at = b.len;
	for (int i = 0; i < 5; i++)
		put_u64(&b, 0); /* packet context, filled below */
	put_u32(&b, cpu);
	trace_dir_for_each_cpu(td, cpu, put_event, &s);
	uint64_t ctx[5] = {s.first_ns, s.last_ns, b.len * 8, b.len * 8, td->lost[cpu]};
	memcpy(b.p + ctx_at, ctx, sizeof(ctx));
	snprintf(path, sizeof(path), "%s/stream_%u", out_dir, cpu);
	f = fopen(path, "wb");
	if (!f || fwrite(b.p, 1, b.len, f) != b.len || fclose(f)) {
		free(b.p);
		return trace_errorf(err, err_len, "%s: %s", path, strerror(errno));
	}
	free(b.p);
	return 0;
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
	trace_format_ctf_metadata(f);
	if (fclose(f))
		return trace_errorf(err, err_len, "%s: %s", path, strerror(errno));
	for (unsigned int c = 0; c < td->nr_cpus; c++)
		if (td->len[c] && write_stream(td, c, out_dir, err, err_len))
			return -1;
	return 0;
}
