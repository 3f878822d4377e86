/*
 * The control ABI's dispatcher (abi/control.h, core/control.c): one place that carries out a command,
 * whether it came from the host's mailbox or from a manager cell's `control` hypercall.
 */
#ifndef TESSERA_CONTROL_H
#define TESSERA_CONTROL_H

#include <tessera/abi/control.h>
#include <tessera/compiler.h>

struct cell;

/* trace_hv_init: the control block's mailbox, served from then on by CPU 0 (control_poll). */
void control_attach(struct tessera_control_mailbox *mb);
/* CPU 0: carry out a pending mailbox command, if any (cheap when there is none). */
void control_poll(void);
/*
 * Carry out command `op` with `req` (a private copy: the caller copied it from shared or guest memory);
 * values a command returns are written to req->args. `from` is the manager cell asking, NULL for the
 * host. Returns the command's result (>= 0) or -HV_E*.
 */
int64_t control_run(uint32_t op, struct tessera_control_request *req, struct cell *from);
/* The host holds the machine up (SYS_HOLD): CPU 0 does not shut down when every cell has ended. */
bool control_holds_machine(void);
/* The command's name, "?" when unknown. */
const char *control_command_name(uint32_t op);

#endif
