/* Finding the config blob and the images among the boot modules by name. */
#include <criterion/criterion.h>
#include <tessera/boot_modules.h>

static struct boot_info info = {
	.modules =
		{
			{0x1000, 16, "/tmp/x/system.blob"},
			{0x2000, 16, "out/x86_64_hv/hello.elf"},
			{0x3000, 16, "probe.elf some args"},
			{0x4000, 16, "out/x86_64_hv/hello.elf.bak"},
		},
	.nr_modules = 4,
};

Test(boot_modules, basename_strips_directories_and_arguments)
{
	size_t len;
	const char *b = boot_module_basename("a/b/c.elf arg", &len);

	cr_assert_eq(len, 5);
	cr_assert(!strncmp(b, "c.elf", len));
	b = boot_module_basename("plain", &len);
	cr_assert_eq(len, 5);
	b = boot_module_basename("dir/", &len);
	cr_assert_eq(len, 0);
}

Test(boot_modules, find_matches_whole_base_names_only)
{
	cr_assert_eq(boot_module_find(&info, "hello.elf"), &info.modules[1]);
	cr_assert_eq(boot_module_find(&info, "probe.elf"), &info.modules[2]);
	cr_assert_eq(boot_module_find(&info, "hello.elf.bak"), &info.modules[3]);
	cr_assert_null(boot_module_find(&info, "hello"));
	cr_assert_null(boot_module_find(&info, "elf"));
	cr_assert_null(boot_module_find(&info, ""));
	cr_assert_null(boot_module_find(&info, "out/x86_64_hv/hello.elf"));
}

Test(boot_modules, config_is_the_first_module_unless_named)
{
	cr_assert_eq(boot_module_config(&info, ""), &info.modules[0]);
	cr_assert_eq(boot_module_config(&info, "loglevel=debug config=probe.elf"), &info.modules[2]);
	cr_assert_null(boot_module_config(&info, "config=missing.blob"));

	struct boot_info none = {.nr_modules = 0};
	cr_assert_null(boot_module_config(&none, ""));
}

Test(boot_modules, payload_must_lie_in_the_hypervisor_memory)
{
	struct boot_info b = info;
	char why[128];

	b.hv_start = 0x100000;
	b.hv_end = 0x180000;
	cr_assert_null(boot_payload_outside(&b, 0, 0x200000, why, sizeof(why)));
	cr_assert_not_null(boot_payload_outside(&b, 0x2000, 0x200000, why, sizeof(why)));
	cr_assert_str_eq(why, "boot module 'system.blob' at 0x1000+0x10");
	cr_assert_not_null(boot_payload_outside(&b, 0, 0x140000, why, sizeof(why)));
	cr_assert_str_eq(why, "the hypervisor image 0x100000-0x17ffff");
	b.modules[3].size = ~0ULL - 0x3000; /* wraps: must not pass */
	cr_assert_not_null(boot_payload_outside(&b, 0, 0x200000, why, sizeof(why)));
}
