/* Model 3, hypercall: a hypercall of the target fails with `error` without being carried out, or one of
 * its arguments or its result has bit `bit` flipped. Passes are the target's hypercalls of number
 * `call` (any when absent).
 * P(model, name, TYPE, required, default, description) */
#define TESSERA_FAULT_PARAMS_hypercall(P)                                                            \
	P(hypercall, action, HC_ACTION, 1, 0, "fail, corrupt_arg or corrupt_result")                 \
	P(hypercall, call, HYPERCALL, 0, HYPERCALL_ANY, "only this hypercall (a name; default any)") \
	P(hypercall, error, ERROR, 0, 7, "fail: the error returned (default ENOTSUP)")               \
	P(hypercall, arg, NUM, 0, 0, "corrupt_arg: which argument, 0..3")                            \
	P(hypercall, bit, BIT, 0, 0, "corrupt_*: the bit flipped, 0..63")
