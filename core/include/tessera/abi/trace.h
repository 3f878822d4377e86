/*
 * The trace channel between the hypervisor and the host (ABI version 4: version 2 had a trace-only mailbox,
 * version 3 holds the general control mailbox of abi/control.h, version 4 points at the results page of
 * abi/results.h).
 *
 * The hypervisor places a control block at the start of memory the host can map (the ivshmem BAR on
 * QEMU, backed by a shared file on the host). It holds the machine's identity, the per-CPU ring
 * descriptors, per-cell counters and the control mailbox (abi/control.h); the rings' data follow it in the
 * same memory.
 *
 * Layout rules: little-endian, fixed-width fields, no pointers (offsets from the control block's start),
 * every struct a multiple of 8 bytes with explicit padding. A reader refuses a block whose magic or
 * version differs. Fields written by the hypervisor and read by the host while both run (ring heads,
 * counters) are naturally aligned 64-bit words, so that each is read and written in one access.
 *
 * Rings (one per CPU): single producer (that CPU), single consumer (the host). `head` and `tail` count
 * bytes since the ring started and only grow; position = counter & (size - 1). The producer never waits:
 * a record that does not fit is dropped and counted in `lost` and `lost_per_event`, and its sequence
 * number is used up all the same (see `seq` below), so the place of every loss is in the stream. A record never wraps
 * around the end of the data: when it would, the producer writes a padding record (type 0) to the end
 * and starts again at offset 0. The producer publishes a record by storing `head` with release
 * semantics after writing it; the consumer frees space by storing `tail` with release semantics after
 * reading it.
 *
 * Record layout: struct tessera_trace_record_header, then the event's payload, which starts with the
 * four ftrace common fields (so that the payload is exactly what an ftrace event record holds), then the
 * event's own fields as trace/events.h declares them; the whole record is padded to 8 bytes.
 */
#ifndef TESSERA_ABI_TRACE_H
#define TESSERA_ABI_TRACE_H

#include <stdint.h>
#include <tessera/abi/control.h>

#define TESSERA_TRACE_MAGIC	 0x4543415254535354ULL /* "TSSTRACE" */
#define TESSERA_TRACE_VERSION	 4
#define TESSERA_TRACE_MAX_CPUS	 16
#define TESSERA_TRACE_MAX_CELLS	 8
#define TESSERA_TRACE_MAX_EVENTS 64 /* event ids 1..63; 0 is the padding record */
#define TESSERA_TRACE_NAME_LEN	 32

/* Record types below TESSERA_TRACE_FIRST_EVENT are the ring's own. */
#define TESSERA_TRACE_PAD	  0
#define TESSERA_TRACE_FIRST_EVENT 1

struct tessera_trace_record_header {
	uint64_t tsc;  /* time stamp counter when the event happened */
	uint32_t size; /* bytes of the whole record, header included, a multiple of 8 */
	/*
	 * Per-CPU sequence number of every record the CPU tried to write, written or lost (wraps at 2^32).
	 * A record whose seq is N more than the previous record's + 1 is the loss marker: "N records lost
	 * since sequence previous + 1", at that place (a first record with seq N: N lost since 0). Records
	 * lost after the last one written are the ring's `lost` minus the gaps. (Version 1 counted only
	 * records written, so nothing said where the losses were.)
	 */
	uint32_t seq;
};

/* The ftrace common fields: every payload starts with them (libtraceevent requires common_type). */
struct tessera_trace_common {
	uint16_t type;	       /* event id; TESSERA_TRACE_PAD for padding */
	uint8_t flags;	       /* 0 */
	uint8_t preempt_count; /* 0 */
	int32_t pid;	       /* cell id + 1; 0 for the hypervisor itself */
};

struct tessera_trace_ring_desc {
	/* Written by the producer only (one cache line). */
	uint64_t head; /* bytes published */
	uint64_t seq;  /* records attempted, written or lost (the next record's seq); written = seq - lost */
	uint64_t lost; /* records dropped because the ring was full */
	uint64_t reserved0[5];
	/* Written by the consumer only (its own cache line). */
	uint64_t tail; /* bytes consumed */
	uint64_t reserved1[7];
	/* Set once by the hypervisor before it publishes the control block. */
	uint64_t data_offset; /* from the control block's start */
	uint64_t size;	      /* bytes, a power of two, 0 for a CPU without a ring */
	uint64_t lost_per_event[TESSERA_TRACE_MAX_EVENTS];
};

/* In a cell mask (the trace commands' args[1], the trace_control hypercall's a2): bit n is cell n; this bit is the
 * hypervisor's own events (those of no cell, e.g. trace_command). */
#define TESSERA_TRACE_CELLS_HV (1ULL << 63)

struct tessera_trace_cell_info {
	char name[TESSERA_TRACE_NAME_LEN];
	uint64_t enabled; /* bit n: event n is recorded for this cell */
	uint64_t cpus;	  /* bit n: CPU n belongs to this cell (its ring holds the cell's exits) */
	uint64_t exits;	  /* exits counted by the hypervisor's statistics (all reasons) */
	uint64_t exits_by_reason[16];
	uint64_t violations;
};

struct tessera_trace_control {
	uint64_t magic;	      /* TESSERA_TRACE_MAGIC, written last at init */
	uint32_t version;     /* TESSERA_TRACE_VERSION */
	uint32_t header_size; /* sizeof(struct tessera_trace_control) */
	uint64_t total_size;  /* bytes of the shared region used */
	uint32_t nr_cpus;
	uint32_t nr_cells;
	uint64_t tsc_hz;       /* TSC frequency; ns = (tsc - tsc_offset) * 1e9 / tsc_hz */
	uint64_t tsc_offset;   /* TSC value taken as time 0 (at trace init) */
	uint64_t catalog_hash; /* FNV-1a of the event catalog's layout: reader and writer must agree */
	uint32_t running;      /* 1 while cells run; 0 after the hypervisor finished */
	uint32_t reserved;
	/* The results page (abi/results.h) from the control block's start, 0 for none. It sits after the
	 * rings' data, so total_size covers it. */
	uint64_t results_offset;
	struct tessera_control_mailbox mailbox;
	struct tessera_trace_cell_info cells[TESSERA_TRACE_MAX_CELLS];
	struct tessera_trace_ring_desc rings[TESSERA_TRACE_MAX_CPUS];
};

#endif
