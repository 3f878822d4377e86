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

/*
 * CPU 0's state for one cell's comm region. Only CPU 0 writes it (ivc_watchdog_poll), except
 * shutdown_asked (any manager's CPU, atomic) and the reset at each start (ivc_cell_start, before the
 * cell's new generation is published). The request sequence number lives here, not in the cell-writable
 * page: the cell cannot move it.
 */
struct cell_ivc {
	struct tessera_comm_region *comm; /* the page the hypervisor shares with the cell, or NULL */
	uint64_t wd_next;		  /* timestamp of the next watchdog check */
	uint64_t wd_alive;	 /* when the hypervisor first saw the cell's last answer (or the start) */
	uint64_t shutdown_at;	 /* when the shutdown request was posted */
	uint32_t seq;		 /* the last request posted (0: none yet) */
	uint32_t answered;	 /* the last request whose answer was seen */
	uint32_t reply;		 /* that answer (enum tessera_comm_reply) */
	uint32_t wd_missed;	 /* heartbeats unanswered in a row */
	uint32_t wd_gen;	 /* the cell generation the watchdog state belongs to */
	uint32_t shutdown_asked; /* a manager asked for a shutdown; CPU 0 posts it */
	bool shutdown;		 /* a shutdown request is posted and not yet settled */
};

/* At build time: allocate and map the comm region. 0 or -HV_E* with *why set. */
int ivc_cell_create(struct cell *c, const struct tessera_config_header *blob, char *why, size_t why_len);
/* Before each start: fill the comm region afresh, rearm the watchdog. */
void ivc_cell_start(struct cell *c);
/* Hypercall doorbell_ring: the caller rings cell `peer`. */
int64_t ivc_doorbell_ring(struct vcpu *v, uint64_t peer);
/* Hypercall cell_shutdown: ask cell `c` to shut down through its comm region (CPU 0 posts it). */
int64_t ivc_cell_shutdown(struct cell *c);
/* Called often by CPU 0: heartbeats, shutdown requests, and the action on cells that stopped answering. */
void ivc_watchdog_poll(void);

#endif
