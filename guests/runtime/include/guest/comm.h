/*
 * The cell's side of the comm region and doorbells (docs/ivc.md, abi/comm_region.h).
 *
 * comm_poll() answers what the hypervisor asked: heartbeats (the watchdog) and shutdown requests. Call
 * it regularly, e.g. from a periodic timer handler (comm_start_heartbeat_timer does exactly that). A
 * shutdown request is always accepted: comm_poll answers SHUTDOWN_OK, then exits the cell with status 0
 * (it does not return). A cell that must finish something first answers requests itself.
 */
#ifndef GUEST_COMM_H
#define GUEST_COMM_H

#include <guest/hypercall.h>
#include <tessera/abi/comm_region.h>

/* The comm region, or NULL when the config gives the cell none. */
struct tessera_comm_region *comm_region(void);
/* Answer a pending request; returns the request answered (enum tessera_comm_msg), 0 for none. A
 * shutdown request is answered and the cell exits (status 0): that call does not return. */
unsigned int comm_poll(void);
/* Periodic timer at `hz` on this CPU whose handler calls comm_poll(); needs interrupts enabled. */
void comm_start_heartbeat_timer(uint64_t hz);

/* The doorbell to / from the cell named `peer`; NULL when the config lists none. */
const struct tessera_comm_doorbell *comm_doorbell_out(const char *peer);
const struct tessera_comm_doorbell *comm_doorbell_in(const char *peer);

static inline int64_t hypercall_doorbell_ring(uint64_t cell)
{
	return hypercall(TESSERA_HC_DOORBELL_RING, cell, 0, 0, 0);
}

#endif
