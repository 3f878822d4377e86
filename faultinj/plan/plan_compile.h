/*
 * Compiling a YAML fault plan (docs/faultinj.md) into the blob the hypervisor reads (abi/fault_plan.h),
 * checked against the compiled system config it will run with: every error, the parser's or the shared
 * checker's (faultinj/plan_check.h), ends as one `FILE:LINE:COL: message`. Used by `tessera run
 * --faults` and `tessera fi check|compile`.
 */
#ifndef TESSERA_FAULTINJ_PLAN_COMPILE_H
#define TESSERA_FAULTINJ_PLAN_COMPILE_H

#include <stddef.h>
#include <tessera/abi/config.h>

#include "../../cli/config/compile.h"

struct fault_plan_compiled {
	void *blob;
	size_t size;
	unsigned int nr_faults;
	bool uses_icount; /* a fault has an icount trigger: exact only under QEMU's -icount shift=0 */
};

/* 0 with *out filled (free with fault_plan_compiled_free), or 2 with *diag filled. */
int fault_plan_compile(const char *path, const struct tessera_config_header *cfg,
		       struct fault_plan_compiled *out, struct config_diag *diag);
void fault_plan_compiled_free(struct fault_plan_compiled *out);

#endif
