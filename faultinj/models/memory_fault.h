/* Model 5, memory_fault: the target cell's second-stage mapping of the 4 KiB page at `addr` becomes
 * not-present or read-only at the trigger; after `duration_exits` exits of the target vCPU or
 * `duration_us` microseconds (whichever is given; neither: never) it is restored. An access meanwhile
 * is a violation and follows the cell's on_violation policy.
 * P(model, name, TYPE, required, default, description) */
#define TESSERA_FAULT_PARAMS_memory_fault(P)                                                    \
	P(memory_fault, addr, GPA, 1, 0, "guest-physical address in the page")                  \
	P(memory_fault, mode, MEM_MODE, 1, 0, "not_present or read_only")                       \
	P(memory_fault, duration_exits, NUM, 0, 0, "restore after this many exits of the vCPU") \
	P(memory_fault, duration_us, NUM, 0, 0, "restore after this many microseconds")
