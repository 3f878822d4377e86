/* The LAVA job writer: what goes where, and the command lines a job cannot express. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	char pattern[512], line[600];
	lava_monitor_pattern(pattern, sizeof(pattern));
	snprintf(line, sizeof(line), "pattern: '%s'\n", pattern);
	cr_expect(strstr(y, line), "%s", y);
	cr_expect(strstr(y,
			 "fixupdict: {PASS: pass, FAIL: fail, tsc_ticks: pass, instructions: pass, ns: pass, "
			 "bytes: pass, count: pass}\n"),
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

/*
 * The pattern through Python's re, which LAVA's monitor (pexpect) uses: for each console line ('|'
 * between lines, '~' for "\r\n") the groups LAVA reads, test_case_id;result;units;measurement, or
 * "no match".
 */
static char *python_groups(const char *lines)
{
	char path[] = "/tmp/tessera-pattern-XXXXXX", pattern[512], buf[512];
	int fd = mkstemp(path);
	cr_assert(fd >= 0, "mkstemp: %s", strerror(errno));
	size_t n = lava_monitor_pattern(pattern, sizeof(pattern));
	cr_assert(write(fd, pattern, n) == (ssize_t)n);
	close(fd);

	char *cmd = NULL, *out = NULL;
	size_t cmd_size = 0, out_size = 0;
	FILE *c = open_memstream(&cmd, &cmd_size);
	fprintf(c,
		"python3 - %s '%s' <<'EOF'\n"
		"import re, sys\n"
		"r = re.compile(open(sys.argv[1]).read())\n"
		"for l in sys.argv[2].split('|'):\n"
		"    m = r.search(l.replace('~', '\\r\\n'))\n"
		"    print(';'.join(str(m.group(g)) for g in ('test_case_id', 'result', 'units', "
		"'measurement'))\n"
		"          if m else 'no match')\n"
		"EOF\n",
		path, lines);
	fclose(c);
	FILE *p = popen(cmd, "r"), *o = open_memstream(&out, &out_size);
	cr_assert(p, "popen: %s", strerror(errno));
	while (fgets(buf, sizeof(buf), p))
		fputs(buf, o);
	cr_expect_eq(pclose(p), 0, "python3 failed on %s", cmd);
	fclose(o);
	free(cmd);
	unlink(path);
	return out;
}

Test(lava_job, the_pattern_gives_cases_and_samples_as_lava_reads_them)
{
	char *got =
		python_groups("[probe] TEST cpuid_svm_hidden: PASS~|[ping] TEST x.y-z: FAIL~|"
			      "[membw] BENCH membw copy tsc_ticks 0 19120740~|"
			      "[irq] BENCH irq_latency ipi count 12 7~|"
			      "[membw] BENCH membw copy tsc_ticks 0 1912|"
			      "[membw] BENCH membw param array_bytes 2097152~|"
			      "[membw] BENCH membw done samples=40~|"
			      "[probe] TEST foo PASS~|[m] BENCH a b furlongs 1 7~|[cpu0] shutdown: 2 cells~");
	cr_expect_str_eq(got, "probe] TEST cpuid_svm_hidden;PASS;;None\n"
			      "ping] TEST x.y-z;FAIL;;None\n"
			      "membw] BENCH membw copy;tsc_ticks;tsc_ticks;19120740\n"
			      "irq] BENCH irq_latency ipi;count;count;7\n"
			      /* the value's last digits may still be on their way */
			      "no match\n"
			      /* params, the done line, a case without its colon, a unit not in the table */
			      "no match\nno match\nno match\nno match\nno match\n");
	free(got);
}
