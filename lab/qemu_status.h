/* What QEMU's exit status says about how the hypervisor run ended (see abi/exit_status.h). Pure. */
#ifndef TESSERA_LAB_QEMU_STATUS_H
#define TESSERA_LAB_QEMU_STATUS_H

#include <stddef.h>

/*
 * Map a QEMU process status (the raw waitpid() status) to the exit status of `tessera run`: 0 when the
 * hypervisor shut down in order, 1 otherwise. `what` receives a short description for the summary line
 * ("hypervisor fault (status 0x12)", "machine reset (triple fault?)", ...).
 */
int qemu_status_classify(int wait_status, char *what, size_t size);

#endif
