/*
 * `tessera run` end to end: each test boots QEMU through out/tessera and checks the console, the exit
 * status and that no QEMU is left behind.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define LIMIT_S 25 /* per tessera process; criterion's own limit is above it */

static void check_cpus_online(const char *smp)
{
	struct tessera_proc p;
	char expect[32];

	tessera_run(&p, LIMIT_S,
		    (const char *const[]){"run", "--no-config", "--smp", smp, "--timeout", "20", NULL});
	/* Leading space: "1 CPU online" must not match "11 CPU online"; one CPU is singular. */
	snprintf(expect, sizeof(expect), " %s CPU%s online", smp, strcmp(smp, "1") ? "s" : "");
	cr_expect(has_line_with(p.out, expect), "no line '%s' in:\n%s\nstderr:\n%s", expect + 1, p.out,
		  p.err);
	cr_expect_eq(p.status, 0, "exit status %d, stderr:\n%s", p.status, p.err);
	cr_expect(!process_exists(p.qemu_pid), "QEMU %d still exists", p.qemu_pid);
	tessera_free(&p);
}

Test(run, smp1_boots, .timeout = 30)
{
	check_cpus_online("1");
}

Test(run, smp2_boots, .timeout = 30)
{
	check_cpus_online("2");
}

Test(run, smp4_boots, .timeout = 30)
{
	check_cpus_online("4");
}

Test(run, page_fault_is_reported_with_backtrace, .timeout = 30)
{
	struct tessera_proc p;

	tessera_run(&p, LIMIT_S,
		    (const char *const[]){"run", "--no-config", "--smp", "1", "--append",
					  "test_fault=pagefault", NULL});
	cr_expect(has_line_with(p.out, "FATAL: #PF page fault at RIP 0x"), "no 'FATAL: #PF' in:\n%s", p.out);
	/* the register dump: page 0 was read, so CR2 is 0 */
	static const char *const dump[] = {"] RAX ",   "] RSI ", "] R9  ",
					   "] R13 ",   "] RIP ", " RSP ",
					   " RFLAGS ", "] CR0 ", " CR2 0000000000000000 ",
					   " CR3 ",    " CR4 "};
	for (unsigned int i = 0; i < sizeof(dump) / sizeof(dump[0]); i++)
		cr_expect(has_line_with(p.out, dump[i]), "no '%s' in the dump:\n%s", dump[i], p.out);
	cr_expect(has_line_with(p.out, "backtrace:"), "no 'backtrace:' in:\n%s", p.out);
	cr_expect_eq(p.status, 1, "exit status %d", p.status);
	cr_expect(has_line_with(p.err, "tessera run: hypervisor fault (status 0x12)"), "stderr:\n%s", p.err);
	tessera_free(&p);
}

/* A fault taken while the same CPU holds the console lock: the dump must still appear (fault.c). */
Test(run, fault_under_console_lock_is_reported, .timeout = 30)
{
	struct tessera_proc p;

	tessera_run(&p, LIMIT_S,
		    (const char *const[]){"run", "--no-config", "--smp", "1", "--timeout", "20", "--append",
					  "test_fault=console_locked", NULL});
	cr_expect(has_line_with(p.out, "FATAL: #PF"), "no dump (deadlock on the console lock?):\n%s", p.out);
	cr_expect(has_line_with(p.out, "] RIP "), "no register dump:\n%s", p.out);
	cr_expect_eq(p.status, 1, "exit status %d, stderr:\n%s", p.status, p.err);
	tessera_free(&p);
}

/*
 * The IST stacks (NMI, #DF, #MC) have a guard page below them, like the main stacks: touching the page
 * under an AP's NMI stack faults instead of reading the AP's per-CPU data.
 */
Test(run, ist_stacks_have_guard_pages, .timeout = 30)
{
	struct tessera_proc p;

	tessera_run(&p, LIMIT_S,
		    (const char *const[]){"run", "--no-config", "--smp", "2", "--timeout", "20", "--append",
					  "test_fault=ist_guard", NULL});
	cr_expect(has_line_with(p.out, "FATAL: #PF"), "no page fault below the IST stack:\n%s", p.out);
	cr_expect(!has_line_with(p.out, "did not fault"), "the guard page is mapped:\n%s", p.out);
	cr_expect_eq(p.status, 1, "exit status %d, stderr:\n%s", p.status, p.err);
	tessera_free(&p);
}

/*
 * A CPU the firmware lists that never comes up stops the machine with a panic, instead of a run that goes
 * on with fewer CPUs and exits 0. test_smp_skip=2 never sends cpu2 its INIT-SIPI-SIPI.
 */
Test(run, missing_cpu_is_a_panic, .timeout = 40)
{
	struct tessera_proc p;

	tessera_run(&p, 35,
		    (const char *const[]){"run", "--no-config", "--smp", "4", "--timeout", "30", "--append",
					  "test_smp_skip=2", NULL});
	cr_expect(has_line_with(p.out, "PANIC: smp: cpu2 (APIC ID 2), listed in the MADT, did not come up"),
		  "%s", p.out);
	cr_expect(!has_line_with(p.out, "CPUs online"), "the run went on:\n%s", p.out);
	cr_expect_eq(p.status, 1, "exit status %d, stderr:\n%s", p.status, p.err);
	cr_expect(has_line_with(p.err, "tessera run: hypervisor panic (status 0x11)"), "stderr:\n%s", p.err);
	tessera_free(&p);
}

Test(run, cpu_without_svm_is_refused, .timeout = 30)
{
	struct tessera_proc p;

	tessera_run(&p, LIMIT_S,
		    (const char *const[]){"run", "--no-config", "--smp", "1", "--cpu", "qemu64,-svm", NULL});
	cr_expect(has_line_with(p.out, "this CPU cannot run Tessera"), "console:\n%s", p.out);
	cr_expect_eq(p.status, 1, "exit status %d", p.status);
	cr_expect(has_line_with(p.err, "tessera run: unsupported CPU (status 0x13)"), "stderr:\n%s", p.err);
	tessera_free(&p);
}

Test(run, timeout_stops_qemu, .timeout = 30)
{
	struct tessera_proc p;

	/* -S keeps the CPUs stopped: the machine never ends by itself. */
	tessera_start(&p, (const char *const[]){"run", "--no-config", "--smp", "1", "--timeout", "2", "--",
						"-S", NULL});
	pid_t qemu = tessera_wait_for_qemu(&p, 10);
	tessera_wait(&p, LIMIT_S);
	cr_assert_neq(qemu, 0, "never saw a QEMU process; stderr:\n%s", p.err);
	cr_expect_eq(p.status, 124, "exit status %d, stderr:\n%s", p.status, p.err);
	cr_expect(has_line_with(p.err, "timed out"), "stderr:\n%s", p.err);
	/* tessera reaped it, so not even a zombie may remain, nor anything in its process group. */
	cr_expect(!process_exists(qemu), "QEMU %d still exists", qemu);
	cr_expect(kill(-qemu, 0) != 0, "process group %d still has members", qemu);
	tessera_free(&p);
}

Test(run, sigint_stops_qemu, .timeout = 30)
{
	struct tessera_proc p;

	tessera_start(&p, (const char *const[]){"run", "--no-config", "--smp", "1", "--timeout", "0", "--",
						"-S", NULL});
	pid_t qemu = tessera_wait_for_qemu(&p, 10);
	cr_assert_neq(qemu, 0, "never saw a QEMU process");
	usleep(200 * 1000);
	cr_assert(process_exists(qemu), "QEMU ended by itself");
	kill(p.pid, SIGINT);
	tessera_wait(&p, 10);
	cr_expect_eq(p.status, 130, "exit status %d, stderr:\n%s", p.status, p.err);
	cr_expect(!process_exists(qemu), "QEMU %d still exists", qemu);
	cr_expect(kill(-qemu, 0) != 0, "process group %d still has members", qemu);
	tessera_free(&p);
}

static void check_bad_option(const char *const *args, const char *message)
{
	struct tessera_proc p;

	tessera_run(&p, 10, args);
	cr_expect_eq(p.status, 2, "%s %s: exit status %d", args[1], args[2], p.status);
	cr_expect(has_line_with(p.err, message), "expected '%s' in stderr:\n%s", message, p.err);
	cr_expect_eq(p.qemu_pid, 0, "QEMU was started for bad options");
	tessera_free(&p);
}

Test(run, bad_options_are_usage_errors, .timeout = 30)
{
	check_bad_option((const char *const[]){"run", "--no-config", "--smp", "x", NULL},
			 "tessera run: --smp: expected a number 1..16, got 'x'");
	check_bad_option((const char *const[]){"run", "--no-config", "--smp", "99", NULL},
			 "--smp: expected a number 1..16");
	check_bad_option((const char *const[]){"run", "--mem", "lots", NULL}, "--mem:");
	check_bad_option((const char *const[]){"run", "--timeout", "-3", NULL}, "--timeout:");
	check_bad_option((const char *const[]){"run", "--bogus", NULL}, "unknown option '--bogus'");
	check_bad_option((const char *const[]){"run", "--no-config", "--smp", NULL}, "--smp: missing value");
	check_bad_option((const char *const[]){"frobnicate", NULL}, "'frobnicate' is not a tessera command");
	/* the default config needs 4 CPUs and 256M: fewer is refused before QEMU starts (more is fine) */
	check_bad_option((const char *const[]){"run", "--smp", "2", NULL},
			 "/configs/default.yaml: the config needs at least 4 CPUs, but --smp 2 was given");
	check_bad_option((const char *const[]){"run", "--mem", "128M", NULL},
			 "default.yaml: the config needs at least 256M of RAM, but --mem 128M was given");
	check_bad_option((const char *const[]){"run", "--mem", "17592186044417T", NULL}, "--mem:");
	/* a larger --mem changes what is RAM: the config is checked against the machine QEMU will be */
	check_bad_option(
		(const char *const[]){"run", "--config",
				      TESSERA_SOURCE_ROOT "/tests/integration/configs/pci-hole-with-mem.yaml",
				      "--mem", "4G", NULL},
		"pci-hole-with-mem.yaml: with --mem 4G, cell 'a': memory region overlaps the PCI hole");
	/* The default config is named by its real path, as docs/tessera-run.md shows it, not out/../configs. */
	struct tessera_proc p;
	tessera_run(&p, 10, (const char *const[]){"run", "--smp", "2", NULL});
	cr_expect(has_line_with(p.err, "tessera: /") && !has_line_with(p.err, "/../"),
		  "the default config's path is not its real path: %s", p.err);
	tessera_free(&p);
}

Test(cli, help_lists_commands, .timeout = 30)
{
	struct tessera_proc p;

	tessera_run(&p, 10, (const char *const[]){"--help", NULL});
	cr_expect_eq(p.status, 0);
	cr_expect(has_line_with(p.out, "  run "), "%s", p.out);
	cr_expect(has_line_with(p.out, "  config "), "%s", p.out);
	cr_expect(has_line_with(p.out, "  test "), "%s", p.out);
	tessera_free(&p);
	tessera_run(&p, 10, (const char *const[]){"help", "run", NULL});
	cr_expect_eq(p.status, 0);
	cr_expect(has_line_with(p.out, "usage: tessera run"), "%s", p.out);
	tessera_free(&p);
}

/* More CPUs and RAM than the default config needs: the extra CPU parks, the extra RAM stays unused. */
Test(run, more_cpus_and_ram_than_the_config_boot, .timeout = 90)
{
	struct tessera_proc p;

	tessera_run(&p, 80,
		    (const char *const[]){"run", "--smp", "5", "--mem", "512M", "--timeout", "60", NULL});
	cr_expect(has_line_with(p.out, " 5 CPUs online"), "%s", p.out);
	cr_expect(has_line_with(p.out, "shutdown: 3 cells finished, 0 failed"), "%s", p.out);
	cr_expect_eq(p.status, 0, "exit status %d\n%s", p.status, p.err);
	tessera_free(&p);
}

Test(run, qemu_failure_is_a_failed_run, .timeout = 30)
{
	struct tessera_proc p;

	/* QEMU refuses the option and exits 1 before the machine starts. */
	tessera_run(&p, LIMIT_S, (const char *const[]){"run", "--", "-no-such-qemu-option", NULL});
	cr_expect_eq(p.status, 1, "exit status %d", p.status);
	cr_expect(has_line_with(p.err, "-no-such-qemu-option"), "QEMU's own error is not shown:\n%s", p.err);
	cr_expect(has_line_with(p.err, "tessera run: QEMU failed"), "stderr:\n%s", p.err);
	tessera_free(&p);
}

/*
 * Regression: the BSP's LINT0 was masked before the legacy PIC, so a PIT tick pending at that moment
 * stayed in QEMU as an interrupt request with no vector, taken at CPU 0's first STI as "vector -1": a #GP
 * (about one boot in 40 with the trace channel, whose PCI scan makes boot slower). test_pic_pending makes
 * that moment certain: it waits for IRQ0 to be pending at the PIC before the masks are set.
 */
Test(run, pending_pic_tick_at_boot_is_harmless, .timeout = 90)
{
	struct tessera_proc p;

	tessera_run(&p, 80,
		    (const char *const[]){"run", "--append", "test_pic_pending", "--timeout", "60", NULL});
	cr_expect(!has_line_with(p.out, "FATAL"), "the hypervisor faulted:\n%s", p.out);
	cr_expect(!has_line_with(p.out, "never showed IRQ0 pending"), "the test did not set up its case:\n%s",
		  p.out);
	cr_expect(has_line_with(p.out, "shutdown: 3 cells finished, 0 failed"), "%s", p.out);
	cr_expect_eq(p.status, 0, "exit status %d\n%s", p.status, p.err);
	tessera_free(&p);
}

/* --record FILE: the run record as JSON, for a boot that ran and for one refused before QEMU started. */
Test(run, record_file_says_how_to_repeat_the_boot, .timeout = 60)
{
	char dir[] = "/tmp/tessera-run-record-XXXXXX", path[64];
	struct tessera_proc p;
	json_error_t err;

	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/boot.json", dir);
	tessera_run(&p, LIMIT_S,
		    (const char *const[]){"run", "--smp", "4", "--append", "loglevel=debug", "--record", path,
					  "--", "-name", "recorded", NULL});
	cr_expect_eq(p.status, 0, "exit status %d\n%s", p.status, p.err);
	tessera_free(&p);
	json_t *o = json_load_file(path, 0, &err);
	cr_assert(o, "%s: %s", path, err.text);
	cr_expect_eq(json_integer_value(json_object_get(o, "exit_status")), 0);
	cr_expect(strstr(json_string_value(json_object_get(o, "config")), "/configs/default.yaml"));
	cr_expect_eq(strlen(json_string_value(json_object_get(o, "config_sha256"))), 64);
	cr_expect_eq(strlen(json_string_value(json_object_get(o, "image_sha256"))), 64);
	/* the hypervisor, the blob and the cells' images */
	cr_expect_geq(json_array_size(json_object_get(o, "images")), 3);
	const char *qemu = json_string_value(json_object_get(o, "qemu_cmdline"));
	cr_expect(qemu && strstr(qemu, " -append loglevel=debug ") && strstr(qemu, " -name recorded"), "%s",
		  qemu);
	cr_expect_str_eq(json_string_value(json_object_get(o, "hv_cmdline")), "loglevel=debug");
	cr_expect(!strncmp(json_string_value(json_object_get(o, "qemu_version")), "QEMU emulator version ",
			   22));
	cr_expect_str_eq(json_string_value(json_object_get(o, "mode")), "wallclock");
	json_decref(o);
	unlink(path);

	/* refused before QEMU starts: still a record, with the status and no QEMU command line */
	tessera_run(&p, LIMIT_S, (const char *const[]){"run", "--smp", "2", "--record", path, NULL});
	cr_expect_eq(p.status, 2, "exit status %d\n%s", p.status, p.err);
	cr_expect_eq(p.qemu_pid, 0);
	tessera_free(&p);
	o = json_load_file(path, 0, &err);
	cr_assert(o, "%s: %s", path, err.text);
	cr_expect_eq(json_integer_value(json_object_get(o, "exit_status")), 2);
	cr_expect(json_is_null(json_object_get(o, "qemu_cmdline")));
	json_decref(o);
	unlink(path);
	rmdir(dir);
}

/*
 * Without --record the last boot's record is still kept, in out/last-run-record.json; -v names it on the
 * last line. Other tests' boots may replace the file at any moment (parallel jobs): its content is
 * checked for this boot's marker only when nothing wrote it after this run ended.
 */
Test(run, every_boot_leaves_its_record_without_record_option, .timeout = 60)
{
	struct tessera_proc p;
	struct timespec end;
	struct stat sb;
	json_error_t err;
	char marker[64];

	snprintf(marker, sizeof(marker), "default-record-%d", (int)getpid());
	tessera_run(
		&p, LIMIT_S,
		(const char *const[]){"run", "-v", "--no-config", "--smp", "1", "--", "-name", marker, NULL});
	clock_gettime(CLOCK_REALTIME, &end);
	cr_expect_eq(p.status, 0, "exit status %d\n%s", p.status, p.err);
	const char *line = strstr(p.err, "tessera run: run record: ");
	cr_assert_not_null(line, "no run record line in:\n%s", p.err);
	line += strlen("tessera run: run record: ");
	size_t len = strcspn(line, "\n");
	cr_expect(!line[len] || !line[len + 1], "not the last line:\n%s", p.err);
	char path[4096];
	snprintf(path, sizeof(path), "%.*s", (int)len, line);
	tessera_free(&p);
	const char *tail = "/last-run-record.json";
	cr_expect(len > strlen(tail) && !strcmp(path + len - strlen(tail), tail), "path %s", path);
	json_t *o = json_load_file(path, 0, &err);
	cr_assert(o, "%s: %s", path, err.text);
	const char *qemu = json_string_value(json_object_get(o, "qemu_cmdline"));
	cr_expect_not_null(qemu, "a record without a QEMU command line");
	cr_assert_eq(stat(path, &sb), 0);
	bool rewritten = sb.st_mtim.tv_sec > end.tv_sec ||
			 (sb.st_mtim.tv_sec == end.tv_sec && sb.st_mtim.tv_nsec > end.tv_nsec);
	if (!rewritten)
		cr_expect(qemu && strstr(qemu, marker), "not this boot's record: %s", qemu);
	json_decref(o);
}
