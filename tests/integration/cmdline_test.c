/*
 * The hypervisor names every word of its command line it does not accept (core/cmdline_report.c): an
 * unknown option and a malformed value used to be ignored in silence, so "idel=poll" booted as if it
 * were not there. Which bad values stop the boot is the options table's on_bad column
 * (docs/architecture.md, "Hypervisor command line").
 */
#include <criterion/criterion.h>
#include <string.h>

#include "harness.h"

/* A boot with no config (the hypervisor alone, one CPU) and these options. */
static void boot_with(struct tessera_proc *p, const char *append)
{
	tessera_run(p, 180,
		    (const char *const[]){"run", "--no-config", "--smp", "1", "--append", append, NULL});
}

Test(cmdline, unknown_option_and_ignored_value_are_warned, .timeout = 200)
{
	struct tessera_proc p;

	boot_with(&p, "idel=poll loglevel=loud");
	cr_expect_eq(p.status, 0, "an unknown option or an ignored value must not stop the boot: %d\n%s\n%s",
		     p.status, p.out, p.err);
	cr_expect(
		has_line_with(p.out,
			      "WARN: cmdline: unknown option 'idel=poll' ignored (known: config, loglevel,"),
		"%s", p.out);
	cr_expect(has_line_with(p.out, "WARN: loglevel='loud': expected error, warn, info or debug; ignored"),
		  "%s", p.out);
	cr_expect(has_line_with(p.out, "shutdown: nothing left to run"), "%s", p.out);
	/* The multiboot command line starts with the image's path: that is no option to warn about. */
	cr_expect(!has_line_with(p.out, "unknown option '/"), "%s", p.out);
	cr_expect(!has_line_with(p.out, "idle=poll: waiting CPUs spin"), "a misspelt option took effect:\n%s",
		  p.out);
	tessera_free(&p);
}

Test(cmdline, a_bad_value_of_a_stopping_option_stops_after_naming_all, .timeout = 200)
{
	struct tessera_proc p;

	boot_with(&p, "idle=pol nosuch pool=16Q");
	cr_expect_eq(p.status, 1, "status %d\n%s\n%s", p.status, p.out, p.err);
	cr_expect(has_line_with(p.out, "ERROR: idle='pol': expected hlt or poll"), "%s", p.out);
	cr_expect(has_line_with(p.out, "WARN: cmdline: unknown option 'nosuch' ignored"), "%s", p.out);
	cr_expect(has_line_with(p.out, "ERROR: pool='16Q': expected a page pool size"), "%s", p.out);
	cr_expect(!has_line_with(p.out, "CPUs online"), "the boot went on:\n%s", p.out);
	tessera_free(&p);
}

/* Good options only: not one warning about the command line. */
Test(cmdline, good_options_boot_without_a_word, .timeout = 200)
{
	struct tessera_proc p;

	boot_with(&p, "loglevel=info pool=32M idle=hlt trace_events=0x3");
	cr_expect_eq(p.status, 0, "status %d\n%s\n%s", p.status, p.out, p.err);
	cr_expect(has_line_with(p.out, "page pool: 32768 KiB"), "pool=32M not read:\n%s", p.out);
	cr_expect(!has_line_with(p.out, "cmdline:") && !has_line_with(p.out, "': expected "), "%s", p.out);
	tessera_free(&p);
}
