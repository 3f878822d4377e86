/*
 * The control ABI (version 1): commands to the running hypervisor, from the host through the mailbox of
 * the control block in the host channel (abi/trace.h's struct tessera_trace_control holds it), and from a
 * manager cell through the `control` hypercall. One table of commands, one dispatcher (core/control.c):
 * both paths carry out the same command the same way. The trace_control hypercall (abi/hypercall.h)
 * remains as the short form of the two trace commands.
 *
 * Layout rules: little-endian, fixed-width fields, every struct a multiple of 8 bytes, no pointers.
 *
 * X(number, GROUP, NAME, name, description). Numbers are ABI: trace 1-15, fault injection 16-31, cells
 * 32-47, the machine 48-63. Cell ids are indexes in the system config; results are 0 (or a value >= 0) or a negated enum
 * hv_error.
 */
#ifndef TESSERA_ABI_CONTROL_H
#define TESSERA_ABI_CONTROL_H

#include <stdint.h>

#define TESSERA_CONTROL_VERSION 1
#define TESSERA_CONTROL_PAYLOAD 128 /* bytes: room for one struct tessera_fault (abi/fault_plan.h) */

#define TESSERA_CONTROL_COMMANDS(X)                                                                         \
	X(1, TRACE, ENABLE, "trace_enable", "enable events in mask args[0] for cells in mask args[1]")      \
	X(2, TRACE, DISABLE, "trace_disable", "disable events in mask args[0] for cells in mask args[1]")   \
	X(3, TRACE, TIME_SYNC, "time_sync",                                                                 \
	  "store the TSC in args[2] (the host brackets it with its clock; mailbox only)")                   \
	X(16, FI, INJECT, "fi_inject",                                                                      \
	  "arm the struct tessera_fault in the payload; result: its slot (>= 0), or -ENOMEM when all are "  \
	  "armed")                                                                                          \
	X(17, FI, DISARM, "fi_disarm", "disarm fault slot args[0] (all slots: ~0)")                         \
	X(18, FI, STATUS, "fi_status",                                                                      \
	  "fault slot args[0]: result 1 armed, 0 free; args[1] = injections so far, args[2] = passes seen") \
	X(32, CELL, START, "cell_start", "start stopped cell args[0] from its image")                       \
	X(33, CELL, STOP, "cell_stop", "stop cell args[0]; its memory is cleared")                          \
	X(34, CELL, RESTART, "cell_restart", "stop cell args[0] and start it again from its image")         \
	X(35, CELL, RESTART_FAULT, "cell_restart_fault",                                                    \
	  "start ended cell args[0] again from its image with the struct tessera_fault in the payload "     \
	  "armed just before (its triggers count from this start; args[1]: its PRNG seed), with the "       \
	  "ended cells in mask args[2] (their shared memory cleared as at boot), those of mask args[3] "    \
	  "started first, the rest in config order; result: the fault's slot, -EBUSY while one runs")       \
	X(48, SYS, HOLD, "hold",                                                                            \
	  "args[0] = 1: keep the machine up when every cell has ended (for the next command); 0: release "  \
	  "it (it shuts down once every cell has ended)")

enum tessera_control_command {
#define TESSERA_CTL_ENUM(num, GROUP, NAME, name, desc) TESSERA_CTL_##GROUP##_##NAME = num,
	TESSERA_CONTROL_COMMANDS(TESSERA_CTL_ENUM)
#undef TESSERA_CTL_ENUM
};

/* A command's arguments and payload: the mailbox's body, and the control hypercall's buffer. */
struct tessera_control_request {
	uint64_t args[4];
	uint32_t payload_size; /* bytes of payload used */
	uint32_t reserved;
	uint8_t payload[TESSERA_CONTROL_PAYLOAD];
};

/*
 * The host writes op and the request, then increments `seq` (release). The hypervisor (CPU 0, in its
 * loop and at its own exits when it runs a cell), when it sees seq != ack, carries the command out,
 * stores `result` (and any values the command returns in req.args), then sets ack = seq (release). One
 * command at a time: the host waits for the ack before it writes the next.
 *
 * TIME_SYNC is the host/hypervisor clock correlation, as trace-cmd's TSC sync: the host reads its clock,
 * sends the command, and reads its clock again when it sees the ack; the TSC in args[2] was read in
 * between, so the exchange with the shortest round trip bounds the offset best (+- half of it).
 */
struct tessera_control_mailbox {
	uint32_t seq;
	uint32_t ack;
	uint32_t op; /* enum tessera_control_command */
	int32_t result;
	struct tessera_control_request req;
};

#endif
