/*
 * Experiment batches (tessera/batch.h, abi/batch.h): the hypervisor does what a many-per-boot
 * campaign's host does through the mailbox, with no host attached. It holds the machine up, and for
 * each experiment disarms every fault, restarts the target with the experiment's fault armed (the
 * others in the same command: CELL_RESTART_FAULT, through control_run(), the host's own path), waits
 * until every cell has ended or the time limit, and marks the experiment's start and end on the
 * console, where the host (or a LAVA job's log) reads each experiment's slice.
 *
 * One consumer, CPU 0, at its tick (idle loop and, while it runs a cell, every HOOK_TICK_EXITS exits),
 * as the mailbox: a batch and a host's commands take the same locks in the same order.
 */
#include <tessera/abi/batch.h>
#include <tessera/abi/exit_status.h>
#include <tessera/arch.h>
#include <tessera/batch.h>
#include <tessera/boot_modules.h>
#include <tessera/cell.h>
#include <tessera/console.h>
#include <tessera/control.h>
#include <tessera/error.h>
#include <tessera/hooks.h>
#include <tessera/string.h>

enum batch_state {
	BATCH_NONE,	/* no batch module */
	BATCH_IDLE,	/* between experiments: waiting for every cell to be out */
	BATCH_RUNNING,	/* an experiment: waiting for its cells' ends or its time limit */
	BATCH_STOPPING, /* its time limit passed: its cells are being stopped */
	BATCH_DONE,
};

static const struct tessera_batch_header *batch;
static enum batch_state state;
static uint32_t next;	     /* the experiment to run next (or running) */
static uint64_t deadline;    /* of the running experiment, or of its cells' stop */
static uint64_t limit_ticks; /* the header's limit_ms in timestamp ticks */

static int64_t run(uint32_t op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, const void *payload,
		   uint32_t size)
{
	struct tessera_control_request req = {.args = {a0, a1, a2, a3}, .payload_size = size};

	if (size)
		memcpy(req.payload, payload, size);
	return control_run(op, &req, NULL);
}

static void begin(void)
{
	const struct tessera_batch_experiment *e = &batch_experiments(batch)[next];

	run(TESSERA_CTL_FI_DISARM, ~0ULL, 0, 0, 0, NULL, 0);
	pr_info(TESSERA_BATCH_BEGINS, (unsigned long long)e->index);
	int64_t r = run(TESSERA_CTL_CELL_RESTART_FAULT, batch->target, e->seed, batch->others,
			batch->canaries, &e->fault, sizeof(e->fault));
	/* A fail point armed for the restart fails it with the fault's error, and the others still run:
	 * the host, which knows the fault, tells that from a refusal. */
	if (r < 0)
		pr_info("batch: experiment %llu: restart error %lld", (unsigned long long)e->index,
			(long long)r);
	deadline = arch_timestamp() + limit_ticks;
	state = BATCH_RUNNING;
}

static void end(const char *why)
{
	pr_info(TESSERA_BATCH_ENDS, (unsigned long long)batch_experiments(batch)[next].index, why);
	next++;
	state = BATCH_IDLE;
}

static void batch_tick(void *ctx)
{
	(void)ctx;
	switch (state) {
	case BATCH_IDLE:
		if (!cells_all_done())
			return;
		if (next < batch->nr_experiments) {
			begin();
			return;
		}
		run(TESSERA_CTL_FI_DISARM, ~0ULL, 0, 0, 0, NULL, 0);
		pr_info(TESSERA_BATCH_DONE, batch->nr_experiments);
		state = BATCH_DONE;
		run(TESSERA_CTL_SYS_HOLD, 0, 0, 0, 0, NULL, 0); /* released: the machine shuts down */
		return;
	case BATCH_RUNNING:
		if (cells_all_done()) {
			end("cells ended");
			return;
		}
		if (arch_timestamp() < deadline)
			return;
		for (unsigned int k = 0; k < nr_cells; k++)
			run(TESSERA_CTL_CELL_STOP, k, 0, 0, 0, NULL, 0); /* an ended cell refuses: as good */
		deadline = arch_timestamp() + limit_ticks;
		state = BATCH_STOPPING;
		return;
	case BATCH_STOPPING:
		if (cells_all_done()) {
			end("time limit");
			return;
		}
		if (arch_timestamp() < deadline)
			return;
		/* A cell that does not stop: nothing after it could start from a clean machine. */
		pr_info(TESSERA_BATCH_ENDS, (unsigned long long)batch_experiments(batch)[next].index,
			"time limit; cells did not stop: the batch ends");
		arch_machine_stop(TESSERA_EXIT_PANIC);
	case BATCH_NONE:
	case BATCH_DONE: return;
	}
}

static const struct hook_client batch_hook = {
	.name = "batch",
	.tick = batch_tick,
};

bool batch_boot(const struct boot_info *info)
{
	const struct boot_module *m = boot_module_find(info, TESSERA_BATCH_MODULE);

	if (!m)
		return false;
	const char *bad = batch_problem((const void *)(uintptr_t)m->start, m->size, nr_cells);
	if (bad) {
		pr_err("config: %s: %s", TESSERA_BATCH_MODULE, bad);
		arch_machine_stop(TESSERA_EXIT_BAD_CONFIG);
	}
	if (hooks_register(&batch_hook)) {
		pr_err("config: %s: no room for the batch's hook client", TESSERA_BATCH_MODULE);
		arch_machine_stop(TESSERA_EXIT_BAD_CONFIG);
	}
	batch = (const void *)(uintptr_t)m->start;
	limit_ticks = arch_timestamp_hz() / 1000 * batch->limit_ms;
	run(TESSERA_CTL_SYS_HOLD, 1, 0, 0, 0, NULL, 0);
	state = BATCH_IDLE;
	pr_info("batch: %u experiments for cell '%s', %u ms each at most", batch->nr_experiments,
		cell_get(batch->target)->name, batch->limit_ms);
	return true;
}
