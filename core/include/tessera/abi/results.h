/*
 * The results page (version 1): a second, machine-readable results channel beside the console, in the host
 * channel (abi/trace.h's control block points at it with `results_offset`). One ring per cell. A cell never
 * sees the host channel: it hands a record to the `results_write` hypercall (abi/hypercall.h), and the
 * hypervisor copies it from the cell's memory (with the checked copy of every hypercall) into that cell's
 * own ring. So no cell can write the control block, another cell's ring, or anything of the page but its
 * own records, in the format below.
 *
 * Records are text: one result line as the console shows it after the hypervisor's "[cell] " prefix,
 * without the newline, e.g. "BENCH membw copy tsc_ticks 0 19120740" (bench/workload_format.h) or
 * "FI round=0 result=0x4b4bc110 crc=ok sort=ok" (docs/workloads.md). Why text and not a binary struct: the
 * lines already have one documented format and one strict parser, benchmarks and fault injection each
 * have their own, and a record then says the same as its console line, so the host compares the two
 * channels exactly. The hypervisor does not read the text (it checks lengths only); the host's parser
 * checks every field.
 *
 * Layout rules: little-endian, fixed-width fields, no pointers (offsets from the results block's start),
 * every struct a multiple of 8 bytes. A reader refuses a block whose magic or version differs.
 *
 * Rings: single producer (the hypervisor, under a lock per ring, since several CPUs of a cell may write),
 * single consumer (the host). `head` and `tail` count bytes since the ring started and only grow; position
 * = counter & (size - 1). A record is a struct tessera_results_record then `size` bytes of text, padded
 * with zeros to 8 bytes; it may wrap around the end of the data (the reader copies it in two parts), so
 * there are no padding records. The producer never waits: a record that does not fit is dropped, counted
 * in `lost` and `lost_bytes`, and its sequence number is used up all the same, so the next record written
 * says where the loss was (its seq is more than the previous one's + 1). The producer publishes a record
 * by storing `head` with release semantics after writing it; the consumer frees space by storing `tail`
 * with release semantics after reading it. What the host writes into the descriptor never moves where the
 * hypervisor writes: it keeps its own head, and a tail that is not between head - size and head makes
 * every record count as lost.
 */
#ifndef TESSERA_ABI_RESULTS_H
#define TESSERA_ABI_RESULTS_H

#include <stdint.h>

#define TESSERA_RESULTS_MAGIC	  0x53544c5352535354ULL /* "TSSRSLTS" */
#define TESSERA_RESULTS_VERSION	  1
#define TESSERA_RESULTS_MAX_CELLS 8
#define TESSERA_RESULTS_NAME_LEN  32
/* Text bytes of one record at most: a BENCH line is at most 124 (BENCH, two names of 31, a unit of 12, two
 * numbers of 20, five spaces); the rest is room for other line formats. */
#define TESSERA_RESULTS_RECORD_MAX 240
/* Each cell's ring, bytes (fixed: about 2700 BENCH records; the host drains while the cell runs). */
#define TESSERA_RESULTS_RING_SIZE (128u << 10)
#define TESSERA_RESULTS_RING_MIN  4096u

struct tessera_results_record {
	uint32_t size; /* text bytes that follow, 1..TESSERA_RESULTS_RECORD_MAX (the record takes
			* 16 + size rounded up to 8 bytes of the ring) */
	/*
	 * Per-cell sequence number of every record the cell tried to write, written or lost (wraps at 2^32).
	 * A record whose seq is N more than the previous record's + 1 says: "N records lost since sequence
	 * previous + 1", right there (a first record with seq N: N lost since 0). Records lost after the last
	 * one written are the ring's `lost` minus the gaps.
	 */
	uint32_t seq;
	uint64_t tsc; /* the hypervisor's clock when it wrote the record */
};

struct tessera_results_ring_desc {
	/* Written by the producer only. */
	uint64_t head;	     /* bytes published */
	uint64_t seq;	     /* records attempted, written or lost (the next record's seq) */
	uint64_t lost;	     /* records dropped because the ring was full */
	uint64_t lost_bytes; /* text bytes of those records */
	uint64_t reserved0[4];
	/* Written by the consumer only (its own cache line). */
	uint64_t tail; /* bytes consumed */
	uint64_t reserved1[7];
	/* Set once by the hypervisor before it publishes the block. */
	uint64_t data_offset;		     /* from the results block's start */
	uint64_t size;			     /* bytes, a power of two, 0 for a cell without a ring */
	char name[TESSERA_RESULTS_NAME_LEN]; /* the cell's name, NUL-terminated */
};

struct tessera_results_block {
	uint64_t magic;	      /* TESSERA_RESULTS_MAGIC, written last at init */
	uint32_t version;     /* TESSERA_RESULTS_VERSION */
	uint32_t header_size; /* sizeof(struct tessera_results_block) */
	uint64_t total_size;  /* bytes of the block and its rings' data */
	uint32_t nr_cells;    /* rings[0..nr_cells) are the cells in config order */
	uint32_t record_max;  /* TESSERA_RESULTS_RECORD_MAX */
	struct tessera_results_ring_desc rings[TESSERA_RESULTS_MAX_CELLS];
};

#endif
