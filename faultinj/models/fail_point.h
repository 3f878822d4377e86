/* Model 1, fail_point: a named fail point (TESSERA_FAIL_SITES, hooks.h) returns an error instead of
 * doing its work. Triggers: nth (fail-nth, with `times` for several failures in a row), every,
 * probability; counted per target cell (or over all cells when the fault names none).
 * P(model, name, TYPE, required, default, description) */
#define TESSERA_FAULT_PARAMS_fail_point(P)                                               \
	P(fail_point, site, SITE, 1, 0, "the fail point (page_alloc, pgtable_map, ...)") \
	P(fail_point, error, ERROR, 0, 1, "the error it returns (default ENOMEM)")
