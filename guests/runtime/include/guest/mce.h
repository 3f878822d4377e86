/*
 * Machine checks in a cell (docs/machine-checks.md): the runtime's #MC handler. A cell whose config says
 * `on_machine_check: forward` gets a virtual #MC with virtual MCA MSRs holding the record; the handler
 * reads every bank that holds one and prints it as
 *
 *   MCE seen: cpu C bank B status 0xS addr 0xA misc 0xM mcg_status 0xG
 *
 * (the line tests and campaigns look for), clears the bank and MCG_STATUS as on hardware, counts it,
 * calls the inmate's handler if one is set, and returns to the interrupted code; with MCG_STATUS.RIPV
 * clear there is nowhere to return to, and the cell exits with RUNTIME_EXIT_FAULT + 18. A cell without
 * virtual MCA (another policy) that takes one anyway (QEMU's TCG delivers a hardware #MC through the
 * guest's IDT) reports that and exits the same way.
 */
#ifndef GUEST_MCE_H
#define GUEST_MCE_H

#include <tessera/compiler.h>

#define VEC_MC 18

struct mce_seen {
	unsigned int cpu, bank;
	uint64_t status, addr, misc, mcg_status;
};

typedef void (*mce_handler_fn)(const struct mce_seen *m);

/* Called for each record, in the #MC handler, after the line is printed (NULL: none). It may have
 * interrupted anything, printf on this CPU included: like an NMI handler, it must not print. */
void mce_set_handler(mce_handler_fn fn);
/* Records seen so far, all CPUs of the cell. */
unsigned int mce_seen_count(void);
/* From the exception path: handles vector 18 (true), or false for any other vector. */
bool mce_dispatch(unsigned int vector);

#endif
