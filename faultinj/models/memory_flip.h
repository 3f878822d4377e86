/* Model 7, memory_flip: flip bit `bit` of the byte at guest-physical address `addr` of the target cell
 * at the trigger (exit, icount, tsc, now). The address must lie in one of the cell's writable RAM
 * regions.
 * P(model, name, TYPE, required, default, description) */
#define TESSERA_FAULT_PARAMS_memory_flip(P)                                   \
	P(memory_flip, addr, GPA, 1, 0, "guest-physical address of the byte") \
	P(memory_flip, bit, BIT, 1, 0, "the bit flipped, 0..7")
