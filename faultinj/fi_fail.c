/* Model 1, fail_point (models/fail_point.h): a named fail point returns the fault's error. */
#include "engine.h"

static int fail_point_fail(struct fi_slot *s, enum fail_site site, struct cell *c)
{
	uint64_t n;

	if (site != s->f.params[FP_fail_point_site] || !fi_pass(s, &n))
		return 0;
	int err = -(int)s->f.params[FP_fail_point_error];
	fi_injected(s, c, site, (uint64_t)(int64_t)err, n);
	return err;
}

const struct fi_model_ops fi_ops_fail_point = {
	.points = HOOK_BIT(HOOK_FAIL),
	.fail = fail_point_fail,
};
