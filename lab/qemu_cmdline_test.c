#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_cmdline.h"

static int argc_of(char **argv)
{
	int n = 0;
	while (argv[n])
		n++;
	return n;
}

/* The value following `flag`, NULL when the flag is absent; fails when the flag appears twice. */
static const char *value_of(char **argv, const char *flag)
{
	const char *v = NULL;
	for (int i = 0; argv[i]; i++)
		if (!strcmp(argv[i], flag)) {
			cr_assert_null(v, "%s given twice", flag);
			v = argv[i + 1];
		}
	return v;
}

static bool has(char **argv, const char *arg)
{
	for (int i = 0; argv[i]; i++)
		if (!strcmp(argv[i], arg))
			return true;
	return false;
}

Test(qemu_cmdline, defaults)
{
	struct machine m;
	machine_init_defaults(&m);
	m.hv_image = "/x/out/x86_64_hv/tessera-hv.elf";
	char **argv = qemu_cmdline_build(&m);
	cr_assert_not_null(argv);
	cr_assert_str_eq(argv[0], "qemu-system-x86_64");
	cr_assert_str_eq(value_of(argv, "-accel"), "tcg");
	cr_assert_str_eq(value_of(argv, "-cpu"), "EPYC");
	cr_assert_str_eq(value_of(argv, "-smp"), "4");
	cr_assert_str_eq(value_of(argv, "-m"), "256M");
	cr_assert_str_eq(value_of(argv, "-display"), "none");
	cr_assert_str_eq(value_of(argv, "-monitor"), "none");
	cr_assert_str_eq(value_of(argv, "-serial"), "stdio");
	cr_assert_str_eq(value_of(argv, "-device"), "isa-debug-exit,iobase=0xf4,iosize=4");
	cr_assert_str_eq(value_of(argv, "-kernel"), "/x/out/x86_64_hv/tessera-hv.elf");
	cr_assert(has(argv, "-no-reboot"));
	/* No command line and no modules: neither flag appears. */
	cr_assert_null(value_of(argv, "-append"));
	cr_assert_null(value_of(argv, "-initrd"));
	qemu_cmdline_free(argv);
}

Test(qemu_cmdline, modules_append_and_extra_args_last)
{
	struct machine m;
	char *extra[] = {"-S", "-d", "int"};
	machine_init_defaults(&m);
	m.hv_image = "hv.elf";
	m.smp = 2;
	m.cpu = "qemu64,-svm";
	m.cmdline = "loglevel=debug test_fault=pagefault";
	cr_assert_eq(machine_add_module(&m, "out/system.blob"), 0);
	cr_assert_eq(machine_add_module(&m, "out/x86_64_hv/hello.elf"), 0);
	m.extra_args = extra;
	m.nr_extra = 3;
	char **argv = qemu_cmdline_build(&m);
	int n = argc_of(argv);
	cr_assert_str_eq(value_of(argv, "-smp"), "2");
	cr_assert_str_eq(value_of(argv, "-cpu"), "qemu64,-svm");
	cr_assert_str_eq(value_of(argv, "-append"), "loglevel=debug test_fault=pagefault");
	cr_assert_str_eq(value_of(argv, "-initrd"), "out/system.blob,out/x86_64_hv/hello.elf");
	cr_assert_str_eq(argv[n - 3], "-S");
	cr_assert_str_eq(argv[n - 2], "-d");
	cr_assert_str_eq(argv[n - 1], "int");
	qemu_cmdline_free(argv);
}

Test(qemu_cmdline, module_list_limits)
{
	struct machine m;
	machine_init_defaults(&m);
	/* QEMU splits -initrd at commas, with no escape. */
	cr_assert_eq(machine_add_module(&m, "a,b"), -1);
	cr_assert_eq(machine_add_module(&m, ""), -1);
	for (int i = 0; i < MACHINE_MAX_MODULES; i++)
		cr_assert_eq(machine_add_module(&m, "m"), 0);
	cr_assert_eq(machine_add_module(&m, "m"), -1);
	cr_assert_eq(m.nr_modules, MACHINE_MAX_MODULES);
}

Test(qemu_cmdline, no_image_no_argv)
{
	struct machine m;
	machine_init_defaults(&m);
	cr_assert_null(qemu_cmdline_build(&m));
}

Test(qemu_cmdline, format_quotes_for_the_shell)
{
	char *argv[] = {
		"qemu-system-x86_64", "-append", "loglevel=debug pool=16M", "-name", "it's", "", NULL};
	char *s = qemu_cmdline_format(argv);
	cr_assert_str_eq(s, "qemu-system-x86_64 -append 'loglevel=debug pool=16M' -name 'it'\\''s' ''");
	free(s);
}

Test(qemu_cmdline, host_channel_is_an_ivshmem_device_backed_by_the_shared_file)
{
	struct machine m;
	machine_init_defaults(&m);
	m.hv_image = "hv.elf";
	char **argv = qemu_cmdline_build(&m);
	cr_assert(!has(argv, "ivshmem-plain,memdev=tshm"), "no channel unless asked");
	qemu_cmdline_free(argv);

	m.shm_path = "/tmp/run/trace.shm";
	m.shm_mb = 4;
	argv = qemu_cmdline_build(&m);
	cr_assert_not_null(argv);
	cr_assert_str_eq(value_of(argv, "-object"),
			 "memory-backend-file,id=tshm,share=on,mem-path=/tmp/run/trace.shm,size=4M");
	cr_assert(has(argv, "ivshmem-plain,memdev=tshm"));
	qemu_cmdline_free(argv);

	m.shm_path = "/tmp/a,b"; /* QEMU's option syntax cannot carry a comma in a path */
	cr_assert_null(qemu_cmdline_build(&m));
}

/* A console file replaces -serial stdio with a file chardev; a QMP socket adds -qmp, before the extras. */
Test(qemu_cmdline, console_file_and_qmp_socket)
{
	struct machine m;
	char *extra[] = {"-S"};
	machine_init_defaults(&m);
	m.hv_image = "hv.elf";
	m.console_path = "/tmp/w/console";
	m.qmp_path = "/tmp/w/qmp.sock";
	m.extra_args = extra;
	m.nr_extra = 1;
	char **argv = qemu_cmdline_build(&m);
	cr_assert_not_null(argv);
	cr_assert_str_eq(value_of(argv, "-chardev"), "file,id=con,path=/tmp/w/console");
	cr_assert_str_eq(value_of(argv, "-serial"), "chardev:con");
	cr_assert_str_eq(value_of(argv, "-qmp"), "unix:/tmp/w/qmp.sock,server=on,wait=off");
	cr_assert_str_eq(argv[argc_of(argv) - 1], "-S");
	qemu_cmdline_free(argv);

	/* QEMU's option syntax cannot escape a ',' in either path: refused, not misparsed. */
	m.console_path = "/tmp/a,b/console";
	cr_assert_null(qemu_cmdline_build(&m));
	m.console_path = NULL;
	m.qmp_path = "/tmp/a,b/qmp.sock";
	cr_assert_null(qemu_cmdline_build(&m));
}
