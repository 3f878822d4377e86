/*
 * The host side of the control ABI (abi/control.h): map the host channel of a running system (the file
 * `tessera run --channel FILE` shares with QEMU) and send commands through its mailbox, one at a time.
 */
#ifndef TESSERA_CLI_CONTROL_CLIENT_H
#define TESSERA_CLI_CONTROL_CLIENT_H

#include <stddef.h>
#include <tessera/abi/trace.h>

struct control_channel {
	void *map;
	size_t len;
	volatile struct tessera_trace_control *ctl;
};

/*
 * Map `path` (waiting for it to appear) and wait, up to timeout_ms in all, for the hypervisor to publish
 * its control block there. 0, or -1
 * with why (no such file, not a channel, another version, never published).
 */
int control_open(const char *path, unsigned int timeout_ms, struct control_channel *ch, char *why, size_t n);
/*
 * Send `op` with `req` and wait up to timeout_ms for the answer: 0 with *result (and the values the
 * command returns in req->args), or -1 with why (the mailbox stayed busy, no answer).
 */
int control_send(struct control_channel *ch, uint32_t op, struct tessera_control_request *req,
		 unsigned int timeout_ms, int32_t *result, char *why, size_t n);
/* The id of the cell named `name` in the control block, or -1. */
int control_cell_id(const struct control_channel *ch, const char *name);
void control_close(struct control_channel *ch);

#endif
