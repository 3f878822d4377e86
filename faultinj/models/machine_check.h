/* Model 6, machine_check: a machine-check record synthesized at the trigger (exit, icount, tsc, now) on the
 * target vCPU's CPU and handled exactly as a hardware one (docs/machine-checks.md): classified from
 * `status`, attributed (the cell whose memory holds `addr` if ADDRV is set, else the CPU's cell), acted on
 * by the owner's on_machine_check policy, traced as an `mce` event with software=1.
 * P(model, name, TYPE, required, default, description) */
#define TESSERA_FAULT_PARAMS_machine_check(P)                                                               \
	P(machine_check, status, NUM, 1, 0,                                                                 \
	  "MCi_STATUS; VAL (bit 63) must be set; UC, PCC, S, AR, OVER choose the class")                    \
	P(machine_check, bank, NUM, 0, 1, "the bank, 0..31 (the hypervisor refuses one the machine lacks)") \
	P(machine_check, addr, NUM, 0, 0,                                                                   \
	  "MCi_ADDR: a host-physical address (meaningful with ADDRV, bit 58)")                              \
	P(machine_check, misc, NUM, 0, 0, "MCi_MISC (with MISCV, bit 59)")                                  \
	P(machine_check, mcg_status, NUM, 0, 5, "MCG_STATUS: RIPV (bit 0), EIPV (1), MCIP (2); default 5")
