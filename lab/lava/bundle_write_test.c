/* The host's bundle writer against the hypervisor's reader (core/boot_bundle.c, host build). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tessera/abi/boot_bundle.h>
#include <tessera/boot_bundle.h>

#include "bundle_write.h"

static char dir[64], err[256];

static char *make_file(const char *name, size_t size, int seed)
{
	char *path;
	cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	for (size_t i = 0; i < size; i++)
		fputc((int)((i * 7 + (size_t)seed) & 0xff), f);
	fclose(f);
	return path;
}

static void *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f);
	fseek(f, 0, SEEK_END);
	*size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	void *p = aligned_alloc(TESSERA_BUNDLE_ALIGN, (*size + TESSERA_BUNDLE_ALIGN) & ~4095ul);
	cr_assert_eq(fread(p, 1, *size, f), *size);
	fclose(f);
	return p;
}

static void setup(void)
{
	strcpy(dir, "/tmp/tessera-bundle-test.XXXXXX");
	cr_assert(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(bundle_write, .init = setup, .fini = teardown);

Test(bundle_write, the_hypervisor_reads_back_the_same_modules)
{
	const char *paths[] = {make_file("config.blob", 300, 1), make_file("hello.elf", 8192, 2),
			       make_file("empty.bin", 0, 3), make_file("probe.elf", 5000, 4)};
	char out[96];
	size_t size;

	snprintf(out, sizeof(out), "%s/system.bundle", dir);
	cr_assert_eq(bundle_write(out, paths, 4, err, sizeof(err)), 0, "%s", err);
	void *b = slurp(out, &size);
	struct boot_info info = {.nr_modules = 1};
	info.modules[0] = (struct boot_module){(uintptr_t)b, size, out};
	cr_assert_eq(boot_bundle_expand(&info, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(info.nr_modules, 4);
	for (unsigned int i = 0; i < 4; i++) {
		size_t n;
		void *want = slurp(paths[i], &n);
		cr_expect_str_eq(info.modules[i].name, strrchr(paths[i], '/') + 1);
		cr_expect_eq(info.modules[i].size, n);
		cr_expect_eq(info.modules[i].start % TESSERA_BUNDLE_ALIGN, 0, "payloads are page-aligned");
		cr_expect(!memcmp((void *)(uintptr_t)info.modules[i].start, want, n), "entry %u differs", i);
		free(want);
	}
	free(b);
}

Test(bundle_write, machine_modules_become_one_bundle)
{
	struct machine m;
	char out[96];

	machine_init_defaults(&m);
	machine_add_module(&m, make_file("config.blob", 64, 5));
	machine_add_module(&m, make_file("hello.elf", 64, 6));
	snprintf(out, sizeof(out), "%s/system.bundle", dir);
	cr_assert_eq(bundle_machine_modules(&m, out, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(m.nr_modules, 1);
	cr_expect_str_eq(m.modules[0], out);
	cr_expect_eq(access(out, R_OK), 0);
}

Test(bundle_write, input_it_cannot_bundle_is_refused)
{
	char *a = make_file("hello.elf", 10, 1), *sub;
	char out[96];

	snprintf(out, sizeof(out), "%s/x.bundle", dir);
	cr_assert(asprintf(&sub, "%s/sub", dir) > 0);
	cr_assert_eq(mkdir(sub, 0700), 0);
	char *b = make_file("sub/hello.elf", 10, 2);
	const char *same[] = {a, b};
	cr_expect_eq(bundle_write(out, same, 2, err, sizeof(err)), 2);
	cr_expect(strstr(err, "have the same file name"), "%s", err);

	cr_expect_eq(bundle_write(out, same, 0, err, sizeof(err)), 2);
	cr_expect(strstr(err, "a bundle holds 1..16 files, not 0"), "%s", err);

	const char *missing[] = {"/nonexistent/none.elf"};
	cr_expect_eq(bundle_write(out, missing, 1, err, sizeof(err)), 1);
	cr_expect(strstr(err, "/nonexistent/none.elf: cannot read"), "%s", err);

	char *longname = make_file("a-file-name-that-is-much-too-long-for-a-bundle-entry.elf", 1, 0);
	const char *lng[] = {longname};
	cr_expect_eq(bundle_write(out, lng, 1, err, sizeof(err)), 2);
	cr_expect(strstr(err, "must be 1..55 characters"), "%s", err);
}
