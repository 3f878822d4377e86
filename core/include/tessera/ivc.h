/*
 * Inter-cell communication and the cell watchdog (docs/ivc.md): each cell's comm region page, the
 * doorbell hypercall, and the watchdog that CPU 0 runs. Shared memory itself needs nothing here: it is
 * a memory region in both cells' second-stage maps, with the permissions the config checker approved.
 */
#ifndef TESSERA_IVC_H
#define TESSERA_IVC_H

#include <tessera/compiler.h>

struct cell;
struct vcpu;
struct tessera_comm_region;
struct tessera_config_header;

struct cell_ivc {
	struct tessera_comm_region *comm; /* the page the hypervisor shares with the cell, or NULL */
	uint64_t wd_next;		  /* timestamp of the next watchdog check */
	uint64_t wd_alive;		  /* timestamp of the last answer (or of the start) */
	uint32_t wd_missed;		  /* heartbeats unanswered in a row */
	uint32_t wd_gen;		  /* the cell generation the watchdog state belongs to */
};

/* At build time: allocate and map the comm region. 0 or -HV_E* with *why set. */
int ivc_cell_create(struct cell *c, const struct tessera_config_header *blob, char *why, size_t why_len);
/* Before each start: fill the comm region afresh, rearm the watchdog. */
void ivc_cell_start(struct cell *c);
/* Hypercall doorbell_ring: the caller rings cell `peer`. */
int64_t ivc_doorbell_ring(struct vcpu *v, uint64_t peer);
/* Called often by CPU 0: heartbeats, and the action on cells that stopped answering. */
void ivc_watchdog_poll(void);

#endif
