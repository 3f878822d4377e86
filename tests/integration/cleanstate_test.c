/*
 * A restarted cell finds the CPU as a reset leaves it (guests/cleanstate): the target checks the state,
 * dirties it (x87, MXCSR, XMM/YMM, XCR0, DR0-DR7, CR2, the SYSCALL/SYSENTER MSRs, KernelGsBase, FS/GS
 * base, TSC_AUX, PAT, EFER.SCE) and exits; a manager restarts it and the second run checks again. Before
 * restarts reset what only the CPU holds, the second run saw the first run's XMM, x87, XCR0, DR0-DR3 and
 * TSC_AUX values.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static unsigned int occurrences(const char *out, const char *needle)
{
	unsigned int n = 0;

	for (const char *q = out; (q = strstr(q, needle)); q++)
		n++;
	return n;
}

Test(cleanstate, a_restarted_cell_sees_reset_cpu_state, .timeout = 120)
{
	struct tessera_proc p;

	tessera_run(&p, 110,
		    (const char *const[]){"run", "--config",
					  TESSERA_SOURCE_ROOT "/tests/integration/configs/cleanstate.yaml",
					  "--timeout", "100", NULL});
	cr_expect_eq(occurrences(p.out, "[target] cleanstate: state dirtied"), 2, "two runs:\n%s", p.out);
	/* Each check passed in both runs (YMM only where the CPU model offers AVX). */
	static const char *const checks[] = {"x87",	  "mxcsr",   "xmm",	    "xcr0",
					     "dr0_3",	  "dr7",     "cr2",	    "msr_star",
					     "msr_lstar", "msr_pat", "msr_tsc_aux", "msr_kernel_gs_base",
					     "msr_efer"};
	for (unsigned int i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		char line[64];
		snprintf(line, sizeof(line), "[target] TEST clean_%s: PASS", checks[i]);
		cr_expect_eq(occurrences(p.out, line), 2, "%s: not twice:\n%s", line, p.out);
	}
	cr_expect_geq(occurrences(p.out, "[target] TEST "), 2 * 22, "too few checks:\n%s", p.out);
	cr_expect(!strstr(p.out, ": FAIL"), "state survived the restart:\n%s", p.out);
	cr_expect_eq(occurrences(p.out, "cell 'target' finished: exit status 0"), 2, "%s", p.out);
	expect_line(&p, "[boss] cleanstate: target's second run ended (state 2)");
	expect_line(&p, "shutdown: 2 cells finished, 0 failed");
	cr_expect_eq(p.status, 0, "exit status %d", p.status);
	tessera_free(&p);
}
