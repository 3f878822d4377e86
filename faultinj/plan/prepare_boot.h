/* How `tessera run --faults PLAN.yaml` adds the compiled plan to the machine (prepare_boot.c). */
#ifndef TESSERA_FAULTINJ_PREPARE_BOOT_H
#define TESSERA_FAULTINJ_PREPARE_BOOT_H

#include "../../lab/machine.h"

/* After config_prepare_boot: 0, or an exit status after printing why (2: bad plan, FILE:LINE:COL). */
int fault_plan_prepare_boot(const char *plan_path, const char *workdir, struct machine *m);

#endif
