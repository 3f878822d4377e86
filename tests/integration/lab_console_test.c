/*
 * The runner's console is a regular file QEMU writes and the runner follows (docs/lab-runner.md, "The
 * console"): a reader that falls behind never makes QEMU's UART busy, so a deterministic boot that
 * prints a lot says the same thing byte for byte however slowly its lines are taken. And the monitor
 * (QMP) the runner offers its hooks: on_started gets the connection before the first line, on_line may
 * use it while the system runs.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../lab/runner.h"

/* Every line; a slow reader, at its first line, waits until QEMU has written more than 1 MiB (the
 * size of the pipe the runner used to read the console through) or 600 s have passed. */
struct slow_reader {
	char *text;
	size_t len;
	unsigned int n;
	bool slow;
	char console[4200]; /* the console file, from the before hook */
	off_t seen_size;    /* what the file had when the reader went on */
};

#define PIPE_BYTES (1 << 20)

static int note_console(struct machine *m, const char *workdir, void *ctx)
{
	struct slow_reader *r = ctx;

	(void)workdir;
	snprintf(r->console, sizeof(r->console), "%s", m->console_path ? m->console_path : "");
	return 0;
}

static void wait_for_qemu_to_write(struct slow_reader *r)
{
	struct stat st = {0};

	for (int i = 0; i < 6000; i++) {
		if (stat(r->console, &st) == 0 && st.st_size > PIPE_BYTES + PIPE_BYTES / 8)
			break;
		nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
	}
	r->seen_size = st.st_size;
}

static int keep_line(const char *line, void *ctx)
{
	struct slow_reader *r = ctx;
	size_t n = strlen(line);

	if (r->n++ == 0 && r->slow)
		wait_for_qemu_to_write(r);
	r->text = realloc(r->text, r->len + n + 2);
	cr_assert_not_null(r->text);
	memcpy(r->text + r->len, line, n);
	r->len += n;
	r->text[r->len++] = '\n';
	r->text[r->len] = '\0';
	return 0;
}

/* exitloop at its most samples, twice over (two cells on two CPUs printing at once): about 2 MB of
 * console, more than the 1 MiB pipe the runner used to read it through. */
static const char chatty_yaml[] = "machine:\n"
				  "  cpus: 2\n"
				  "  ram: 128M\n"
				  "hypervisor:\n"
				  "  base: 0\n"
				  "  size: 32M\n"
				  "  pool: 8M\n"
				  "cells:\n"
				  "  - name: loud0\n"
				  "    cpus: [0]\n"
				  "    image: exitloop.elf\n"
				  "    args: \"iters=4096 port=760\"\n"
				  "    pio:\n"
				  "      - base: 0x2f8\n"
				  "        size: 1\n"
				  "    memory:\n"
				  "      - phys: 32M\n"
				  "        guest: 0\n"
				  "        size: 4M\n"
				  "        flags: [read, write, exec]\n"
				  "  - name: loud1\n"
				  "    cpus: [1]\n"
				  "    image: exitloop.elf\n"
				  "    args: \"iters=4096 port=744\"\n"
				  "    pio:\n"
				  "      - base: 0x2e8\n"
				  "        size: 1\n"
				  "    memory:\n"
				  "      - phys: 48M\n"
				  "        guest: 0\n"
				  "        size: 4M\n"
				  "        flags: [read, write, exec]\n";

/* The scratch directory's mkdtemp characters (the config line names the blob there): the only text that
 * differs between two boots of one system. */
static void mask_scratch(char *t)
{
	static const char scratch[] = "tessera-run.";

	for (char *p = t; (p = strstr(p, scratch)); p += sizeof(scratch) - 1)
		for (size_t i = sizeof(scratch) - 1; i < sizeof(scratch) + 5 && p[i] && p[i] != '/'; i++)
			p[i] = 'X';
}

static void chatty_boot(const char *config, struct slow_reader *reader)
{
	struct lab_system s = {.config = config, .mode = LAB_MODE_DETERMINISTIC, .timeout_s = 900};
	struct lab_hooks h = {.on_line = keep_line, .before = note_console, .ctx = reader, .quiet = true};
	struct lab_run r;

	int st = lab_run(&s, &h, &r);
	cr_assert_eq(st, 0, "status %d (%s)\n%s", st, r.summary, reader->text);
	lab_run_release(&r);
	mask_scratch(reader->text);
}

/*
 * Two deterministic boots of a system that prints about 2 MB: one read at full speed, one whose reader
 * stops at its first line until QEMU has written more than 1 MiB (the old pipe's size) into the console
 * file. The runner must then follow a file far ahead of it without losing, repeating or splitting a
 * line, and the consoles must be the same byte for byte.
 *
 * What this workload cannot show: with the old pipe (checked by hand with a before hook that set
 * console_path to NULL and a reader napping 150 s at its first line, in a boot of about 20 s), QEMU's
 * UART waited for room and the guests spun longer, yet the console was still the same, because exitloop prints only what it measured before printing and the hypervisor's
 * console lock keeps the cells' lines in the same order. A guest whose output depends on virtual time
 * after a long print (as the campaign experiment that differed) is what would tell the two apart.
 */
Test(lab_console, a_slow_reader_leaves_a_deterministic_console_unchanged, .timeout = 1500)
{
	char path[] = "/tmp/tessera-lab-console-XXXXXX.yaml";
	int fd = mkstemps(path, 5);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, chatty_yaml, sizeof(chatty_yaml) - 1), (ssize_t)sizeof(chatty_yaml) - 1);
	close(fd);
	struct slow_reader fast = {0}, slow = {.slow = true};

	chatty_boot(path, &fast);
	chatty_boot(path, &slow);
	unlink(path);
	cr_expect_gt(fast.len, (size_t)PIPE_BYTES * 3 / 2, "only %zu bytes of console", fast.len);
	cr_expect_gt(slow.seen_size, (off_t)PIPE_BYTES, "the slow reader waited for only %lld bytes",
		     (long long)slow.seen_size);
	cr_expect(strstr(fast.text, "[loud0] BENCH exitloop done samples=20480") &&
			  strstr(fast.text, "[loud1] BENCH exitloop done samples=20480"),
		  "a cell did not finish:\n%.3000s", fast.text);
	if (fast.len != slow.len || memcmp(fast.text, slow.text, fast.len)) {
		size_t i = 0;
		while (i < fast.len && i < slow.len && fast.text[i] == slow.text[i])
			i++;
		size_t from = i > 200 ? i - 200 : 0;
		cr_expect_fail(
			"the consoles differ at byte %zu (%zu vs %zu bytes):\n%.400s\n---- slow:\n%.400s", i,
			fast.len, slow.len, fast.text + from, slow.text + from);
	}
	free(fast.text);
	free(slow.text);
}

/* What the QMP test's hooks saw. */
struct monitor_seen {
	struct qmp *q;
	char status_at_start[256], status_at_line[256];
	unsigned int lines, lines_before_qmp;
	bool stop_at_start, paused_at_line;
};

static void monitor_do(struct qmp *q, const char *cmd, char *reply, size_t size)
{
	char json[128];

	snprintf(json, sizeof(json), "{\"execute\":\"%s\"}", cmd);
	cr_expect_eq(qmp_execute(q, json, reply, size), 0, "%s: %s", cmd, q->error);
}

/* QEMU starts paused (-S): the machine waits for on_started, which lets it run. */
static int monitor_started(struct qmp *q, void *ctx)
{
	struct monitor_seen *m = ctx;

	m->q = q;
	m->lines_before_qmp = m->lines;
	monitor_do(q, "query-status", m->status_at_start, sizeof(m->status_at_start));
	if (m->stop_at_start)
		return 1;
	monitor_do(q, "cont", NULL, 0);
	return 0;
}

/* At the first line, from on_line: pause the machine, see it paused, let it go on. */
static int monitor_line(const char *line, void *ctx)
{
	struct monitor_seen *m = ctx;

	(void)line;
	if (m->lines++ == 0 && m->q) {
		monitor_do(m->q, "stop", NULL, 0);
		monitor_do(m->q, "query-status", m->status_at_line, sizeof(m->status_at_line));
		monitor_do(m->q, "cont", NULL, 0);
	}
	return 0;
}

/* on_started gets a working connection before the first line; on_line can use it; the socket is in the
 * scratch directory. The default config runs for a while, so the first line comes while QEMU lives. */
Test(lab_console, the_monitor_is_handed_to_the_hooks, .timeout = 120)
{
	char *paused[] = {"-S"};
	struct monitor_seen m = {0};
	struct lab_system s = {.qemu_args = paused, .nr_qemu_args = 1};
	struct lab_hooks h = {
		.on_line = monitor_line, .on_started = monitor_started, .ctx = &m, .quiet = true};
	struct lab_run r;

	int st = lab_run(&s, &h, &r);
	cr_expect_eq(st, 0, "status %d (%s)", st, r.summary);
	cr_expect_not_null(m.q, "on_started was not called");
	cr_expect_eq(m.lines_before_qmp, 0, "%u lines came before the monitor", m.lines_before_qmp);
	cr_expect(strstr(m.status_at_start, "\"status\":\"prelaunch\""), "query-status at start: %s",
		  m.status_at_start);
	cr_expect(strstr(m.status_at_line, "\"status\":\"paused\""), "query-status from on_line: %s",
		  m.status_at_line);
	cr_expect_gt(m.lines, 10, "the machine did not go on after cont");
	const char *sock = r.record.qemu_cmdline ? strstr(r.record.qemu_cmdline, "-qmp unix:") : NULL;
	cr_expect(sock && strstr(sock, "/qmp.sock,server=on,wait=off"), "qemu_cmdline %s",
		  r.record.qemu_cmdline);
	lab_run_release(&r);

	/* A non-zero on_started stops the boot at once: 125, and the paused machine printed nothing. */
	memset(&m, 0, sizeof(m));
	m.stop_at_start = true;
	st = lab_run(&s, &h, &r);
	cr_expect_eq(st, LAB_RUN_STOPPED, "status %d (%s)", st, r.summary);
	cr_expect_eq(m.lines, 0, "%u lines after on_started asked to stop", m.lines);
	errno = 0;
	cr_expect(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "a child process outlived lab_run");
	lab_run_release(&r);
}
