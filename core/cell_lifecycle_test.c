/*
 * The cell lifecycle (core/cell.c) on the host, with the arch and memory layers replaced by stubs and a
 * clock that advances on every read. A vCPU "leaves the guest" when the clock reaches a chosen tick, so
 * the races between a cell's vCPUs leaving and a start, restart or stop asked from another CPU happen at
 * exactly the moment each test picks.
 *
 * cell.c is compiled into this test (#include below) with the functions it calls renamed to this file's
 * stubs, so that the other unit tests keep the real ones in the same test binary.
 */
#define arch_timestamp_hz   lc_arch_timestamp_hz
#define arch_timestamp	    lc_arch_timestamp
#define arch_cpu_id	    lc_arch_cpu_id
#define arch_cpu_count	    lc_arch_cpu_count
#define arch_elf_machine    lc_arch_elf_machine
#define arch_vcpu_kick	    lc_arch_vcpu_kick
#define arch_cell_io_create lc_arch_cell_io_create
#define arch_vcpu_create    lc_arch_vcpu_create
#define arch_machine_stop   lc_arch_machine_stop
#define log_printf	    lc_log_printf
#define cell_console_flush  lc_cell_console_flush
#define cell_memory_build   lc_cell_memory_build
#define cell_memory_clear   lc_cell_memory_clear
#define cell_memory_load    lc_cell_memory_load
#define cell_stats_print    lc_cell_stats_print
#define ivc_cell_create	    lc_ivc_cell_create
#define ivc_cell_start	    lc_ivc_cell_start
#define trace_hv_finish	    lc_trace_hv_finish
#define mce_print_summary   lc_mce_print_summary
#define faultinj_report	    lc_faultinj_report
#define trace_enabled	    lc_trace_enabled
#define trace_cpu_rings	    lc_trace_cpu_rings
#define trace_clock	    lc_trace_clock

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/arch.h>
#include <tessera/cell.h>
#include <tessera/console.h>
#include <tessera/error.h>
#include <tessera/hooks.h>
#include <tessera/ivc.h>
#include <tessera/trace.h>

#include "../trace/write.h"
#include "cell.c"

/* ---- stubs: what cell.c asks of the layers below it ---- */
uint64_t trace_enabled[TESSERA_TRACE_MAX_CELLS + 1]; /* all zero: no trace point fires */
struct trace_ring *trace_cpu_rings[TESSERA_TRACE_MAX_CPUS];
uint64_t trace_clock(void)
{
	return 0;
}
void faultinj_report(void)
{
}

void trace_hv_finish(void)
{
}
void mce_print_summary(void)
{
}

static uint64_t now;	       /* the clock, in ticks */
static uint64_t leave_at;      /* the tick at which the test's vCPU leaves the guest (0: never) */
static void (*at_leave)(void); /* what else happens at that tick (another CPU's request) */
static struct cell *test_cell;
static unsigned int loads, clears, kicks;

uint64_t arch_timestamp(void)
{
	now++;
	if (leave_at && now == leave_at) {
		if (at_leave)
			at_leave();
		cell_vcpu_left(test_cell->vcpus[0]);
	}
	return now;
}
uint64_t arch_timestamp_hz(void)
{
	return 1000; /* cells wait 1/10 s = 100 ticks for leaving vCPUs */
}
unsigned int arch_cpu_id(void)
{
	return 0;
}
unsigned int arch_cpu_count(void)
{
	return 4;
}
uint16_t arch_elf_machine(void)
{
	return 62;
}
void arch_vcpu_kick(unsigned int cpu)
{
	(void)cpu;
	kicks++;
}
void *arch_cell_io_create(const struct tessera_config_pio *pio, unsigned int nr_pio,
			  const struct tessera_config_msr *msr, unsigned int nr_msr)
{
	(void)pio;
	(void)nr_pio;
	(void)msr;
	(void)nr_msr;
	return NULL;
}
int arch_vcpu_create(struct vcpu *v)
{
	(void)v;
	return 0;
}
__noreturn void arch_machine_stop(enum tessera_exit_code code)
{
	(void)code;
	abort();
}
static char log_text[4096]; /* everything reported, one line each */

void log_printf(enum log_level level, const char *fmt, ...)
{
	size_t n = strlen(log_text);
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(log_text + n, sizeof(log_text) - n, fmt, ap);
	va_end(ap);
	n = strlen(log_text);
	if (n + 1 < sizeof(log_text))
		strcat(log_text, "\n");
}
void cell_console_flush(struct vcpu *v)
{
	(void)v;
}
int cell_memory_build(struct cell *c, char *why, size_t len)
{
	(void)c;
	(void)why;
	(void)len;
	return 0;
}
void cell_memory_clear(struct cell *c)
{
	(void)c;
	clears++;
}
static int load_error; /* what cell_memory_load returns */
int cell_memory_load(struct cell *c)
{
	(void)c;
	loads++;
	return load_error;
}
void cell_stats_print(const struct cell *c)
{
	(void)c;
}
int ivc_cell_create(struct cell *c, const struct tessera_config_header *blob, char *why, size_t len)
{
	(void)c;
	(void)blob;
	(void)why;
	(void)len;
	return 0;
}
void ivc_cell_start(struct cell *c)
{
	(void)c;
}

/* ---- one cell with one vCPU, in a chosen state, its vCPU still in the guest ---- */
static struct tessera_config_cell cfg;
static struct cell cell;
static struct vcpu vcpu;

static void setup_cell(enum tessera_cell_state state)
{
	memset(&cell, 0, sizeof(cell));
	memset(&vcpu, 0, sizeof(vcpu));
	strcpy(cfg.name, "target");
	cell.cfg = &cfg;
	cell.name = cfg.name;
	cell.vcpus[0] = &vcpu;
	cell.nr_vcpus = 1;
	cell.state = state;
	vcpu.cell = &cell;
	vcpu.cpu = 2;
	vcpu.in_guest = true;
	test_cell = &cell;
	now = leave_at = 0;
	at_leave = NULL;
	loads = clears = kicks = 0;
	load_error = 0;
	memset(trace_enabled, 0, sizeof(trace_enabled));
}

/* ---- the cell_state hook point: a client that records every state, in order ---- */
static uint32_t hooked[8];
static unsigned int nr_hooked;

static void record_state(struct cell *c, unsigned int state, int64_t status, void *ctx)
{
	(void)c;
	(void)status;
	(void)ctx;
	if (nr_hooked < ARRAY_SIZE(hooked))
		hooked[nr_hooked++] = state;
}

static const struct hook_client recorder = {.name = "test", .cell_state = record_state};

static void hook_states_on(void)
{
	cr_assert_eq(hooks_register(&recorder), 0);
}

/* The states the cell_state point passed, in order; returns how many. */
static unsigned int hooked_states(uint32_t *states, unsigned int max)
{
	unsigned int k;

	for (k = 0; k < nr_hooked && k < max; k++)
		states[k] = hooked[k];
	return k;
}

/* A cell marks itself finished in its cell_exit hypercall, a moment before its vCPU leaves. */
Test(cell_lifecycle, start_waits_for_a_finished_cells_vcpu_to_leave)
{
	setup_cell(TESSERA_CELL_FINISHED);
	leave_at = 5;
	cr_expect_eq(cell_start(&cell), 0, "start refused while the vCPU was still leaving");
	cr_expect_eq(cell.state, TESSERA_CELL_RUNNING);
	cr_expect_eq(loads, 1);
}

Test(cell_lifecycle, start_gives_up_on_a_vcpu_that_does_not_leave)
{
	setup_cell(TESSERA_CELL_FINISHED);
	cr_expect_eq(cell_start(&cell), -HV_EBUSY);
	cr_expect_eq(loads, 0);
	cr_expect_geq(now, 100, "gave up after %lu ticks, before the 1/10 s", (unsigned long)now);
}

Test(cell_lifecycle, restart_is_done_when_it_returns)
{
	setup_cell(TESSERA_CELL_RUNNING);
	leave_at = 5;
	log_text[0] = 0;
	cr_expect_eq(cell_restart(&cell, "watchdog: silent for %d ms", 301), 0);
	cr_expect_eq(kicks, 1, "the running vCPU was not kicked out of the guest");
	cr_expect_eq(cell.state, TESSERA_CELL_RUNNING);
	cr_expect_eq(loads, 1, "loaded %u times", loads);
	cr_expect(!cell.restart_pending);
	/* The stop is reported with its reason, not with the "running" the start writes. */
	cr_expect(strstr(log_text, "stopped: watchdog: silent for 301 ms (restarting)"), "log:\n%s",
		  log_text);
	cr_expect(!strstr(log_text, "stopped: running"), "log:\n%s", log_text);
}

static void manager_stops_the_cell(void)
{
	cr_expect_eq(cell_stop_by(test_cell, "boss"), 0, "a stop during a restart was refused");
}

/* The watchdog restarts a cell while a manager stops it: the stop wins, the cell stays stopped. */
Test(cell_lifecycle, stop_during_a_restart_cancels_it)
{
	setup_cell(TESSERA_CELL_RUNNING);
	leave_at = 5;
	at_leave = manager_stops_the_cell;
	cr_expect_eq(cell_restart(&cell, "test"), 0);
	cr_expect_eq(cell.state, TESSERA_CELL_STOPPED);
	cr_expect_eq(loads, 0, "the cell was started again after the stop");
	cr_expect(!cell.restart_pending);
	cr_expect(strstr(cell.reason, "restart cancelled"), "reason: %s", cell.reason);
}

/* A restart deferred to the vCPU's leaving (it did not leave in time) is cancelled by a stop too. */
Test(cell_lifecycle, stop_cancels_a_deferred_restart)
{
	setup_cell(TESSERA_CELL_RUNNING);
	cr_expect_eq(cell_restart(&cell, "test"), 0);
	cr_expect(cell.restart_pending, "the restart should wait for the vCPU");
	cr_expect_eq(cell_stop_by(&cell, "boss"), 0);
	cell_vcpu_left(&vcpu);
	cr_expect_eq(cell.state, TESSERA_CELL_STOPPED);
	cr_expect_eq(loads, 0, "the cancelled restart happened anyway");
	cr_expect_eq(clears, 1, "the stopped cell's memory was not cleared");
}

/* Every change of state is an event: a stop that cancels a pending restart leaves the cell stopped. */
Test(cell_lifecycle, a_cancelled_restart_is_traced_as_stopped)
{
	uint32_t st[8];

	setup_cell(TESSERA_CELL_RUNNING);
	hook_states_on();
	cr_expect_eq(cell_restart(&cell, "test"), 0);
	cr_expect_eq(cell_stop_by(&cell, "boss"), 0);
	cell_vcpu_left(&vcpu);
	unsigned int n = hooked_states(st, 8);
	cr_assert_eq(n, 2, "%u cell_state passes: the restart's stop and the cancelling stop", n);
	cr_expect_eq(st[0], TESSERA_CELL_STOPPED);
	cr_expect_eq(st[1], TESSERA_CELL_STOPPED);
}

/* A start whose image does not load leaves the cell failed, and the trace says so. */
Test(cell_lifecycle, an_image_load_failure_is_traced_as_failed)
{
	uint32_t st[8];

	setup_cell(TESSERA_CELL_STOPPED);
	vcpu.in_guest = false;
	hook_states_on();
	load_error = -HV_EINVAL;
	cr_expect_eq(cell_start(&cell), -HV_EINVAL);
	cr_expect_eq(cell.state, TESSERA_CELL_FAILED);
	unsigned int n = hooked_states(st, 8);
	cr_assert_eq(n, 1, "%u cell_state events for a failed start", n);
	cr_expect_eq(st[0], TESSERA_CELL_FAILED);
}

Test(cell_lifecycle, stop_of_a_stopped_cell_is_refused)
{
	setup_cell(TESSERA_CELL_STOPPED);
	vcpu.in_guest = false;
	cr_expect_eq(cell_stop_by(&cell, "boss"), -HV_EINVAL);
}
