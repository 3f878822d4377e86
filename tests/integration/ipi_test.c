/*
 * Interrupts among the CPUs of one cell, end to end (docs/ivc.md): configs/ipi.yaml boots guests/ipi on
 * three CPUs; every check it makes is a TEST line (what each checks: guests/ipi/ipi.c and nmi.c). Here:
 * every TEST line passes, none is missing, and the counts behind them are the expected ones.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

#define ROOT	TESSERA_SOURCE_ROOT
#define LIMIT_S 100

static const char *const tests[] = {
	"ipi_servers_up",
	"ipi_fixed_cpu1",
	"ipi_fixed_cpu2",
	"ipi_pending_once_in_priority_order",
	"ipi_tpr_masks_class",
	"ipi_tpr_lowered_delivers",
	"ipi_self_shorthand",
	"ipi_self_physical",
	"ipi_all_but_self_shorthand",
	"ipi_all_shorthand",
	"nmi_self_not_nested",
	"nmi_remote_not_nested",
};

#define NR_TESTS (sizeof(tests) / sizeof(tests[0]))

static unsigned int count(const char *text, const char *needle)
{
	unsigned int n = 0;

	for (const char *s = text; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

Test(ipi, ipis_tpr_shorthands_and_nmis_within_a_cell, .timeout = 120)
{
	struct tessera_proc p;
	char line[160];

	tessera_run(
		&p, LIMIT_S,
		(const char *const[]){"run", "--config", ROOT "/configs/ipi.yaml", "--timeout", "90", NULL});
	cr_assert_eq(p.status, 0, "exit status %d\nstdout:\n%s\nstderr:\n%s", p.status, p.out, p.err);
	for (size_t i = 0; i < NR_TESTS; i++) {
		snprintf(line, sizeof(line), "[ipi] TEST %s: PASS", tests[i]);
		expect_line(&p, line);
	}
	/* every TEST line is one of the above, and it passed */
	cr_expect_eq(count(p.out, "[ipi] TEST "), NR_TESTS, "TEST lines:\n%s", p.out);
	cr_expect_eq(count(p.out, ": FAIL"), 0, "a TEST failed:\n%s", p.out);
	snprintf(line, sizeof(line), "[ipi] TESTS: %zu passed, 0 failed", NR_TESTS);
	expect_line(&p, line);

	/* (a) each serving CPU took all 2000 of its fixed IPIs, no other CPU any */
	expect_line(&p, "[ipi] ipi: cpu1 (APIC 2) took 2000 of 2000 fixed IPIs 0x50; other CPUs took 0");
	expect_line(&p, "[ipi] ipi: cpu2 (APIC 3) took 2000 of 2000 fixed IPIs 0x50; other CPUs took 0");
	/* (b) nothing before STI, then each vector once (0x52 sent twice while pending: one IRR bit) */
	expect_line(&p,
		    "0 taken before STI, then 0x51 x1 0x52 x1 0x53 x1 0x5f x1, order: 0x5f 0x53 0x52 0x51");
	/* (c) TPR 0x50 holds classes 4 and 5 (pending in IRR), 0x40 lets class 5 in, 0 class 4 */
	expect_line(&p,
		    "[ipi] ipi: cpu1 took 0x45/0x55/0x65: 0/0/1 at TPR 0x50 (IRR 0x45 1 0x55 1), 0/1/1 at "
		    "TPR 0x40, 1/1/1 at TPR 0");
	/* (d) shorthands stay within the cell and reach exactly their CPUs */
	expect_line(&p, "ipi_self_shorthand (vector 0x58) taken by CPUs: cpu0 x1 cpu1 x0 cpu2 x0");
	expect_line(&p, "ipi_self_physical (vector 0x57) taken by CPUs: cpu0 x1 cpu1 x0 cpu2 x0");
	expect_line(&p, "ipi_all_but_self_shorthand (vector 0x59) taken by CPUs: cpu0 x0 cpu1 x1 cpu2 x1");
	expect_line(&p, "ipi_all_shorthand (vector 0x5a) taken by CPUs: cpu0 x1 cpu1 x1 cpu2 x1");
	/* NMIs: two handlers each, never nested, the second after the first's IRET */
	expect_line(&p, "[ipi] nmi: cpu0 took 2 NMIs, deepest nesting 1, first in 1-2, second in 3-4");
	expect_line(&p, "[ipi] nmi: cpu1 took 2 NMIs, deepest nesting 1, first in 1-2, second in 3-4");
	/* none of it is a violation */
	expect_line(&p, "stats: cell 'ipi' (finished: exit status 0)");
	cr_expect(strstr(p.out, "exits, 0 violations") != NULL, "violations reported:\n%s", p.out);
	expect_line(&p, "shutdown: 1 cells finished, 0 failed");
	tessera_free(&p);
}
