/*
 * The comm region (ABI version 1): one page per cell, shared by the hypervisor and the cell, mapped
 * read/write at the guest-physical address the config gives (`comm_region`). Modelled on Jailhouse's.
 *
 * Requests go one way, hypervisor -> cell: the hypervisor writes msg_data, then msg_to_cell, then
 * msg_seq = its next sequence number (release order). The cell answers by writing reply_from_cell, then
 * reply_seq = the msg_seq it answers (release order). A request is answered when reply_seq equals the
 * request's number. The page is writable by the cell, so the hypervisor keeps the number in its own
 * memory (msg_seq here is a copy for the cell) and only compares reply_seq with it; reply_from_cell is
 * read as a number and never used as an address or index.
 *
 * The rest is read-only information the hypervisor fills before the cell starts: timer rates and the
 * doorbells (which peers this cell may ring, and which vectors ring it). Layout: little-endian, fixed
 * width, fields never move; new fields go at the end with a version bump.
 */
#ifndef TESSERA_ABI_COMM_REGION_H
#define TESSERA_ABI_COMM_REGION_H

#include <stdint.h>

#define TESSERA_COMM_MAGIC   0x4d4d4f4353534554ULL /* "TESSCOMM" */
#define TESSERA_COMM_VERSION 1
#define TESSERA_COMM_MAX_DB  8

/* Requests, hypervisor -> cell */
enum tessera_comm_msg {
	TESSERA_MSG_NONE = 0,
	TESSERA_MSG_HEARTBEAT = 1, /* answer TESSERA_REPLY_ALIVE (watchdog) */
	TESSERA_MSG_SHUTDOWN = 2,  /* answer _SHUTDOWN_OK and exit (the runtime does), or _DENIED; no
				      answer within the watchdog limit: stopped/restarted (docs/ivc.md) */
};

/* Answers, cell -> hypervisor */
enum tessera_comm_reply {
	TESSERA_REPLY_NONE = 0,
	TESSERA_REPLY_ALIVE = 1,
	TESSERA_REPLY_SHUTDOWN_OK = 2,
	TESSERA_REPLY_SHUTDOWN_DENIED = 3,
};

struct tessera_comm_doorbell {
	uint32_t cell_id; /* the peer's id (hypercall doorbell_ring takes it) */
	uint32_t vector;  /* the vector the receiving cell gets */
	char name[32];	  /* the peer's name */
};

struct tessera_comm_region {
	uint64_t magic; /* TESSERA_COMM_MAGIC */
	uint32_t version;
	uint32_t cell_id;
	/* hypervisor -> cell */
	volatile uint32_t msg_to_cell; /* enum tessera_comm_msg */
	volatile uint32_t msg_seq;
	volatile uint64_t msg_data;
	/* cell -> hypervisor */
	volatile uint32_t reply_from_cell; /* enum tessera_comm_reply */
	volatile uint32_t reply_seq;
	/* information, filled before the cell starts */
	uint64_t tsc_hz; /* the TSC rate */
	uint64_t
		timer_hz; /* the cell timer's input clock (before its divider; x86: the virtual local APIC timer) */
	uint32_t wd_period_ms; /* watchdog heartbeat period, 0: no watchdog */
	uint32_t wd_missed;    /* unanswered heartbeats it tolerates */
	uint32_t nr_db_out;    /* peers this cell may ring */
	uint32_t nr_db_in;     /* peers that may ring this cell */
	struct tessera_comm_doorbell db_out[TESSERA_COMM_MAX_DB];
	struct tessera_comm_doorbell db_in[TESSERA_COMM_MAX_DB];
};

#endif
