/* Model 4, register_flip: flip bit `bit` of a guest register of the target vCPU at the trigger (exit,
 * icount, tsc, now), just before it resumes.
 * P(model, name, TYPE, required, default, description) */
#define TESSERA_FAULT_PARAMS_register_flip(P)                                                        \
	P(register_flip, reg, REG, 1, 0, "the register (rax..r15, rip, rflags, cr0, cr2, cr3, cr4)") \
	P(register_flip, bit, BIT, 1, 0, "the bit flipped, 0..63")
