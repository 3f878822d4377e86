/*
 * The lab's runner (lab/runner.h) called as a library from this process: console lines reach the
 * callback, a callback can stop the boot, the run record is filled in, and boots follow one another in
 * one process. The test binary sits in out/ beside the hypervisor image, as `tessera` does.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../lab/host_files.h"
#include "../../lab/runner.h"

struct lines {
	unsigned int n;
	const char *stop_at;	 /* stop on the first line containing this, NULL: never */
	unsigned int after_stop; /* lines delivered after the callback asked to stop (must stay 0) */
	bool stopped;
	char *text; /* every line, '\n'-terminated */
	size_t len;
};

static int count_line(const char *line, void *ctx)
{
	struct lines *l = ctx;
	size_t n = strlen(line);

	cr_expect(!strchr(line, '\n') && !strchr(line, '\r'), "a line end reached the callback: '%s'", line);
	if (l->stopped)
		l->after_stop++;
	l->n++;
	l->text = realloc(l->text, l->len + n + 2);
	memcpy(l->text + l->len, line, n);
	l->len += n;
	l->text[l->len++] = '\n';
	l->text[l->len] = '\0';
	if (l->stop_at && strstr(line, l->stop_at))
		l->stopped = true;
	return l->stopped;
}

static bool is_hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

/* "2026-12-03T09:40:00.123Z" */
static bool is_iso_ms(const char *s)
{
	return strlen(s) == 24 && s[4] == '-' && s[10] == 'T' && s[19] == '.' && s[23] == 'Z';
}

/* No child of this process is left (QEMU and everything it started has been reaped). */
static void expect_no_children(void)
{
	errno = 0;
	cr_expect(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "a child process outlived lab_run");
}

static void expect_record_basics(const struct lab_run_record *rec)
{
	cr_expect(is_iso_ms(rec->started), "started '%s'", rec->started);
	cr_expect(is_iso_ms(rec->ended), "ended '%s'", rec->ended);
	cr_expect(strcmp(rec->started, rec->ended) <= 0, "ended %s before started %s", rec->ended,
		  rec->started);
	cr_expect(rec->host_cpu[0] && rec->host_kernel[0], "host '%s' / '%s'", rec->host_cpu,
		  rec->host_kernel);
	cr_expect(!strncmp(rec->host_kernel, "Linux ", 6), "host_kernel '%s'", rec->host_kernel);
	cr_expect(rec->load_start >= 0 && rec->load_end >= 0, "load %f %f", rec->load_start, rec->load_end);
	/* the tests run in the source tree, a git work tree */
	cr_expect(strlen(rec->git_revision) >= 40 && strspn(rec->git_revision, "0123456789abcdef") == 40,
		  "git_revision '%s'", rec->git_revision);
}

Test(lab_runner, no_config_boot_fills_the_record, .timeout = 60)
{
	struct lines l = {0};
	struct lab_system s = {.no_config = true, .smp = 1, .seed = 42, .timeout_s = 30};
	struct lab_hooks h = {.on_line = count_line, .ctx = &l};
	struct lab_run r;

	int st = lab_run(&s, &h, &r);
	cr_expect_eq(st, 0, "status %d (%s), lines:\n%s", st, r.summary, l.text);
	cr_expect_eq(r.exit_status, st);
	cr_expect(l.n >= 5, "only %u lines reached the callback", l.n);
	cr_expect(l.text && strstr(l.text, "[cpu0] 1 CPU online\n"), "lines:\n%s", l.text);
	cr_expect(l.text && strstr(l.text, "[cpu0] shutdown: "), "lines:\n%s", l.text);
	const struct lab_run_record *rec = &r.record;
	expect_record_basics(rec);
	cr_expect_eq(rec->seed, 42);
	cr_expect_str_eq(rec->mode, "wallclock");
	cr_expect_str_eq(rec->config_sha256, "", "no config, yet a config hash");
	cr_expect(rec->config == NULL);
	cr_expect(is_hex64(rec->image_sha256), "image_sha256 '%s'", rec->image_sha256);
	cr_expect(rec->images && strstr(rec->images, "/x86_64_hv/tessera-hv.elf\n"), "images: %s",
		  rec->images);
	cr_expect(!strncmp(rec->qemu_version, "QEMU emulator version ", 22), "qemu_version '%s'",
		  rec->qemu_version);
	cr_expect(rec->qemu_cmdline && strstr(rec->qemu_cmdline, "qemu-system-x86_64 -accel tcg") &&
			  strstr(rec->qemu_cmdline, " -smp 1 ") && !strstr(rec->qemu_cmdline, "-icount"),
		  "qemu_cmdline '%s'", rec->qemu_cmdline);
	cr_expect(rec->hv_cmdline && !strcmp(rec->hv_cmdline, ""), "hv_cmdline '%s'", rec->hv_cmdline);
	cr_expect_eq(rec->exit_status, 0);
	expect_no_children();

	char *text = lab_run_record_json(rec);
	json_error_t err;
	json_t *o = text ? json_loads(text, 0, &err) : NULL;
	cr_assert(o, "the record's JSON does not parse: %s", text);
	cr_expect_str_eq(json_string_value(json_object_get(o, "image_sha256")), rec->image_sha256);
	cr_expect_eq(json_integer_value(json_object_get(o, "seed")), 42);
	cr_expect(json_is_null(json_object_get(o, "config")));
	cr_expect_eq(json_array_size(json_object_get(o, "images")), 1);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(o, "host"), "kernel")),
			 rec->host_kernel);
	json_decref(o);
	free(text);
	lab_run_release(&r);
	free(l.text);
}

Test(lab_runner, on_line_stops_the_default_config, .timeout = 60)
{
	struct lines l = {.stop_at = "4 CPUs online"};
	struct lab_system s = {.timeout_s = 30}; /* configs/default.yaml */
	struct lab_hooks h = {.on_line = count_line, .ctx = &l, .quiet = true};
	struct lab_run r;

	int st = lab_run(&s, &h, &r);
	cr_expect_eq(st, LAB_RUN_STOPPED, "status %d (%s), lines:\n%s", st, r.summary, l.text);
	cr_expect(l.stopped, "the stop line never came:\n%s", l.text);
	cr_expect_eq(l.after_stop, 0, "%u lines after the stop", l.after_stop);
	cr_expect(l.text && !strstr(l.text, "shutdown:"), "the system ran to its end:\n%s", l.text);
	cr_expect(r.record.config && strstr(r.record.config, "/configs/default.yaml"), "config '%s'",
		  r.record.config);
	cr_expect(is_hex64(r.record.config_sha256), "config_sha256 '%s'", r.record.config_sha256);
	/* the hypervisor, the blob and the cells' images, each hashed */
	unsigned int files = 0;
	for (const char *p = r.record.images; p && (p = strchr(p, '\n')); p++)
		files++;
	cr_expect_geq(files, 3, "images: %s", r.record.images);
	cr_expect_eq(r.record.exit_status, LAB_RUN_STOPPED);
	expect_no_children();
	lab_run_release(&r);
	free(l.text);
}

/* A command line with the scratch directory's mkdtemp characters masked: the only part that differs per
 * boot (the console file and, with a config, the blob live there). Heap-allocated. */
static char *mask_scratch(const char *cmdline)
{
	static const char scratch[] = "tessera-run.";
	char *t = strdup(cmdline ? cmdline : "");

	for (char *p = t; (p = strstr(p, scratch)); p += sizeof(scratch) - 1)
		for (size_t i = sizeof(scratch) - 1; i < sizeof(scratch) + 5 && p[i] && p[i] != '/'; i++)
			p[i] = 'X';
	return t;
}

/* Two deterministic boots one after the other in this process: both work, and under -icount they say
 * exactly the same thing (the calibrated TSC included), with the same images. */
Test(lab_runner, deterministic_boots_repeat, .timeout = 120)
{
	struct lines a = {0}, b = {0};
	struct lab_system s = {.no_config = true, .smp = 1, .mode = LAB_MODE_DETERMINISTIC};
	struct lab_hooks ha = {.on_line = count_line, .ctx = &a}, hb = {.on_line = count_line, .ctx = &b};
	struct lab_run ra, rb;

	cr_expect_eq(lab_run(&s, &ha, &ra), 0, "first boot: %s", ra.summary);
	cr_expect_eq(lab_run(&s, &hb, &rb), 0, "second boot: %s", rb.summary);
	cr_expect_str_eq(ra.record.mode, "deterministic");
	cr_expect(ra.record.qemu_cmdline && strstr(ra.record.qemu_cmdline, " -icount shift=0,sleep=off"),
		  "qemu_cmdline '%s'", ra.record.qemu_cmdline);
	cr_expect_str_eq(ra.record.image_sha256, rb.record.image_sha256);
	char *ca = mask_scratch(ra.record.qemu_cmdline), *cb = mask_scratch(rb.record.qemu_cmdline);
	cr_expect_str_eq(ca, cb);
	free(ca);
	free(cb);
	cr_expect(a.n > 0 && a.text && b.text && !strcmp(a.text, b.text), "the boots differ:\n%s\n----\n%s",
		  a.text, b.text);
	expect_no_children();

	/* The record's repeat command boots the same system: `tessera run` prints the same console. */
	cr_assert(ra.record.repeat &&
			  strstr(ra.record.repeat, "/tessera run --no-config --smp 1 --timeout 600 -- "
						   "-icount shift=0,sleep=off"),
		  "repeat: %s", ra.record.repeat);
	char *out = NULL;
	int st = lab_spawn_capture((char *[]){"sh", "-c", ra.record.repeat, NULL}, false, &out);
	cr_expect_eq(st, 0, "%s: status %d", ra.record.repeat, st);
	if (out) { /* the serial console's \r\n: the callback sees neither */
		char *q = out;
		for (const char *p = out; *p; p++)
			if (*p != '\r')
				*q++ = *p;
		*q = '\0';
	}
	cr_expect(out && !strcmp(out, a.text), "%s printed:\n%s\n---- lab_run had:\n%s", ra.record.repeat,
		  out, a.text);
	free(out);
	lab_run_release(&ra);
	lab_run_release(&rb);
	free(a.text);
	free(b.text);
}

Test(lab_runner, bad_config_boots_nothing, .timeout = 30)
{
	char path[] = "/tmp/tessera-lab-runner-XXXXXX.yaml";
	int fd = mkstemps(path, 5);
	cr_assert_geq(fd, 0);
	cr_assert(write(fd, "cells: [\n", 9) == 9);
	close(fd);
	struct lines l = {0};
	struct lab_system s = {.config = path};
	struct lab_hooks h = {.on_line = count_line, .ctx = &l, .prog = "lab_runner_test"};
	struct lab_run r;

	int st = lab_run(&s, &h, &r);
	unlink(path);
	cr_expect_eq(st, 2, "status %d (%s)", st, r.summary);
	cr_expect_eq(l.n, 0, "lines from a boot that should not have happened:\n%s", l.text);
	cr_expect(r.record.qemu_cmdline == NULL, "a QEMU command line: %s", r.record.qemu_cmdline);
	cr_expect(r.summary[0], "no summary");
	expect_record_basics(&r.record);
	cr_expect_eq(r.record.exit_status, 2);
	expect_no_children();
	lab_run_release(&r);
}

/* The hypervisor's command line and the host channel: trace_events=0 is added, the channel file is there
 * while the system runs and gone afterwards. */
struct channel_seen {
	const char *path;
	bool existed;
};

static int check_channel(const char *line, void *ctx)
{
	struct channel_seen *c = ctx;
	if (strstr(line, "CPU online"))
		c->existed = access(c->path, F_OK) == 0;
	return 0;
}

Test(lab_runner, channel_and_hv_cmdline, .timeout = 60)
{
	char dir[] = "/tmp/tessera-lab-runner-XXXXXX", path[64];
	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/channel", dir);
	struct channel_seen c = {.path = path};
	struct lab_system s = {.no_config = true, .smp = 1, .hv_cmdline = "loglevel=debug", .channel = path};
	struct lab_hooks h = {.on_line = check_channel, .ctx = &c};
	struct lab_run r;

	int st = lab_run(&s, &h, &r);
	cr_expect_eq(st, 0, "status %d (%s)", st, r.summary);
	cr_expect(c.existed, "no channel file while the system ran");
	cr_expect(access(path, F_OK) != 0, "the channel file outlived the boot");
	cr_expect(r.record.hv_cmdline && !strcmp(r.record.hv_cmdline, "loglevel=debug trace_events=0"),
		  "hv_cmdline '%s'", r.record.hv_cmdline);
	cr_expect(r.record.qemu_cmdline && strstr(r.record.qemu_cmdline, "ivshmem-plain"),
		  "qemu_cmdline '%s'", r.record.qemu_cmdline);
	rmdir(dir);
	lab_run_release(&r);
}

/* A machine that never ends (-S: its CPUs stay stopped) meets the time limit: 124, QEMU reaped. */
Test(lab_runner, timeout_ends_the_boot, .timeout = 60)
{
	char *args[] = {"-S"};
	struct lines l = {0};
	struct lab_system s = {
		.no_config = true, .smp = 1, .timeout_s = 2, .qemu_args = args, .nr_qemu_args = 1};
	struct lab_hooks h = {.on_line = count_line, .ctx = &l};
	struct lab_run r;

	int st = lab_run(&s, &h, &r);
	cr_expect_eq(st, 124, "status %d (%s)", st, r.summary);
	cr_expect(strstr(r.summary, "timed out after 2 s"), "summary '%s'", r.summary);
	cr_expect_eq(l.n, 0, "a stopped machine printed:\n%s", l.text);
	cr_expect(r.record.qemu_cmdline && strstr(r.record.qemu_cmdline, " -S"), "%s", r.record.qemu_cmdline);
	cr_expect(r.record.repeat && strstr(r.record.repeat, " --timeout 2 -- -S"), "repeat: %s",
		  r.record.repeat);
	expect_no_children();
	lab_run_release(&r);
	free(l.text);
}
