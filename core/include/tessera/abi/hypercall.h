/*
 * The hypercall ABI (version 1), shared by the hypervisor, the guest runtime and the docs.
 *
 * x86_64: VMMCALL with RAX = number, RDI, RSI, RDX, RCX = arguments 1-4; the result comes back in RAX
 * (>= 0 success, < 0 a negated enum hv_error). Other registers are preserved.
 * arm64 (later): HVC #0 with x0 = number, x1-x4 = arguments, result in x0.
 *
 * This table is the one source of hypercall numbers: the hypervisor's dispatch table, the runtime's
 * wrappers' numbers and the table in docs/hypercalls.md are all generated from it.
 *
 * X(number, NAME, name, who may call, description)
 */
#ifndef TESSERA_ABI_HYPERCALL_H
#define TESSERA_ABI_HYPERCALL_H

/* 2 added doorbell_ring, 3 cell_shutdown, 4 control, 5 results_write */
#define TESSERA_HYPERCALL_ABI_VERSION 5

#define TESSERA_HYPERCALLS(X)                                                                               \
	X(0, NOP, "nop", "any", "Does nothing and returns 0; measures the round trip.")                     \
	X(1, CONSOLE_WRITE, "console_write", "any",                                                         \
	  "Writes a1 bytes at guest address a0 to the console, prefixed with the cell's name per line.")    \
	X(2, CELL_EXIT, "cell_exit", "any",                                                                 \
	  "The calling cell stops (all its CPUs) with exit status a0; 0 means success.")                    \
	X(3, CELL_INFO, "cell_info", "any",                                                                 \
	  "Returns the calling cell's id (index in the config); a0 != 0 asks for the number of cells.")     \
	X(4, CELL_STATS, "cell_stats", "any",                                                               \
	  "Copies the exit counters of cell a0 (its own id unless manager) to a struct tessera_cell_stats " \
	  "at guest address a1 of size a2.")                                                                \
	X(5, CELL_START, "cell_start", "manager", "Starts stopped cell a0 from its pristine image.")        \
	X(6, CELL_STOP, "cell_stop", "manager", "Stops cell a0; its memory is cleared.")                    \
	X(7, CELL_RESTART, "cell_restart", "manager", "Stops cell a0 and starts it again from its image.")  \
	X(8, CELL_STATE, "cell_state", "any", "Returns the state of cell a0 (enum tessera_cell_state).")    \
	X(9, DOORBELL_RING, "doorbell_ring", "any",                                                         \
	  "Raises the configured doorbell vector in cell a0, if the caller's config lists it; else -EPERM " \
	  "and a violation.")                                                                               \
	X(10, TRACE_CONTROL, "trace_control", "manager",                                                    \
	  "Trace events: a0 = 1 enables, 2 disables the events in mask a1 (bit n: event id n) for the "     \
	  "cells in mask a2 (bit 63: the hypervisor's own); -ENOTSUP when the machine has no trace "        \
	  "channel.")                                                                                       \
	X(11, CELL_SHUTDOWN, "cell_shutdown", "manager",                                                    \
	  "Asks cell a0 to shut down: posts a shutdown request in its comm region and returns 0 at once. "  \
	  "The cell answers and exits, or the watchdog stops/restarts it after its limit (docs/ivc.md). "   \
	  "-ENOTSUP without a comm region, -EBUSY when it is not running.")                                 \
	X(12, CONTROL, "control", "manager",                                                                \
	  "Carries out control command a0 (abi/control.h: trace, fault injection, cells) with the struct "  \
	  "tessera_control_request at guest address a1 of size a2; the command's values come back in its "  \
	  "args. Returns the command's result.")                                                            \
	X(13, RESULTS_WRITE, "results_write", "any",                                                        \
	  "Appends the a1 bytes at guest address a0 (1-240: one result line, abi/results.h) to the "        \
	  "calling cell's ring of the results page. -ENOMEM when the ring is full (the record is counted "  \
	  "lost), -ENOTSUP without a results page.")

enum tessera_hypercall {
#define TESSERA_HC_ENUM(num, NAME, name, who, desc) TESSERA_HC_##NAME = num,
	TESSERA_HYPERCALLS(TESSERA_HC_ENUM)
#undef TESSERA_HC_ENUM
		TESSERA_HC_COUNT
};

/* The cell states, the one table of their numbers and names (the hypervisor's messages and the trace
 * catalog both use it): X(number, NAME, name, meaning). */
#define TESSERA_CELL_STATES(X)                                                          \
	X(0, STOPPED, "stopped", "never started, or stopped by a manager")              \
	X(1, RUNNING, "running", "running")                                             \
	X(2, FINISHED, "finished", "the cell called cell_exit, or all its CPUs halted") \
	X(3, FAILED, "failed", "crashed, violated its policy, or hit an unexpected exit")

enum tessera_cell_state {
#define TESSERA_CELL_STATE_ENUM(num, NAME, name, doc) TESSERA_CELL_##NAME = num,
	TESSERA_CELL_STATES(TESSERA_CELL_STATE_ENUM)
#undef TESSERA_CELL_STATE_ENUM
};

#endif
