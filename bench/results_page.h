/*
 * The host's reader of the results page (abi/results.h) in a host channel file: maps the file, finds the
 * page through the control block's results_offset, and drains each cell's ring into text, one
 * "[cell] record" line per record, which is what the console shows for the same result line; so
 * workload_parse_text() and workload_parse_fi_text() read the page as they read a console. Losses are
 * counted and placed: the ring's `lost` and the gaps in the records' sequence numbers.
 *
 * Use: results_page_poll() as often as convenient while the system runs (run_boot.c: at each console
 * line), so that the rings never fill; results_page_finish() after the boot, before the channel file is
 * removed (a lab_hooks `after` callback); then read `text` and the counts; results_page_close().
 */
#ifndef TESSERA_BENCH_RESULTS_PAGE_H
#define TESSERA_BENCH_RESULTS_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tessera/abi/results.h>

struct results_page {
	/* what the page held */
	bool present; /* the hypervisor published a results page */
	char *text;   /* "[cell] record\n" lines in the order drained (per cell in order), NUL-terminated */
	size_t len, cap;
	uint64_t records; /* records read */
	uint64_t lost;	  /* records the rings dropped (the rings' `lost`, after finish) */
	uint64_t gaps;	  /* of those, the ones placed by a gap in the sequence numbers */
	char where[256];  /* the first loss: "cell 'x': records 120-131 lost (before the record ...)" */
	char err[256];	  /* a malformed page: what is wrong ("" when good) */
	/* private */
	int fd;
	void *map;
	size_t map_len;
	const struct tessera_results_block *blk;
	uint64_t next_seq[TESSERA_RESULTS_MAX_CELLS];
	unsigned int cell; /* the ring being drained */
};

/* Zero p, then poll: maps path when it can (a file not yet there or not yet published is not an error).
 * 0, or -1 when the page is malformed (p->err says why; nothing more is read). */
int results_page_poll(struct results_page *p, const char *path);
/* The last drain, and the loss count. 0 or -1 as poll. */
int results_page_finish(struct results_page *p, const char *path);
void results_page_close(struct results_page *p);

#endif
