/*
 * `tessera run --faults PLAN.yaml`: compile the plan against the config just compiled for the run (the
 * machine's first boot module, config_prepare_boot's blob), write it into the run's scratch directory
 * and add it as the boot module the hypervisor looks for (TESSERA_FAULT_PLAN_MODULE).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/abi/fault_plan.h>

#include "plan_compile.h"
#include "prepare_boot.h"

static bool extra_args_have(const struct machine *m, const char *word)
{
	for (int i = 0; i < m->nr_extra; i++)
		if (strstr(m->extra_args[i], word))
			return true;
	return false;
}

int fault_plan_prepare_boot(const char *plan_path, const char *workdir, struct machine *m)
{
	struct fault_plan_compiled plan;
	struct config_diag diag;
	size_t cfg_size;
	char *cfg, *out = NULL;
	int ret;

	if (!m->nr_modules || !(cfg = config_read_file(m->modules[0], &cfg_size))) {
		fprintf(stderr, "tessera: %s: a fault plan needs the run's config (--config)\n", plan_path);
		return 2;
	}
	ret = fault_plan_compile(plan_path, (const struct tessera_config_header *)cfg, &plan, &diag);
	free(cfg);
	if (ret) {
		config_diag_print(plan_path, &diag);
		return ret;
	}
	if (plan.uses_icount && !extra_args_have(m, "icount"))
		fprintf(stderr,
			"tessera: %s: an icount trigger counts instructions only under -icount shift=0 (add "
			"`-- -icount shift=0,sleep=off`); without it, it counts TSC ticks\n",
			plan_path);
	ret = 1;
	if (asprintf(&out, "%s/%s", workdir, TESSERA_FAULT_PLAN_MODULE) < 0)
		goto done;
	FILE *f = fopen(out, "wb");
	if (!f || fwrite(plan.blob, 1, plan.size, f) != plan.size || fclose(f)) {
		perror(out);
		goto done;
	}
	if (machine_add_module(m, out)) {
		fprintf(stderr, "tessera: %s: too many boot modules\n", plan_path);
		goto done;
	}
	out = NULL; /* the machine keeps it until the run ends */
	ret = 0;
done:
	free(out);
	fault_plan_compiled_free(&plan);
	return ret;
}
