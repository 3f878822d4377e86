/*
 * The per-CPU loop. Partitioning, not scheduling: a physical CPU runs only its own vCPU, whenever its cell
 * (re)starts, and otherwise waits. CPU 0 also watches for the end: when no cell runs any more it prints
 * the counters and stops the machine. A CPU that belongs to no cell parks (CPU 0 keeps watching).
 */
#include <tessera/arch.h>
#include <tessera/cell.h>
#include <tessera/console.h>
#include <tessera/control.h>
#include <tessera/error.h>
#include <tessera/exit.h>
#include <tessera/hooks.h>
#include <tessera/ivc.h>
#include <tessera/mce.h>
#include <tessera/trace.h>

static void vcpu_run_cell(struct vcpu *v)
{
	struct cell *c = v->cell;
	struct vcpu_boot_state boot = {
		.entry = c->elf.entry,
		.page_table = c->boot_area,
		.arg0 = cell_boot_info_addr(c),
		.arg1 = v->index,
	};
	struct vcpu_exit exit;

	v->line_len = 0;
	v->halted = false;
	v->tick_countdown = HOOK_TICK_EXITS;
	struct cell *was = cell_at_work_set(c);
	int err = hook_fail(FAIL_VCPU_RESET, c, v) ?: arch_vcpu_reset(v, c->stage2.root_pa, c->io, &boot);
	cell_at_work_set(was);
	if (err) {
		cell_stop(c, TESSERA_CELL_FAILED, "cpu %u: cannot set up the vCPU: %s", v->cpu,
			  hv_strerror(err));
		return;
	}
	if (READ_ONCE(v->stop))
		return;
	if (hooks_armed_mask() & HOOK_TRACE_BIT)
		trace_hv_entry(v);
	if (hook_armed(HOOK_ENTRY))
		hooks_run_entry(v);
	arch_vcpu_run(v, &exit); /* until vcpu_exit() says leave (exit.c) */
}

__noreturn void vcpu_cpu_loop(unsigned int cpu)
{
	struct vcpu *v = vcpu_of_cpu(cpu);

	if (v) {
		int err = arch_virt_cpu_init();
		if (err) {
			cell_stop(v->cell, TESSERA_CELL_FAILED, "cpu %u cannot enable virtualization: %s",
				  cpu, hv_strerror(err));
			v = NULL;
		}
	}
	if (!v && cpu != 0) {
		pr_debug("cpu %u belongs to no cell: parked", cpu);
		arch_cpu_park();
	}
	for (;;) {
		if (v) {
			struct cell *c = v->cell;
			uint32_t gen = __atomic_load_n(&c->generation, __ATOMIC_ACQUIRE);
			if (gen != v->started_gen && READ_ONCE(c->state) == TESSERA_CELL_RUNNING) {
				v->started_gen = gen;
				v->in_guest = true;
				vcpu_run_cell(v);
				cell_vcpu_left(v);
				continue;
			}
		}
		if (cpu == 0) {
			hook_tick();
			trace_hv_poll();     /* CPU 0 owns the host channel's mailbox */
			ivc_watchdog_poll(); /* CPU 0 owns no cell: it keeps the cells' watchdogs */
			arch_mce_poll();     /* and acts on machine checks: its own banks' corrected */
			mce_drain();	     /* errors, and what any CPU queued (mce.h) */
			if (cells_all_done() && !control_holds_machine())
				cells_shutdown();
		}
		/* Sleep, not spin (under TCG a spinning CPU takes a host core from the working ones), but for
		 * idle=poll, which never halts (arch_cpu_idle_us). */
		arch_cpu_idle_us(1000);
	}
}
