/*
 * The cell table and the cell lifecycle. States (abi/hypercall.h): STOPPED -> RUNNING -> FINISHED |
 * FAILED | STOPPED. A stop only asks the vCPUs to leave; the last vCPU out clears the cell's memory and,
 * for a restart, starts the cell again. So memory is never cleared under a running vCPU and never handed
 * back with old contents.
 */
#include <stdarg.h>
#include <tessera/mce.h>
#include <tessera/arch.h>
#include <tessera/boot_modules.h>
#include <tessera/cell.h>
#include <tessera/console.h>
#include <tessera/error.h>
#include <tessera/faultinj.h>
#include <tessera/format.h>
#include <tessera/hooks.h>
#include <tessera/memmap.h>
#include <tessera/string.h>
#include <tessera/trace.h>

#include "../trace/write.h"

struct cell cells[TESSERA_MAX_CELLS];
unsigned int nr_cells;

static struct vcpu vcpu_table[HV_MAX_CPUS];
static struct vcpu *cpu_vcpu[HV_MAX_CPUS];

struct cell *cell_get(uint64_t id)
{
	return id < nr_cells ? &cells[id] : NULL;
}

struct vcpu *vcpu_of_cpu(unsigned int cpu)
{
	return cpu < HV_MAX_CPUS ? cpu_vcpu[cpu] : NULL;
}

const char *cell_state_name(uint32_t state)
{
	switch (state) {
#define CELL_STATE_CASE(num, NAME, name, doc) \
	case TESSERA_CELL_##NAME: return name;
		TESSERA_CELL_STATES(CELL_STATE_CASE)
#undef CELL_STATE_CASE
	}
	return "?";
}

static int cell_create_one(struct cell *c, const struct tessera_config_header *blob,
			   const struct boot_info *info, char *why, size_t why_len)
{
	const struct tessera_config_cell *cfg = c->cfg;
	const uint8_t *base = (const uint8_t *)blob;
	const char *elf_why = "";
	int err;

	c->name = cfg->name;
	c->mem = (const void *)(base + blob->memory_offset + cfg->memory_first * sizeof(*c->mem));
	c->lock = (struct spinlock)SPINLOCK_INIT;
	c->state = TESSERA_CELL_STOPPED;
	format_snprintf(c->reason, sizeof(c->reason), "never started");

	/* Cell RAM must be RAM nobody else uses: not the hypervisor, its pool, the boot modules, nor what
	 * the firmware reserves. Shared regions too: they are not claimed (both cells map them), but they
	 * must be free RAM all the same, or two cells could share the firmware's tables or the trampoline. */
	for (unsigned int i = 0; i < cfg->memory_count; i++) {
		const struct tessera_config_memory *m = &c->mem[i];
		if (m->flags & TESSERA_MEM_DEVICE)
			continue;
		if (!memmap_is(info->memmap, m->phys, m->size, MEM_RAM)) {
			format_snprintf(
				why, why_len,
				"cell '%s': memory %#llx+%#llx is not free RAM (firmware, hypervisor, "
				"boot modules or another cell)",
				c->name, (unsigned long long)m->phys, (unsigned long long)m->size);
			return -HV_EINVAL;
		}
	}
	for (unsigned int i = 0; i < cfg->memory_count; i++)
		if (!(c->mem[i].flags & (TESSERA_MEM_DEVICE | TESSERA_MEM_SHARED)))
			memmap_claim(info->memmap, c->mem[i].phys, c->mem[i].size);

	const struct boot_module *img = boot_module_find(info, cfg->image);
	if (!img) {
		format_snprintf(why, why_len, "cell '%s': image '%s' is not among the boot modules", c->name,
				cfg->image);
		return -HV_ENOENT;
	}
	c->image = (const void *)(uintptr_t)img->start;
	c->image_size = img->size;
	err = elf_parse(c->image, c->image_size, arch_elf_machine(), &c->elf, &elf_why);
	if (err) {
		format_snprintf(why, why_len, "cell '%s': image '%s': %s", c->name, cfg->image, elf_why);
		return err;
	}

	err = cell_memory_build(c, why, why_len);
	if (!err)
		err = ivc_cell_create(c, blob, why, why_len);
	if (err)
		return err;
	c->pio = (const void *)(base + blob->pio_offset + cfg->pio_first * sizeof(*c->pio));
	c->msr = (const void *)(base + blob->msr_offset + cfg->msr_first * sizeof(*c->msr));
	c->io = arch_cell_io_create(c->pio, cfg->pio_count, c->msr, cfg->msr_count);
	if (!c->io) {
		format_snprintf(why, why_len, "cell '%s': out of memory for its I/O and MSR maps", c->name);
		return -HV_ENOMEM;
	}

	for (unsigned int cpu = 0; cpu < 64; cpu++) {
		if (!(cfg->cpus & (1ULL << cpu)))
			continue;
		if (cpu >= arch_cpu_count() || cpu >= HV_MAX_CPUS) {
			format_snprintf(why, why_len, "cell '%s': CPU %u is not online (%u CPUs online)",
					c->name, cpu, arch_cpu_count());
			return -HV_ERANGE;
		}
		if (cpu_vcpu[cpu]) {
			format_snprintf(why, why_len, "cell '%s': CPU %u already belongs to cell '%s'",
					c->name, cpu, cpu_vcpu[cpu]->cell->name);
			return -HV_EBUSY;
		}
		struct vcpu *v = &vcpu_table[cpu];
		int err = arch_vcpu_create(v);
		if (err) {
			/* its CPUs belong to no cell (cell_create_failed): the ones taken so far park */
			for (unsigned int i = 0; i < c->nr_vcpus; i++)
				cpu_vcpu[c->vcpus[i]->cpu] = NULL;
			c->nr_vcpus = 0;
			format_snprintf(why, why_len, "cell '%s': out of memory for CPU %u's vCPU state",
					c->name, cpu);
			return err;
		}
		v->cpu = cpu;
		v->index = c->nr_vcpus;
		v->cell = c;
		c->vcpus[c->nr_vcpus++] = v;
		cpu_vcpu[cpu] = v;
	}
	if (!c->nr_vcpus) {
		format_snprintf(why, why_len, "cell '%s' has no CPU", c->name);
		return -HV_EINVAL;
	}
	return 0;
}

/*
 * Out of memory while building a cell at boot (its tables, comm region or maps; before any vCPU is its
 * own) fails that cell alone, as the same failure at a later start would: it is reported, counted as
 * failed, and never runs; its CPUs belong to no cell. What it had built stays (the pool is not short of
 * a partial table at boot; a fail point's failure leaves at most that).
 */
static void cell_create_failed(struct cell *c, const char *why)
{
	char prefix[TESSERA_NAME_LEN + 16];
	size_t n = (size_t)format_snprintf(prefix, sizeof(prefix), "cell '%s': ", c->name);

	if (!strncmp(why, prefix, n))
		why += n;
	c->unbuilt = true;
	c->state = TESSERA_CELL_FAILED;
	format_snprintf(c->reason, sizeof(c->reason), "cannot be created: %s", why);
	pr_err("cell '%s' failed: %s", c->name, c->reason);
}

int cells_create(const struct tessera_config_header *blob, const struct boot_info *info, char *why,
		 size_t why_len)
{
	const struct tessera_config_cell *cfg = (const void *)((const uint8_t *)blob + blob->cells_offset);

	if (blob->nr_cells > TESSERA_MAX_CELLS) {
		format_snprintf(why, why_len, "%u cells, at most %u", blob->nr_cells, TESSERA_MAX_CELLS);
		return -HV_ERANGE;
	}
	for (unsigned int i = 0; i < blob->nr_cells; i++) {
		struct cell *c = &cells[i];
		c->id = i;
		c->cfg = &cfg[i];
		/* The cell being built is the one a fail point during its creation belongs to. */
		struct cell *was = cell_at_work_set(c);
		int err = cell_create_one(c, blob, info, why, why_len);
		cell_at_work_set(was);
		if (err == -HV_ENOMEM)
			cell_create_failed(c, why);
		else if (err)
			return err;
		nr_cells = i + 1;
	}
	return 0;
}

/* Per CPU: the cell whose work it does (cell_at_work()), NULL for none. */
static struct cell *at_work[TESSERA_MAX_CPUS];

struct cell *cell_at_work(void)
{
	unsigned int cpu = arch_cpu_id();

	return cpu < TESSERA_MAX_CPUS ? at_work[cpu] : NULL;
}

struct cell *cell_at_work_set(struct cell *c)
{
	unsigned int cpu = arch_cpu_id();
	struct cell *was = cpu < TESSERA_MAX_CPUS ? at_work[cpu] : NULL;

	if (cpu < TESSERA_MAX_CPUS)
		at_work[cpu] = c;
	return was;
}

/* Caller holds c->lock; the cell has no vCPU in a guest. Its memory cleared and its image loaded, not
 * yet running; an error marks it failed. */
static int cell_prepare_locked(struct cell *c)
{
	struct cell *was = cell_at_work_set(c);
	const char *what = "cell start";
	cell_memory_clear(c);
	int err = hook_fail(FAIL_CELL_START, c, NULL);
	if (!err) {
		what = "image load";
		err = cell_memory_load(c);
	}
	cell_at_work_set(was);
	if (err) {
		c->state = TESSERA_CELL_FAILED;
		hook_cell_state(c, TESSERA_CELL_FAILED, err);
		format_snprintf(c->reason, sizeof(c->reason), "%s failed: %s", what, hv_strerror(err));
		pr_err("cell '%s': %s", c->name, c->reason);
	}
	return err;
}

/* Caller holds c->lock; the cell is prepared: its vCPUs go. */
static void cell_release_locked(struct cell *c)
{
	c->halted = 0;
	c->exit_status = 0;
	ivc_cell_start(c);
	format_snprintf(c->reason, sizeof(c->reason), "running");
	for (unsigned int i = 0; i < c->nr_vcpus; i++)
		c->vcpus[i]->stop = false;
	c->restart_pending = false;
	__atomic_store_n(&c->state, TESSERA_CELL_RUNNING, __ATOMIC_RELEASE);
	hook_cell_state(c, TESSERA_CELL_RUNNING, 0);
	/* A new generation releases every vCPU of the cell (vcpu.c waits for it). No kick: an idle CPU
	 * sees it at its next idle timer (at most 1 ms), and a kick that came after the vCPU had entered
	 * the guest was an exit more, which exact exit counts (tests, exitloop's params) do not allow. */
	__atomic_fetch_add(&c->generation, 1, __ATOMIC_RELEASE);
	pr_info("cell '%s' started (%u CPUs, entry %#llx)", c->name, c->nr_vcpus,
		(unsigned long long)c->elf.entry);
}

/* Caller holds c->lock; the cell has no vCPU in a guest. */
static int cell_start_locked(struct cell *c)
{
	int err = cell_prepare_locked(c);

	if (!err)
		cell_release_locked(c);
	return err;
}

static bool cell_vcpus_out(const struct cell *c)
{
	for (unsigned int i = 0; i < c->nr_vcpus; i++)
		if (c->vcpus[i]->in_guest)
			return false;
	return true;
}

/*
 * A cell is marked finished or stopped as soon as that is decided (in its cell_exit hypercall, say), a
 * moment before its vCPUs have left the guest loop. Starting it again waits for them, briefly: a vCPU told
 * to stop leaves at its next exit. Called and returns with c->lock held; true when all have left.
 */
#define START_WAIT_HZ_DIVISOR 10 /* wait at most 1/10 s */

static bool cell_wait_vcpus_out(struct cell *c)
{
	uint64_t hz = arch_timestamp_hz();
	uint64_t deadline = arch_timestamp() + (hz ? hz / START_WAIT_HZ_DIVISOR : 0);

	while (!cell_vcpus_out(c) && c->state != TESSERA_CELL_RUNNING) {
		spin_unlock(&c->lock);
		bool late = arch_timestamp() > deadline;
		if (!late)
			arch_cpu_relax();
		spin_lock(&c->lock);
		if (late)
			break;
	}
	return cell_vcpus_out(c);
}

/* Every vCPU of c has begun its run (vcpu.c sets in_guest as it takes the new generation), or the wait is
 * over: 1/10 s, as cell_wait_vcpus_out's. */
static void cell_wait_vcpus_in(struct cell *c)
{
	uint64_t hz = arch_timestamp_hz();
	uint64_t deadline = arch_timestamp() + (hz ? hz / START_WAIT_HZ_DIVISOR : 0);

	for (unsigned int i = 0; i < c->nr_vcpus; i++)
		while (!c->vcpus[i]->in_guest && READ_ONCE(c->state) == TESSERA_CELL_RUNNING &&
		       arch_timestamp() < deadline)
			arch_cpu_relax();
}

int cells_start_together(struct cell *const *cells, unsigned int n, unsigned int first)
{
	bool ready[TESSERA_MAX_CELLS] = {0};
	int first_err = 0;

	if (n > TESSERA_MAX_CELLS)
		return -HV_EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		struct cell *c = cells[i];
		int err = -HV_EBUSY;
		if (c->unbuilt)
			err = -HV_ENOMEM; /* never built (cell_create_failed) */
		else {
			spin_lock(&c->lock);
			if (c->state != TESSERA_CELL_RUNNING && cell_wait_vcpus_out(c) &&
			    c->state != TESSERA_CELL_RUNNING) {
				c->restart_pending =
					true; /* prepared, not running: no other start may take it */
				err = cell_prepare_locked(c);
				if (err)
					c->restart_pending = false;
			}
			spin_unlock(&c->lock);
		}
		ready[i] = !err;
		first_err = first_err ?: err;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (!ready[i])
			continue;
		spin_lock(&cells[i]->lock);
		/* A stop asked in between cancels the start (cell_stop_by clears restart_pending). */
		if (cells[i]->restart_pending && cells[i]->state != TESSERA_CELL_RUNNING)
			cell_release_locked(cells[i]);
		spin_unlock(&cells[i]->lock);
		if (i + 1 == first)
			for (unsigned int k = 0; k < first; k++)
				if (ready[k])
					cell_wait_vcpus_in(cells[k]);
	}
	return first_err;
}

int cell_start(struct cell *c)
{
	int err = -HV_EBUSY;

	if (c->unbuilt)
		return -HV_ENOMEM; /* never built (cell_create_failed) */
	spin_lock(&c->lock);
	if (c->state != TESSERA_CELL_RUNNING && cell_wait_vcpus_out(c) && c->state != TESSERA_CELL_RUNNING)
		err = cell_start_locked(c);
	spin_unlock(&c->lock);
	return err;
}

/* Caller holds c->lock and has checked that the cell runs; the reason is already in c->reason. */
static void cell_stop_locked(struct cell *c, enum tessera_cell_state state)
{
	c->state = state;
	hook_cell_state(c, state, c->exit_status);
	for (unsigned int i = 0; i < c->nr_vcpus; i++) {
		c->vcpus[i]->stop = true;
		if (c->vcpus[i]->cpu != arch_cpu_id())
			arch_vcpu_kick(c->vcpus[i]->cpu);
	}
}

static void cell_report_state(const struct cell *c, enum tessera_cell_state state)
{
	if (state == TESSERA_CELL_FAILED)
		pr_err("cell '%s' failed: %s", c->name, c->reason);
	else
		pr_info("cell '%s' %s: %s", c->name, cell_state_name(state), c->reason);
}

void cell_stop(struct cell *c, enum tessera_cell_state state, const char *fmt, ...)
{
	va_list ap;

	spin_lock(&c->lock);
	if (c->state != TESSERA_CELL_RUNNING) {
		spin_unlock(&c->lock);
		return;
	}
	va_start(ap, fmt);
	format_vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
	cell_stop_locked(c, state);
	spin_unlock(&c->lock);
	cell_report_state(c, state);
}

/*
 * A manager's stop. It also cancels a restart in flight (the watchdog's, or another manager's): without
 * that, a stop landing between the restart's stop and its start was refused and the cell ran again.
 */
int cell_stop_by(struct cell *c, const char *by)
{
	int err = 0;

	spin_lock(&c->lock);
	if (c->state == TESSERA_CELL_RUNNING) {
		if (by)
			format_snprintf(c->reason, sizeof(c->reason), "stopped by cell '%s'", by);
		else
			format_snprintf(c->reason, sizeof(c->reason), "stopped by the host");
		cell_stop_locked(c, TESSERA_CELL_STOPPED);
	} else if (c->restart_pending) {
		c->restart_pending = false;
		c->state = TESSERA_CELL_STOPPED;
		hook_cell_state(c, TESSERA_CELL_STOPPED, 0);
		format_snprintf(c->reason, sizeof(c->reason), "stopped by %s%s%s (restart cancelled)",
				by ? "cell '" : "the host", by ? by : "", by ? "'" : "");
	} else {
		err = -HV_EINVAL;
	}
	spin_unlock(&c->lock);
	if (!err)
		cell_report_state(c, TESSERA_CELL_STOPPED);
	return err;
}

/*
 * Stop (if running) and start again, so that the caller sees the new run when this returns. The restart
 * is pending from the moment of the stop, under the same lock, so that a manager's stop can cancel it.
 * A vCPU that does not leave the guest in time defers the start to the moment it leaves
 * (cell_vcpu_left). The stop is reported with its reason before the start: the start overwrites
 * c->reason ("running"), so the report works from a copy.
 */
int cell_restart(struct cell *c, const char *fmt, ...)
{
	char why[sizeof(c->reason)];
	bool stopped = false;
	va_list ap;
	int err = 0;

	if (c->unbuilt)
		return -HV_ENOMEM; /* never built (cell_create_failed) */
	va_start(ap, fmt);
	format_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	spin_lock(&c->lock);
	if (c->state == TESSERA_CELL_RUNNING) {
		format_snprintf(c->reason, sizeof(c->reason), "%s (restarting)", why);
		format_snprintf(why, sizeof(why), "%s", c->reason);
		cell_stop_locked(c, TESSERA_CELL_STOPPED);
		stopped = true;
	}
	c->restart_pending = true;
	spin_unlock(&c->lock);
	if (stopped)
		pr_info("cell '%s' %s: %s", c->name, cell_state_name(TESSERA_CELL_STOPPED), why);
	spin_lock(&c->lock);
	if (c->restart_pending && cell_wait_vcpus_out(c) && c->restart_pending &&
	    c->state != TESSERA_CELL_RUNNING)
		err = cell_start_locked(c);
	spin_unlock(&c->lock);
	return err;
}

void cell_vcpu_left(struct vcpu *v)
{
	struct cell *c = v->cell;

	cell_console_flush(v);
	spin_lock(&c->lock);
	v->in_guest = false;
	if (c->state == TESSERA_CELL_RUNNING && ++c->halted == c->nr_vcpus) {
		/* Every vCPU halted with nothing that could wake it: the cell is done. */
		c->state = TESSERA_CELL_FINISHED;
		hook_cell_state(c, c->state, c->exit_status);
		format_snprintf(c->reason, sizeof(c->reason), "all CPUs halted");
		pr_info("cell '%s' finished: %s", c->name, c->reason);
	}
	if (c->state != TESSERA_CELL_RUNNING && cell_vcpus_out(c)) {
		if (c->restart_pending)
			cell_start_locked(c);
		else
			cell_memory_clear(c);
	}
	spin_unlock(&c->lock);
}

bool cells_all_done(void)
{
	for (unsigned int i = 0; i < nr_cells; i++)
		if (READ_ONCE(cells[i].state) == TESSERA_CELL_RUNNING || !cell_vcpus_out(&cells[i]) ||
		    READ_ONCE(cells[i].restart_pending))
			return false;
	return true;
}

__noreturn void cells_shutdown(void)
{
	unsigned int finished = 0, failed = 0;

	for (unsigned int i = 0; i < nr_cells; i++) {
		cell_stats_print(&cells[i]);
		if (cells[i].state == TESSERA_CELL_FAILED)
			failed++;
		else
			finished++;
	}
	mce_print_summary();
	faultinj_report();
	pr_info("shutdown: %u cells finished, %u failed", finished, failed);
	trace_hv_finish();
	arch_machine_stop(TESSERA_EXIT_OK);
}
