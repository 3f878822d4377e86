/* Model 8, hv_data_flip (hypervisor data, not guest state): flip bit `bit` of one field of the
 * hypervisor's own per-cell state at the trigger. Marked separately because it breaks the hypervisor's
 * invariants on purpose: what follows tests the hypervisor's robustness, not the cell's.
 * P(model, name, TYPE, required, default, description) */
#define TESSERA_FAULT_PARAMS_hv_data_flip(P)                                                \
	P(hv_data_flip, field, HV_FIELD, 1, 0, "the per-cell field (see docs/faultinj.md)") \
	P(hv_data_flip, bit, BIT, 1, 0, "the bit flipped, 0..63")
