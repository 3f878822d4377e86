/*
 * The hostile inmate (guests/hostile) against the hypervisor: each test boots it with a config from
 * tests/integration/configs/ and checks what the hypervisor let through and what it reported.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define LIMIT_S 100

static void start_hostile(struct tessera_proc *p, const char *yaml, const char *const *qemu_extra)
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
	tessera_start(p, args);
}

static void run_hostile(struct tessera_proc *p, const char *yaml, const char *const *qemu_extra)
{
	start_hostile(p, yaml, qemu_extra);
	tessera_wait(p, LIMIT_S);
}

/* Read from the monitor until its prompt has appeared `prompts` times in all (5 s at most per read). */
static bool monitor_read_prompts(int fd, int prompts)
{
	char buf[8192];
	size_t len = 0;

	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return false;
		len += (size_t)n;
		buf[len] = '\0';
		int seen = 0;
		for (const char *q = buf; (q = strstr(q, "(qemu)")); q++)
			seen++;
		if (seen >= prompts)
			return true;
		if (len == sizeof(buf) - 1)
			return false;
	}
}

/* Run one command on QEMU's human monitor (unix socket); true once the monitor prompts again after it. */
static bool monitor_command(const char *path, const char *cmd)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct timeval tv = {5, 0};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	bool ok;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	ok = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0;
	ok = ok && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	ok = ok && monitor_read_prompts(fd, 1); /* the banner and the first prompt */
	ok = ok && write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd);
	ok = ok && monitor_read_prompts(fd, 1); /* the prompt after the command ran */
	if (fd >= 0)
		close(fd);
	return ok;
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

/* CR0.NW without CD is the CPU's #GP; then VMRUN refuses the vCPU state (CS.L and CS.D): the cell is
 * stopped, the report is whole and keeps the RIP. */
Test(hostile, unexpected_exit_report_keeps_the_rip, .timeout = 120)
{
	struct tessera_proc p;

	run_hostile(&p, "hostile-badcr0.yaml", NULL);
	expect_line(&p, "[hostile] hostile: badcr0: ok (#GP)");
	expect_line(&p, "ERROR: cell 'hostile' failed: cpu 1 at rip 0x");
	/* The stats line repeats the reason: before the fix it was cut at 95 characters. */
	expect_line(&p, "stats: cell 'hostile' (failed: cpu 1 at rip 0x");
	expect_line(&p, "(VMEXIT_INVALID) (code 0xffffffff, info 0 0)): ");
	expect_line(&p, "cell 'worker' finished: exit status 0");
	cr_expect_eq(p.status, 0, "exit status %d", p.status);
	tessera_free(&p);
}

/* VIOLATION lines printed for cell `name`. */
static unsigned int violations_of(const char *out, const char *name)
{
	char needle[64];
	unsigned int n = 0;

	snprintf(needle, sizeof(needle), "VIOLATION cell '%s' ", name);
	for (const char *q = out; (q = strstr(q, needle)); q++)
		n++;
	return n;
}

/*
 * A fault whose delivery faults again (IDT outside the cell, stack outside it, IDT in the emulated APIC
 * page) escalates as on the CPU: #PF, #DF, then a triple fault that fails the cell alone, after a few
 * violations. Before, the #PF was injected again forever (tens of thousands of VIOLATION lines) and the
 * run never ended although the worker finished.
 */
Test(hostile, a_fault_during_fault_delivery_escalates_to_a_triple_fault, .timeout = 120)
{
	static const char *const cells[] = {"idt", "stack", "apic"};
	struct tessera_proc p;

	run_hostile(&p, "hostile-escalate.yaml", NULL);
	for (unsigned int i = 0; i < 3; i++) {
		char line[128];
		snprintf(line, sizeof(line),
			 "ERROR: cell '%s' failed: cpu %u crashed: triple fault (#PF while delivering #DF) "
			 "at rip 0x",
			 cells[i], i + 1);
		expect_line(&p, line);
		unsigned int n = violations_of(p.out, cells[i]);
		/* The refused #UD delivery (a #PF follows), the #PF's (a #DF), the #DF's (shutdown). */
		cr_expect(n >= 1 && n <= 3, "cell '%s': %u violations, want 1-3:\n%s", cells[i], n, p.out);
	}
	cr_expect(!strstr(p.out, ": BAD, still running"), "a cell survived:\n%s", p.out);
	expect_line(&p, "cell 'worker' finished: exit status 0");
	expect_line(&p, "shutdown: 1 cells finished, 3 failed");
	cr_expect_eq(p.status, 0, "exit status %d", p.status);
	tessera_free(&p);
}

/*
 * A shared region over RAM the firmware reserves: the host derives QEMU's e820 map for the machine it
 * starts and refuses it before QEMU runs (exit 2); the hypervisor's refusal of the same blob, forced past
 * the host, is corpus file 113 (corpus_hv_test.c).
 */
Test(hostile, shared_region_over_firmware_ram_is_refused_on_the_host, .timeout = 120)
{
	struct tessera_proc p;

	run_hostile(&p, "shared-firmware-ram.yaml", NULL);
	cr_expect(has_line_with(p.err,
				"shared-firmware-ram.yaml:20:15: memory region overlaps memory the firmware "
				"reserves (e820) (0xffe0000-0xfffffff)"),
		  "%s", p.err);
	cr_expect(!strstr(p.out, "Tessera"), "QEMU was started:\n%s", p.out);
	cr_expect_eq(p.status, 2, "exit status %d", p.status);
	tessera_free(&p);
}

/*
 * A physical NMI (QEMU's monitor `nmi`, through the boot CPU's LINT1) while a cell runs on that CPU: it
 * must exit the cell (intercepted, counted as an nmi exit), not be delivered into it (the runtime would
 * report an unexpected NMI and the cell fail), and the hypervisor must take it without a fatal dump.
 */
Test(hostile, physical_nmi_is_taken_by_the_hypervisor, .timeout = 120)
{
	struct tessera_proc p;
	char sock[64], monitor[96];

	snprintf(sock, sizeof(sock), "/tmp/tessera-it-mon.%d", (int)getpid());
	snprintf(monitor, sizeof(monitor), "unix:%s,server=on,wait=off", sock);
	unlink(sock);
	start_hostile(&p, "hostile-nmi.yaml", (const char *const[]){"-monitor", monitor, NULL});
	bool waiting = tessera_wait_for_output(&p, "hostile: waiting", 60);
	bool sent = waiting && monitor_command(sock, "nmi\n");
	tessera_wait(&p, LIMIT_S);
	unlink(sock);
	cr_assert(waiting, "the hostile cell never started waiting:\n%s", p.out);
	cr_assert(sent, "could not send 'nmi' to the QEMU monitor");
	expect_line(&p, "NMI taken by the hypervisor: counted and ignored");
	expect_line(&p, "stats:   nmi                   1");
	expect_line(&p, "[cpu0] nmi: 1 taken by the hypervisor");
	expect_line(&p, "cell 'hostile' finished: exit status 0");
	cr_expect(!strstr(p.out, "FATAL"), "the hypervisor died:\n%s", p.out);
	cr_expect(!strstr(p.out, "unexpected NMI"), "the NMI reached the cell:\n%s", p.out);
	cr_expect_eq(p.status, 0, "exit status %d", p.status);
	tessera_free(&p);
}

/* A single step's #DB is intercepted (so that a #DB loop cannot wedge the CPU) and given back. */
Test(hostile, debug_exception_is_intercepted_and_reflected, .timeout = 120)
{
	struct tessera_proc p;

	run_hostile(&p, "hostile.yaml", NULL);
	expect_line(&p, "[hostile] hostile: debug: ok (#DB)");
	expect_line(&p, "stats:   exception             1");
	cr_expect_eq(p.status, 0, "exit status %d", p.status);
	tessera_free(&p);
}
