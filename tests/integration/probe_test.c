/*
 * The isolation probe in the default system: every forbidden access it tries must be stopped by the
 * hypervisor. The probe prints one `TEST <name>: PASS|FAIL` line per attempt (PASS = stopped) and a
 * closing `TESTS: N passed, M failed`; this test fails on any FAIL, on a missing summary, and when fewer
 * than MIN_ATTEMPTS distinct attempts were made.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* At least 25 for the cells work, 35 since interrupts and inter-cell communication added their attempts,
 * 150 since the user-mode and control-register attempts (160 in all). */
#define MIN_ATTEMPTS 150
#define MAX_ATTEMPTS 512

#define TEST_PREFIX "[probe] TEST "

/* The next line that starts with `prefix` (only at a line start: text inside a line can be forged). */
static const char *line_starting(const char *out, const char *from, const char *prefix)
{
	for (const char *p = from; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if ((p == out || p[-1] == '\n') && !strncmp(p, prefix, strlen(prefix)))
			return p;
	return NULL;
}

/* Distinct names of lines "[probe] TEST <name>: <verdict>"; counts the FAIL verdicts. */
static unsigned int count_attempts(const char *out, unsigned int *failed)
{
	static char names[MAX_ATTEMPTS][64];
	unsigned int n = 0;

	*failed = 0;
	for (const char *p = out; (p = line_starting(out, p, TEST_PREFIX)); p++) {
		const char *name = p + strlen(TEST_PREFIX);
		const char *colon = strstr(name, ": ");
		const char *eol = strchr(name, '\n');
		if (!colon || (eol && colon > eol) || colon - name >= 64)
			continue;
		if (!strncmp(colon + 2, "FAIL", 4))
			(*failed)++;
		char name_buf[64];
		snprintf(name_buf, sizeof(name_buf), "%.*s", (int)(colon - name), name);
		bool seen = false;
		for (unsigned int i = 0; i < n && !seen; i++)
			seen = !strcmp(names[i], name_buf);
		if (!seen && n < MAX_ATTEMPTS)
			strcpy(names[n++], name_buf);
	}
	return n;
}

/* A cell can print "[probe] TEST x: PASS" inside its own line; only lines that start so count. */
Test(probe, only_lines_that_start_with_the_prefix_count)
{
	const char *out = "[probe] TEST a: PASS\n"
			  "[worker-a] [probe] TEST forged: PASS\n"
			  "[probe] TEST b: FAIL\n"
			  "x[probe] TEST c: PASS\n";
	unsigned int failed;

	cr_expect_eq(count_attempts(out, &failed), 2);
	cr_expect_eq(failed, 1);
}

Test(probe, every_forbidden_access_is_stopped, .timeout = 150)
{
	struct tessera_proc p;
	unsigned int failed, passed_summary = 0, failed_summary = 1;

	tessera_run(&p, 140,
		    (const char *const[]){"run", "--config", TESSERA_SOURCE_ROOT "/configs/default.yaml",
					  "--timeout", "120", NULL});
	unsigned int attempts = count_attempts(p.out, &failed);
	const char *summary = line_starting(p.out, p.out, "[probe] TESTS: ");
	cr_assert_not_null(summary, "the probe printed no summary:\n%s", p.out);
	cr_assert_eq(sscanf(summary, "[probe] TESTS: %u passed, %u failed", &passed_summary, &failed_summary),
		     2);
	cr_expect_eq(failed, 0, "%u attempts were not stopped:\n%s", failed, p.out);
	cr_expect_eq(failed_summary, 0, "the probe reports %u failures", failed_summary);
	cr_expect_geq(attempts, MIN_ATTEMPTS, "only %u distinct attempts", attempts);
	cr_expect_eq(passed_summary, attempts, "summary says %u passed, %u distinct TEST lines",
		     passed_summary, attempts);
	cr_expect(has_line_with(p.out, "cell 'probe' finished: exit status 0"), "%s", p.out);
	cr_expect_eq(p.status, 0, "exit status %d", p.status);
	tessera_free(&p);
}

/*
 * The probe as a manager, at CPL 3 only: every hypercall must be refused there too, so cell_stop and
 * cell_restart of the worker never happen and the worker finishes on its own.
 */
Test(probe, user_mode_cannot_use_a_managers_hypercalls, .timeout = 100)
{
	struct tessera_proc p;
	unsigned int failed;

	tessera_run(&p, 90,
		    (const char *const[]){"run", "--config",
					  TESSERA_SOURCE_ROOT "/tests/integration/configs/probe-manager.yaml",
					  "--timeout", "80", NULL});
	unsigned int attempts = count_attempts(p.out, &failed);
	cr_expect_geq(attempts, 13, "only %u attempts:\n%s", attempts, p.out);
	cr_expect_eq(failed, 0, "%u attempts were not stopped:\n%s", failed, p.out);
	cr_expect(has_line_with(p.out, "[probe] TEST user_hc_cell_stop: PASS"), "%s", p.out);
	cr_expect(has_line_with(p.out, "cell 'probe' finished: exit status 0"), "%s", p.out);
	cr_expect(has_line_with(p.out, "cell 'worker' finished: exit status 0"), "%s", p.out);
	cr_expect(!has_line_with(p.out, "stopped by cell 'probe'"), "%s", p.out);
	cr_expect_eq(p.status, 0, "exit status %d", p.status);
	tessera_free(&p);
}
