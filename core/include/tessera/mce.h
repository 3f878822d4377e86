/*
 * Machine checks, the arch-neutral side (docs/machine-checks.md). The arch's #MC handler (or the software
 * path of a fault plan) reads a bank, classifies it and hands one struct mce_record per valid bank to
 * the hw_error hook point (hooks.h); core/mce.c is that point's built-in client. It attributes the
 * record (the cell whose memory holds the address; else the cell owning the CPU; else the hypervisor),
 * decides the action from the severity and the owner's `on_machine_check` policy, and carries it out.
 *
 * The hook may run in #MC context (any code of the hypervisor interrupted, locks held): there the client
 * only decides and queues, except for the one action that cannot wait, an uncorrected error in the
 * hypervisor's own memory (an orderly panic report). The queue is drained in normal context (mce_drain):
 * by CPU 0's idle loop within a millisecond, by a halted vCPU's wait loop, or at once by the path that
 * synthesized or polled the record.
 */
#ifndef TESSERA_MCE_H
#define TESSERA_MCE_H

#include <tessera/compiler.h>
#include "../../../trace/events.h"

struct tessera_config_header;

struct mce_record {
	uint32_t cpu;  /* the CPU whose bank holds the error */
	uint32_t bank; /* the bank's number */
	uint64_t status, addr, misc;
	uint64_t mcg_status;
	uint8_t severity; /* enum tessera_trace_mce_severity, set by the arch's classifier */
	bool addr_valid;  /* the status has ADDRV: addr is a physical address */
	bool software;	  /* synthesized by a fault plan, not read from the hardware */
	bool in_guest;	  /* the hardware put it through the guest's IDT (TCG, docs/machine-checks.md) */
};

/* Who a record belongs to: a cell index, or MCE_OWNER_HV. */
#define MCE_OWNER_HV (-1)

/*
 * Attribution, pure over the checked config: the cell one of whose memory regions holds `addr` (a
 * shared region belongs to the cell owning the CPU if it is one of the two sharers, else to the first
 * declarer); else the hypervisor if its memory holds it; else the cell that owns `cpu`; else the
 * hypervisor.
 */
int mce_attribute(const struct tessera_config_header *hdr, const struct mce_record *r);
/*
 * The address a cell sees for host-physical `addr` (its own memory only): what a forwarded record's
 * MCi_ADDR says. False when the cell does not map it; the forwarded record then has no address at all
 * (ADDRV clear), so that no cell learns where the hypervisor put anybody's memory.
 */
bool mce_guest_addr(const struct tessera_config_header *hdr, int cell, uint64_t addr, uint64_t *gpa);
/* The action for a severity, owner and policy (enum tessera_mce_policy): the table of docs. */
enum tessera_trace_mce_action mce_decide(unsigned int severity, int owner, uint32_t policy);
const char *mce_severity_name(unsigned int severity);
const char *mce_action_name(unsigned int action);
const char *mce_policy_name(uint32_t policy);

/* ---- hypervisor only (core/mce.c) ---- */
/* Register the hw_error client; the config decides attribution (NULL: no cells, all is the hypervisor's). */
void mce_init(const struct tessera_config_header *hdr);
/* Carry out what is queued; normal context only, any CPU (one at a time: a busy drain is skipped). */
void mce_drain(void);
/* The same until the queue is empty, waiting out a drain on another CPU: for a caller that must see
 * its records handled before it goes on (a guest's RDMSR in its #MC handler, a shutdown). */
void mce_drain_all(void);
/* Records handled so far, by severity (all CPUs), for the shutdown summary and tests. */
uint64_t mce_count(unsigned int severity);
/* Print the machine-check summary line if any was seen. */
void mce_print_summary(void);

#endif
