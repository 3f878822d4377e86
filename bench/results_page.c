/* Reading the results page out of a host channel file (results_page.h). */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <tessera/abi/trace.h>
#include <tessera/results_ring.h>

#include "results_page.h"

static int page_fail(struct results_page *p, const char *what, uint64_t value)
{
	snprintf(p->err, sizeof(p->err), "results page: %s (%#" PRIx64 ")", what, value);
	return -1;
}

static int page_map(struct results_page *p, const char *path)
{
	struct stat st;

	if (p->map)
		return 0;
	if (p->fd <= 0 && (p->fd = open(path, O_RDWR | O_CLOEXEC)) < 0) {
		p->fd = 0;
		return 0; /* not created yet */
	}
	if (fstat(p->fd, &st) || (size_t)st.st_size < sizeof(struct tessera_trace_control))
		return 0;
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->fd, 0);
	if (m == MAP_FAILED)
		return 0;
	p->map = m;
	p->map_len = (size_t)st.st_size;
	return 0;
}

/* The block, once the hypervisor has published the control block and the page; checked whole. */
static int page_find(struct results_page *p)
{
	const struct tessera_trace_control *c = p->map;

	if (p->blk || !p->map || __atomic_load_n(&c->magic, __ATOMIC_ACQUIRE) != TESSERA_TRACE_MAGIC)
		return 0;
	if (c->version != TESSERA_TRACE_VERSION)
		return page_fail(p, "control block of another version", c->version);
	uint64_t off = c->results_offset;
	if (!off)
		return 0; /* a hypervisor that publishes no page: console only */
	if (off % 8 || off > p->map_len || p->map_len - off < sizeof(struct tessera_results_block))
		return page_fail(p, "results_offset outside the channel", off);
	const struct tessera_results_block *b = (const void *)((const uint8_t *)p->map + off);
	if (__atomic_load_n(&b->magic, __ATOMIC_ACQUIRE) != TESSERA_RESULTS_MAGIC)
		return page_fail(p, "bad magic", b->magic);
	if (b->version != TESSERA_RESULTS_VERSION || b->header_size != sizeof(*b))
		return page_fail(p, "another version", b->version);
	if (b->nr_cells > TESSERA_RESULTS_MAX_CELLS || b->total_size > p->map_len - off)
		return page_fail(p, "cells or size out of range", b->total_size);
	for (unsigned int i = 0; i < b->nr_cells; i++) {
		const struct tessera_results_ring_desc *d = &b->rings[i];
		if (d->size < TESSERA_RESULTS_RING_MIN || (d->size & (d->size - 1)) ||
		    d->data_offset > b->total_size || b->total_size - d->data_offset < d->size)
			return page_fail(p, "a ring outside the page", d->data_offset);
	}
	p->blk = b;
	p->present = true;
	return 0;
}

static int text_add(struct results_page *p, const char *s, size_t n)
{
	if (p->len + n + 1 > p->cap) {
		size_t cap = (p->cap ? p->cap * 2 : 65536) + n;
		char *t = realloc(p->text, cap);
		if (!t)
			return -1;
		p->text = t;
		p->cap = cap;
	}
	memcpy(p->text + p->len, s, n);
	p->len += n;
	p->text[p->len] = 0;
	return 0;
}

static void note_loss(struct results_page *p, uint64_t first, uint64_t count, const char *before)
{
	if (!p->where[0])
		snprintf(p->where, sizeof(p->where),
			 "cell '%.31s': %" PRIu64 " record(s) lost from seq %" PRIu64 "%s%.80s%s",
			 p->blk->rings[p->cell].name, count, first,
			 before ? " (before '" : " (after the last one read)", before ? before : "",
			 before ? "')" : "");
}

static int on_record(const struct tessera_results_record *rec, const char *text, void *ctx)
{
	struct results_page *p = ctx;
	uint64_t *next = &p->next_seq[p->cell];
	const char *name = p->blk->rings[p->cell].name;
	char copy[TESSERA_RESULTS_RECORD_MAX + 1];

	memcpy(copy, text, rec->size);
	copy[rec->size] = 0;
	/* seq wraps at 2^32: the gap is the difference modulo that */
	uint32_t gap = rec->seq - (uint32_t)*next;
	if (gap) {
		p->gaps += gap;
		note_loss(p, *next, gap, copy);
	}
	*next += (uint64_t)gap + 1;
	p->records++;
	if (memchr(text, '\n', rec->size) || memchr(text, 0, rec->size)) {
		snprintf(p->err, sizeof(p->err),
			 "results page: cell '%.31s': record %u holds a newline or NUL", name, rec->seq);
		return 1;
	}
	if (text_add(p, "[", 1) || text_add(p, name, strnlen(name, TESSERA_RESULTS_NAME_LEN)) ||
	    text_add(p, "] ", 2) || text_add(p, text, rec->size) || text_add(p, "\n", 1)) {
		snprintf(p->err, sizeof(p->err), "results page: out of memory");
		return 1;
	}
	return 0;
}

int results_page_poll(struct results_page *p, const char *path)
{
	if (p->err[0])
		return -1;
	if (page_map(p, path) || page_find(p))
		return -1;
	if (!p->blk)
		return 0;
	for (p->cell = 0; p->cell < p->blk->nr_cells; p->cell++) {
		struct tessera_results_ring_desc *d = (void *)&p->blk->rings[p->cell];
		struct results_ring_reader rd = {d, (const uint8_t *)p->blk + d->data_offset, d->size};
		if (results_ring_drain(&rd, on_record, p) < 0 && !p->err[0])
			snprintf(p->err, sizeof(p->err), "results page: cell '%.31s': malformed ring",
				 d->name);
		if (p->err[0])
			return -1;
	}
	return 0;
}

int results_page_finish(struct results_page *p, const char *path)
{
	if (results_page_poll(p, path))
		return -1;
	if (!p->blk)
		return 0;
	p->lost = 0;
	for (p->cell = 0; p->cell < p->blk->nr_cells; p->cell++) {
		const struct tessera_results_ring_desc *d = &p->blk->rings[p->cell];
		uint64_t lost = __atomic_load_n(&d->lost, __ATOMIC_RELAXED);
		uint64_t seq = __atomic_load_n(&d->seq, __ATOMIC_RELAXED);
		p->lost += lost;
		/* lost after the last record read: the sequence went on without records */
		if (seq > p->next_seq[p->cell])
			note_loss(p, p->next_seq[p->cell], seq - p->next_seq[p->cell], NULL);
	}
	return 0;
}

void results_page_close(struct results_page *p)
{
	if (p->map)
		munmap(p->map, p->map_len);
	if (p->fd > 0)
		close(p->fd);
	free(p->text);
	memset(p, 0, sizeof(*p));
}
