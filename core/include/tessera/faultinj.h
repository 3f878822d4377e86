/*
 * The fault-injection engine (faultinj/, docs/faultinj.md), a hook client. With no fault armed it has no
 * point armed: it costs nothing anywhere, the exit path included.
 */
#ifndef TESSERA_FAULTINJ_H
#define TESSERA_FAULTINJ_H

#include <tessera/abi/config.h>
#include <tessera/abi/control.h>
#include <tessera/arch.h>

struct tessera_fault;

/*
 * After the cells are built, before any starts: register the engine's hook client and arm the faults of
 * the plan module (TESSERA_FAULT_PLAN_MODULE) if there is one. A plan the shared checker refuses stops
 * the machine with BAD_CONFIG, as a bad config does.
 */
void faultinj_boot(const struct boot_info *info, const struct tessera_config_header *cfg);
/* The control ABI's TESSERA_CTL_FI_* commands (core/control.c dispatches them here). */
int64_t faultinj_control(uint32_t op, struct tessera_control_request *req);
/*
 * Arm fault f (checked as FI_INJECT checks it) with its PRNG seeded from with_seed: its slot (>= 0) or
 * -HV_E*. `reuse`: the lowest slot not armed (else a free one first, keeping done slots' counts for
 * FI_STATUS). The control's cell_restart_fault arms through it just before the cell starts.
 */
int64_t faultinj_arm(const struct tessera_fault *f, uint64_t with_seed, bool reuse);
/* At shutdown: one line per fault that was armed (injections, passes). */
void faultinj_report(void);

#endif
