#include <criterion/criterion.h>
#include <string.h>

#include "run_options.h"

static struct run_options o;
static char err[256];

#define PARSE(...)                                                                             \
	({                                                                                     \
		char *argv[] = {"run", __VA_ARGS__};                                           \
		err[0] = '\0';                                                                 \
		run_options_parse(sizeof(argv) / sizeof(argv[0]), argv, &o, err, sizeof(err)); \
	})

Test(run_options, defaults)
{
	char *argv[] = {"run"};
	cr_assert_eq(run_options_parse(1, argv, &o, err, sizeof(err)), 0);
	cr_assert_eq(o.machine.smp, 4);
	cr_assert_str_eq(o.machine.mem, "256M");
	cr_assert_str_eq(o.machine.cpu, "EPYC");
	cr_assert_eq(o.machine.timeout_s, 120);
	cr_assert_null(o.machine.cmdline);
	cr_assert_null(o.config);
	cr_assert_eq(o.machine.nr_extra, 0);
	cr_assert(!o.machine.verbose && !o.help);
}

Test(run_options, values_both_spellings)
{
	cr_assert_eq(PARSE("--smp", "2", "--mem=1G", "--cpu", "qemu64,-svm", "--timeout=0", "--append",
			   "loglevel=debug test_fault=pagefault", "-v"),
		     0, "%s", err);
	cr_assert_eq(o.machine.smp, 2);
	cr_assert_str_eq(o.machine.mem, "1G");
	cr_assert_str_eq(o.machine.cpu, "qemu64,-svm");
	cr_assert_eq(o.machine.timeout_s, 0);
	cr_assert_str_eq(o.machine.cmdline, "loglevel=debug test_fault=pagefault");
	cr_assert(o.machine.verbose);
}

Test(run_options, qemu_args_after_double_dash)
{
	cr_assert_eq(PARSE("--smp", "1", "--", "-S", "--smp", "x"), 0, "%s", err);
	cr_assert_eq(o.machine.smp, 1);
	cr_assert_eq(o.machine.nr_extra, 3);
	cr_assert_str_eq(o.machine.extra_args[0], "-S");
	cr_assert_str_eq(o.machine.extra_args[2], "x");
}

Test(run_options, bad_smp)
{
	cr_assert_eq(PARSE("--smp", "x"), -1);
	cr_assert_str_eq(err, "--smp: expected a number 1..16, got 'x'");
	cr_assert_eq(PARSE("--smp=0"), -1);
	cr_assert_eq(PARSE("--smp", "17"), -1);
	cr_assert_eq(PARSE("--smp", "-1"), -1);
	cr_assert_eq(PARSE("--smp", "2x"), -1);
	cr_assert_eq(PARSE("--smp", "16"), 0);
}

Test(run_options, bad_mem)
{
	cr_assert_eq(PARSE("--mem", "lots"), -1);
	cr_assert(strstr(err, "--mem:") && strstr(err, "'lots'"), "%s", err);
	cr_assert_eq(PARSE("--mem", "8M"), -1);
	cr_assert_eq(PARSE("--mem", "256Q"), -1);
	cr_assert_eq(PARSE("--mem", "256MM"), -1);
	cr_assert_eq(PARSE("--mem", "1025G"), -1);
	cr_assert_eq(PARSE("--mem", "1T"), 0);
	/* Regression: 2^44+1 TiB, shifted into MiB, wrapped round to exactly 1T and passed. */
	cr_assert_eq(PARSE("--mem", "17592186044417T"), -1);
	cr_assert_eq(PARSE("--mem", "512"), 0);
	cr_assert_eq(PARSE("--mem", "2g"), 0);
}

Test(run_options, bad_timeout_and_cpu)
{
	cr_assert_eq(PARSE("--timeout", "soon"), -1);
	cr_assert(strstr(err, "--timeout:"), "%s", err);
	cr_assert_eq(PARSE("--timeout", "1.5"), -1);
	cr_assert_eq(PARSE("--cpu", ""), -1);
	cr_assert_eq(PARSE("--cpu", "EPYC extra"), -1);
}

Test(run_options, missing_value_unknown_and_stray)
{
	cr_assert_eq(PARSE("--smp"), -1);
	cr_assert_str_eq(err, "--smp: missing value");
	cr_assert_eq(PARSE("--frobnicate"), -1);
	cr_assert(strstr(err, "unknown option '--frobnicate'"), "%s", err);
	/* A prefix of a known option is not that option. */
	cr_assert_eq(PARSE("--smpx=2"), -1);
	cr_assert_eq(PARSE("stray"), -1);
	cr_assert(strstr(err, "unexpected argument 'stray'"), "%s", err);
}

Test(run_options, help_and_config)
{
	cr_assert_eq(PARSE("--config", "configs/two-cells.yaml", "--help"), 0);
	cr_assert(o.help);
	cr_assert_str_eq(o.config, "configs/two-cells.yaml");
	cr_assert_eq(PARSE("--config="), -1);
}

Test(run_options, bundle_needs_a_config)
{
	cr_assert_eq(PARSE("--bundle"), 0);
	cr_assert(o.bundle);
	cr_assert_eq(PARSE("--config", "configs/two-cells.yaml"), 0);
	cr_assert(!o.bundle);
	cr_assert_eq(PARSE("--bundle", "--no-config"), -1);
	cr_assert_str_eq(err, "--bundle needs a config: --no-config boots no modules to bundle");
}

Test(run_options, record_file)
{
	cr_assert_eq(PARSE("--record", "boot.json"), 0, "%s", err);
	cr_assert_str_eq(o.record, "boot.json");
	cr_assert_eq(PARSE("--record=r.json", "--no-config"), 0, "%s", err);
	cr_assert_str_eq(o.record, "r.json");
	cr_assert_eq(PARSE("--smp", "1"), 0);
	cr_assert_null(o.record);
	cr_assert_eq(PARSE("--record="), -1);
	cr_assert_str_eq(err, "--record: expected a file name");
	cr_assert_eq(PARSE("--record"), -1);
	cr_assert_str_eq(err, "--record: missing value");
}

/* --batch: the hypervisor finds the module by its base name, so the file must be named batch.blob. */
Test(run_options, batch_is_a_file_named_batch_blob_with_a_config)
{
	cr_assert_eq(PARSE("--config", "c.yaml", "--batch", "/tmp/x/batch.blob"), 0, "%s", err);
	cr_assert_str_eq(o.batch, "/tmp/x/batch.blob");
	cr_assert_eq(PARSE("--batch=batch.blob"), 0, "%s", err);
	cr_assert_eq(PARSE("--batch", "/tmp/x/experiments.blob"), -1);
	cr_assert(strstr(err, "--batch: expected a file named batch.blob"), "%s", err);
	cr_assert_eq(PARSE("--batch", "a,batch.blob"), -1);
	cr_assert_eq(PARSE("--no-config", "--batch", "batch.blob"), -1);
	cr_assert_str_eq(err, "--batch needs a config: --no-config boots no cells to run it in");
}
