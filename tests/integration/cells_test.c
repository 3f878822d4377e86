/*
 * Cells end to end: `tessera run --config` boots real configs, and the console, the counters and the exit
 * status show that each cell got what its config grants and nothing else, that bad cells are stopped
 * and reported while the others finish, and that the hypervisor refuses bad blobs on its own.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define LIMIT_S 100

static const char *src(const char *rel)
{
	static char path[8][512];
	static unsigned int next;
	char *p = path[next++ % 8];

	snprintf(p, sizeof(path[0]), "%s/%s", TESSERA_SOURCE_ROOT, rel);
	return p;
}

static void run_config(struct tessera_proc *p, const char *yaml)
{
	tessera_run(p, LIMIT_S, (const char *const[]){"run", "--config", src(yaml), "--timeout", "90", NULL});
}

Test(cells, default_config_runs_three_cells_with_counters, .timeout = 120)
{
	struct tessera_proc p;

	run_config(&p, "configs/default.yaml");
	expect_line(&p, "config: 3 cells");
	for (const char *const *name = (const char *const[]){"worker-a", "worker-b", "probe", NULL}; *name;
	     name++) {
		char line[96];
		snprintf(line, sizeof(line), "cell '%s' started", *name);
		expect_line(&p, line);
		snprintf(line, sizeof(line), "stats: cell '%s' (", *name);
		expect_line(&p, line);
	}
	expect_line(&p, "[worker-a] Hello from cell \"worker-a\"");
	expect_line(&p, "[worker-b] hello: goodbye");
	expect_line(&p, "cell 'worker-a' finished: exit status 0");
	expect_line(&p, "cell 'worker-b' finished: exit status 0");
	expect_line(&p, "stats:   hypercall");
	expect_line(&p, "[cpu0] shutdown: ");
	cr_expect_eq(p.status, 0, "exit status %d, stderr:\n%s", p.status, p.err);
	cr_expect(!process_exists(p.qemu_pid), "QEMU %d still exists", p.qemu_pid);
	tessera_free(&p);
}

Test(cells, crashed_and_violating_cells_stop_while_another_finishes, .timeout = 120)
{
	struct tessera_proc p;

	run_config(&p, "tests/integration/configs/crash-portloop.yaml");
	expect_line(&p, "ERROR: cell 'crasher' failed: cpu 1 crashed: triple fault");
	expect_line(&p, "[cpu2] VIOLATION cell 'looper' cpu 2 rip 0x");
	expect_line(&p, "port 0x80 write (1 bytes) denied");
	expect_line(&p, "ERROR: cell 'looper' failed: violation on cpu 2: port 0x80 write");
	expect_line(&p, "cell 'worker' finished: exit status 0");
	expect_line(&p,
		    "stats: cell 'looper' (failed: violation on cpu 2: port 0x80 write (1 bytes) denied)");
	expect_line(&p, "[cpu0] shutdown: 1 cells finished, 2 failed");
	/* The looper is stopped at its first denied write: exactly one port exit and one violation. */
	expect_line(&p,
		    "stats: cell 'looper' (failed: violation on cpu 2: port 0x80 write (1 bytes) denied): "
		    "2 exits, 1 violations");
	cr_expect_eq(p.status, 0, "a failed cell is not a hypervisor failure: status %d", p.status);
	tessera_free(&p);
}

Test(cells, manager_restarts_stops_and_starts_a_cell_with_cleared_memory, .timeout = 120)
{
	struct tessera_proc p;

	run_config(&p, "tests/integration/configs/manager.yaml");
	expect_line(&p, "[boss] TESTS: 13 passed, 0 failed");
	expect_line(&p, "cell 'target' stopped: stopped by cell 'boss'");
	expect_line(&p, "[target] target: marker word 0 at start");
	/* Every run of the target must find its marker word cleared, never the last run's value. */
	cr_expect(!strstr(p.out, "marker word 0x"), "the target saw a previous run's memory:\n%s", p.out);
	expect_line(&p, "[cpu0] shutdown: 2 cells finished, 0 failed");
	cr_expect_eq(p.status, 0, "exit status %d", p.status);
	tessera_free(&p);
}

Test(cells, inject_policy_turns_a_denied_port_into_gp, .timeout = 120)
{
	struct tessera_proc p;

	run_config(&p, "tests/integration/configs/portloop-inject.yaml");
	expect_line(&p, "[cpu1] VIOLATION cell 'looper' cpu 1 rip 0x");
	expect_line(&p, "[looper] unexpected #GP (vector 13) error 0");
	expect_line(&p, "ERROR: cell 'looper' failed: exit status 269");
	expect_line(&p, "cell 'worker' finished: exit status 0");
	expect_line(&p, "[cpu0] shutdown: 1 cells finished, 1 failed");
	cr_expect_eq(p.status, 0, "exit status %d", p.status);
	tessera_free(&p);
}

/* Compile a YAML with `tessera config compile [--no-check]` into dir/name. */
static const char *compile(const char *dir, const char *yaml, bool check, char *out, size_t size)
{
	struct tessera_proc p;

	snprintf(out, size, "%s/config.blob", dir);
	if (check)
		tessera_run(&p, 30, (const char *const[]){"config", "compile", src(yaml), "-o", out, NULL});
	else
		tessera_run(
			&p, 30,
			(const char *const[]){"config", "compile", "--no-check", src(yaml), "-o", out, NULL});
	cr_assert_eq(p.status, 0, "compile %s: status %d\n%s", yaml, p.status, p.err);
	tessera_free(&p);
	return out;
}

static void boot_blob(struct tessera_proc *p, const char *blob)
{
	char initrd[1024];

	snprintf(initrd, sizeof(initrd), "%s,%s", blob, src("tests/configs/images/hello.elf"));
	tessera_run(p, LIMIT_S,
		    (const char *const[]){"run", "--no-config", "--smp", "4", "--timeout", "30", "--",
					  "-initrd", initrd, NULL});
}

static void expect_refused(struct tessera_proc *p, const char *message)
{
	expect_line(p, message);
	cr_expect(!strstr(p->out, "started ("), "a cell was started from a bad blob:\n%s", p->out);
	cr_expect_eq(p->status, 1, "exit status %d", p->status);
	cr_expect(has_line_with(p->err, "bad config (status 0x14)"), "stderr:\n%s", p->err);
}

Test(cells, blob_forced_past_the_host_checker_is_refused, .timeout = 60)
{
	char dir[] = "/tmp/tessera-cells.XXXXXX", blob[256];
	struct tessera_proc p;

	cr_assert_not_null(mkdtemp(dir));
	compile(dir, "tests/configs/bad/14-memory-overlaps-cell.yaml", false, blob, sizeof(blob));
	boot_blob(&p, blob);
	expect_refused(&p, "[cpu0] ERROR: config: cell 'b': memory region overlaps cell 'a'");
	tessera_free(&p);
	unlink(blob);
	rmdir(dir);
}

Test(cells, blob_with_a_wrong_checksum_is_refused, .timeout = 60)
{
	char dir[] = "/tmp/tessera-cells.XXXXXX", blob[256];
	struct tessera_proc p;

	cr_assert_not_null(mkdtemp(dir));
	compile(dir, "tests/integration/configs/crash-portloop.yaml", true, blob, sizeof(blob));
	/* Flip one bit of the last byte (inside the arrays): only the checksum can notice. */
	FILE *f = fopen(blob, "r+b");
	cr_assert_not_null(f);
	cr_assert_eq(fseek(f, -1, SEEK_END), 0);
	int c = fgetc(f);
	cr_assert_eq(fseek(f, -1, SEEK_END), 0);
	fputc(c ^ 1, f);
	fclose(f);
	boot_blob(&p, blob);
	expect_refused(&p, "[cpu0] ERROR: config: ");
	expect_line(&p, "checksum");
	tessera_free(&p);
	unlink(blob);
	rmdir(dir);
}

static unsigned int count_lines_with(const char *text, const char *needle)
{
	unsigned int n = 0;

	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* 3000 denied writes under inject: all counted and trapped, the console rate-limited (a burst in full,
 * then at most one line a second, with the count it left out), the totals in the shutdown summary. */
Test(cells, a_cell_hammering_a_denied_port_is_counted_in_full_but_rate_limited_on_the_console, .timeout = 120)
{
	struct tessera_proc p;

	run_config(&p, "tests/integration/configs/hammer-inject.yaml");
	expect_line(&p, "[hammer] exitbench: hammer=3000 faults=3000");
	expect_line(&p, "cell 'hammer' finished: exit status 0");
	expect_line(&p, "3000 violations");
	expect_line(&p, "stats:   violations pio                3000");
	expect_line(&p, "stats:   VIOLATION lines suppressed");
	unsigned int lines = count_lines_with(p.out, "VIOLATION cell 'hammer'");
	cr_expect(lines >= 1 && lines <= 20, "%u VIOLATION lines for 3000 violations:\n%s", lines, p.out);
	cr_expect_eq(p.status, 0, "exit status %d", p.status);
	tessera_free(&p);
}
