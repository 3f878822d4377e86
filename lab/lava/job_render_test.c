/* The LAVA job writer: what goes where, and the command lines a job cannot express. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_render.h"

static char err[256];

static char *render(char *const *argv, int *ret)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct lava_job j = {"default", argv, "file:///d/tessera-hv.elf", "file:///d/default.bundle",
			     120,	NULL};

	*ret = lava_job_write(f, &j, err, sizeof(err));
	fclose(f);
	return text;
}

Test(lava_job, tessera_runs_arguments_go_where_lava_takes_them)
{
	char *argv[] = {"qemu-system-x86_64",
			"-accel",
			"tcg",
			"-cpu",
			"EPYC",
			"-smp",
			"4",
			"-m",
			"256M",
			"-display",
			"none",
			"-monitor",
			"none",
			"-no-reboot",
			"-serial",
			"stdio",
			"-device",
			"isa-debug-exit,iobase=0xf4,iosize=4",
			"-kernel",
			"/d/tessera-hv.elf",
			"-append",
			"loglevel=debug x=1",
			"-initrd",
			"/d/default.bundle",
			NULL};
	int ret;
	char *y = render(argv, &ret);

	cr_assert_eq(ret, 0, "%s", err);
	cr_expect(strstr(y, "job_name: 'default'\ndevice_type: qemu\n"), "%s", y);
	cr_expect(strstr(y, "  no_kvm: true\n  memory: '256M'\n"), "%s", y);
	cr_expect(
		strstr(y,
		       "  extra_options:\n  - '-accel tcg'\n  - '-cpu EPYC'\n  - '-smp 4'\n  - '-no-reboot'\n"
		       "  - '-device isa-debug-exit,iobase=0xf4,iosize=4'\nactions:\n"),
		"the rest in order, LAVA's own options left out:\n%s", y);
	cr_expect(strstr(y, "image_arg: '-kernel {kernel} -append \"loglevel=debug x=1\"'\n"
			    "        url: 'file:///d/tessera-hv.elf'\n"),
		  "%s", y);
	cr_expect(strstr(y, "image_arg: '-initrd {initrd}'\n        url: 'file:///d/default.bundle'\n"), "%s",
		  y);
	cr_expect(strstr(y, "start: 'Tessera hypervisor starting'\n      end: '\\] shutdown: '\n"), "%s", y);
	cr_expect(
		strstr(y, "pattern: '\\[(?P<test_case_id>[\\w.-]+\\] TEST [\\w.-]+): (?P<result>PASS|FAIL)'"),
		"%s", y);
	cr_expect(strstr(y, "job: {seconds: 240}\n  action: {seconds: 120}\n"), "%s", y);
	cr_expect(!strstr(y, "stdio") && !strstr(y, "-display"), "%s", y);
	free(y);
}

Test(lava_job, command_lines_a_job_cannot_express_are_refused)
{
	int ret;
	char *list[] = {"q", "-m", "1G", "-kernel", "hv", "-initrd", "a.blob,b.elf", NULL};
	free(render(list, &ret));
	cr_expect_eq(ret, 2);
	cr_expect(strstr(err, "must be one bundle"), "%s", err);

	char *space[] = {"q", "-m", "1G", "-kernel", "hv", "-device", "a b", NULL};
	free(render(space, &ret));
	cr_expect_eq(ret, 2);
	cr_expect(strstr(err, "'a b' holds a space"), "%s", err);

	char *quote[] = {"q", "-m", "1G", "-kernel", "hv", "-append", "x=\"1\"", NULL};
	free(render(quote, &ret));
	cr_expect_eq(ret, 2);

	char *nokernel[] = {"q", "-m", "1G", NULL};
	free(render(nokernel, &ret));
	cr_expect_eq(ret, 2);
	cr_expect(strstr(err, "no -kernel"), "%s", err);
}

Test(lava_job, the_host_channel_becomes_anonymous_shared_memory)
{
	char *s =
		lava_job_channel_arg("memory-backend-file,id=tshm,share=on,mem-path=/tmp/x/channel,size=16M");

	cr_assert(s);
	cr_expect_str_eq(s, "memory-backend-memfd,id=tshm,share=on,size=16M");
	free(s);
	cr_expect_null(lava_job_channel_arg("memory-backend-ram,id=m,size=16M"));
	cr_expect_null(lava_job_channel_arg("-device"));
}

Test(lava_job, metadata_says_what_the_job_stands_for)
{
	char *argv[] = {"qemu-system-x86_64",
			"-m",
			"256M",
			"-object",
			"memory-backend-file,id=tshm,share=on,mem-path=/tmp/c,size=16M",
			"-kernel",
			"/d/hv.elf",
			NULL};
	const char *const meta[] = {"tessera_configuration", "all-on", "tessera_boot_index", "3", NULL};
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct lava_job j = {"p.all-on.exitloop.3", argv, "file:///d/hv.elf", NULL, 0, meta};

	cr_assert_eq(lava_job_write(f, &j, err, sizeof(err)), 0, "%s", err);
	fclose(f);
	cr_expect(strstr(text, "metadata:\n  tessera_configuration: 'all-on'\n  tessera_boot_index: '3'\n"),
		  "%s", text);
	cr_expect(strstr(text, "  - '-object memory-backend-memfd,id=tshm,share=on,size=16M'\n"), "%s", text);
	cr_expect(!strstr(text, "mem-path"), "%s", text);
	free(text);
}
