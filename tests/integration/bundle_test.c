/*
 * Boot bundles end to end: the default system booted from one bundle module prints the same test cases
 * as from the module list, and the hypervisor refuses damaged bundles before any cell starts.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define LIMIT_S 40

static char dir[64], bundle[128];

/* The lines of a run's stdout that report test cases ("TEST name: PASS|FAIL"), with their cell prefix. */
static char *test_lines(const char *out)
{
	size_t n = 0;
	char *res = calloc(1, strlen(out) + 1);

	for (const char *l = out; *l;) {
		const char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l) + 1 : strlen(l);
		if (memmem(l, len, "] TEST ", 7)) {
			memcpy(res + n, l, len);
			n += len;
		}
		l += len;
	}
	return res;
}

static void setup(void)
{
	strcpy(dir, "/tmp/tessera-bundle-it.XXXXXX");
	cr_assert(mkdtemp(dir));
	snprintf(bundle, sizeof(bundle), "%s/system.bundle", dir);
	struct tessera_proc p;
	tessera_run(&p, LIMIT_S,
		    (const char *const[]){"config", "bundle", TESSERA_SOURCE_ROOT "/configs/default.yaml",
					  "-o", bundle, NULL});
	cr_assert_eq(p.status, 0, "config bundle failed:\n%s", p.err);
	tessera_free(&p);
}

static void teardown(void)
{
	cr_expect_eq(sh("rm -rf '%s'", dir), 0);
}

TestSuite(bundle, .init = setup, .fini = teardown, .timeout = 90);

Test(bundle, default_system_boots_from_a_bundle_as_from_the_module_list)
{
	struct tessera_proc list, bun, file;

	tessera_run(&list, LIMIT_S, (const char *const[]){"run", NULL});
	tessera_run(&bun, LIMIT_S, (const char *const[]){"run", "--bundle", NULL});
	/* The bundle `config bundle` wrote, given to QEMU by hand as a loader such as LAVA's would. */
	tessera_run(&file, LIMIT_S,
		    (const char *const[]){"run", "--no-config", "--", "-initrd", bundle, NULL});
	cr_assert_eq(list.status, 0, "module list run: %d\n%s", list.status, list.err);
	char *want = test_lines(list.out), *got = test_lines(bun.out), *got2 = test_lines(file.out);
	cr_assert(strlen(want) > 100, "the default system prints test cases:\n%s", list.out);
	cr_expect_eq(bun.status, 0, "--bundle run: %d\n%s", bun.status, bun.err);
	cr_expect_eq(file.status, 0, "-initrd bundle run: %d\n%s", file.status, file.err);
	cr_expect_str_eq(got, want, "--bundle printed other test cases");
	cr_expect_str_eq(got2, want, "the bundle file printed other test cases");
	expect_line(&bun, "[cpu0] bundle: expanded into 3 boot modules");
	expect_line(&bun, "[cpu0] config: 'config.blob' checked: 3 cells");
	free(want);
	free(got);
	free(got2);
	tessera_free(&list);
	tessera_free(&bun);
	tessera_free(&file);
}

/* Boot a copy of the bundle damaged by a shell command on "$B"; the hypervisor must refuse it. */
static void expect_refused(const char *damage, const char *message)
{
	char bad[160], line[256];
	struct tessera_proc p;

	snprintf(bad, sizeof(bad), "%s/bad.bundle", dir);
	cr_assert_eq(sh("B='%s'; cp '%s' \"$B\" && %s", bad, bundle, damage), 0, "%s", damage);
	tessera_run(&p, LIMIT_S, (const char *const[]){"run", "--no-config", "--", "-initrd", bad, NULL});
	snprintf(line, sizeof(line), "[cpu0] ERROR: bundle: module 'bad.bundle': %s", message);
	expect_line(&p, line);
	cr_expect_eq(p.status, 1, "exit status %d, stderr:\n%s", p.status, p.err);
	cr_expect(!has_line_with(p.out, "] cell '"), "a cell started from a bad bundle:\n%s", p.out);
	tessera_free(&p);
}

/* Flip one bit of the byte at OFFSET (negative: from the end) of "$B". */
#define FLIP(offset)                                                                         \
	"/usr/bin/python3 -c \"import os,sys; f=open(os.environ['B'],'r+b'); f.seek(" offset \
	", 0 if " offset " >= 0 else 2); b=f.read(1); f.seek(-1, 1); f.write(bytes([b[0]^1]))\""

Test(bundle, damaged_bundles_are_refused_by_the_hypervisor)
{
	expect_refused("export B; " FLIP("-10"), "entry 'probe.elf': checksum");
	expect_refused("export B; " FLIP("0"), "bad magic");
	expect_refused("export B; " FLIP("40"), "header checksum"); /* a byte of entry 0's name */
	expect_refused("truncate -s -100 \"$B\"", "truncated: the header says");
}
