/*
 * Fault injection end to end (docs/faultinj.md): a plan that names what does not exist is refused before
 * QEMU starts; each model's effect shows in its target and in the trace.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define ROOT TESSERA_SOURCE_ROOT

Test(faultinj, a_plan_naming_a_missing_cell_is_refused_before_boot, .timeout = 60)
{
	struct tessera_proc p;
	const char *args[] = {"run",
			      "--config",
			      ROOT "configs/fi/selfcheck.yaml",
			      "--faults",
			      ROOT "tests/integration/plans/bad-cell.yaml",
			      NULL};

	tessera_run(&p, 30, args);
	cr_expect_eq(p.status, 2, "exit %d, stderr:\n%s", p.status, p.err);
	cr_expect(has_line_with(p.err,
				"bad-cell.yaml:5:11: no cell 'nosuch' in the config (its cells: fiself, "
				"canary-a, canary-b)"),
		  "stderr:\n%s", p.err);
	cr_expect_eq(p.qemu_pid, 0, "QEMU was started");
	tessera_free(&p);
}
