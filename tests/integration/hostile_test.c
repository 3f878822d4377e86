/*
 * The hostile inmate (guests/hostile) against the hypervisor: each test boots it with a config from
 * tests/integration/configs/ and checks what the hypervisor let through and what it reported.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

#define LIMIT_S 100

static void expect_line(const struct tessera_proc *p, const char *needle)
{
	cr_expect(has_line_with(p->out, needle), "no line with \"%s\" in:\n%s\nstderr:\n%s", needle, p->out,
		  p->err);
}

static void run_hostile(struct tessera_proc *p, const char *yaml, const char *const *qemu_extra)
{
	const char *args[16] = {"run", "--config", NULL, "--timeout", "90"};
	char path[512];
	unsigned int n = 5;

	snprintf(path, sizeof(path), "%s/tests/integration/configs/%s", TESSERA_SOURCE_ROOT, yaml);
	args[2] = path;
	if (qemu_extra) {
		args[n++] = "--";
		while (*qemu_extra && n < 15)
			args[n++] = *qemu_extra++;
	}
	args[n] = NULL;
	tessera_run(p, LIMIT_S, args);
}

/* Buffers that run off the cell's memory are refused whole; an unlisted doorbell is reported with RIP. */
Test(hostile, buffers_doorbell_and_efer_attacks_are_contained, .timeout = 120)
{
	struct tessera_proc p;

	run_hostile(&p, "hostile.yaml", NULL);
	expect_line(&p, "[hostile] hostile: straddle: ok");
	/* Before the fix the first 256 bytes of the 400-byte buffer were printed. */
	cr_expect(!strstr(p.out, "ZZZZZZZZZZ"), "part of a refused buffer was printed:\n%s", p.out);
	expect_line(&p, "[hostile] hostile: stats: ok");
	expect_line(&p, "VIOLATION cell 'hostile' cpu 1 rip 0x");
	expect_line(&p, "doorbell_ring to a cell its config does not list");
	/* A granted EFER write with a reserved bit: #GP in the cell, as the CPU would (it used to reach the
	 * VMCB, and VMRUN refused it: the cell was stopped). */
	expect_line(&p, "[hostile] hostile: efer: ok (#GP)");
	expect_line(&p, "cell 'worker' finished: exit status 0");
	expect_line(&p, "cell 'hostile' finished: exit status 0");
	cr_expect(!strstr(p.out, "hostile: BAD") && !strstr(p.out, ": BAD ("), "an attack got through:\n%s",
		  p.out);
	cr_expect_eq(p.status, 0, "exit status %d", p.status);
	tessera_free(&p);
}

/* VMRUN refuses the vCPU state: the cell is stopped, the report is whole and keeps the RIP. */
Test(hostile, unexpected_exit_report_keeps_the_rip, .timeout = 120)
{
	struct tessera_proc p;

	run_hostile(&p, "hostile-badcr0.yaml", NULL);
	expect_line(&p, "ERROR: cell 'hostile' failed: cpu 1 at rip 0x");
	/* The stats line repeats the reason: before the fix it was cut at 95 characters. */
	expect_line(&p, "stats: cell 'hostile' (failed: cpu 1 at rip 0x");
	expect_line(&p, "(VMEXIT_INVALID) (code 0xffffffff, info 0 0)): ");
	expect_line(&p, "cell 'worker' finished: exit status 0");
	cr_expect_eq(p.status, 0, "exit status %d", p.status);
	tessera_free(&p);
}

/* A shared region over RAM the firmware reserves passes the host (it cannot know) but not the hypervisor. */
Test(hostile, shared_region_over_firmware_ram_is_refused_at_boot, .timeout = 120)
{
	struct tessera_proc p;

	run_hostile(&p, "shared-firmware-ram.yaml", NULL);
	expect_line(&p, "ERROR: config: cell 'a': memory 0xffe0000+0x20000 is not free RAM");
	cr_expect(!strstr(p.out, "started ("), "a cell was started:\n%s", p.out);
	cr_expect_eq(p.status, 1, "exit status %d", p.status);
	tessera_free(&p);
}
