/*
 * Cells and their vCPUs. A cell is what its config entry grants: CPUs, memory regions (mapped in its
 * second-stage tables), I/O ports and MSRs (in the arch's permission maps), and one ELF image kept
 * pristine in hypervisor memory so that the cell can be restarted. One vCPU per physical CPU.
 */
#ifndef TESSERA_CELL_H
#define TESSERA_CELL_H

#include <tessera/compiler.h>
#include <tessera/elf.h>
#include <tessera/ivc.h>
#include <tessera/pgtable.h>
#include <tessera/spinlock.h>
#include <tessera/abi/cell_stats.h>
#include <tessera/abi/config.h>
#include <tessera/abi/hypercall.h>

struct boot_info;
struct cell;
struct vcpu_exit;

#define VCPU_LINE_MAX 160

struct vcpu {
	unsigned int cpu;   /* physical CPU */
	unsigned int index; /* CPU index within the cell */
	struct cell *cell;
	void *arch;		  /* arch state (VMCB, saved registers), allocated by arch_vcpu_create */
	uint32_t started_gen;	  /* the cell generation this vCPU last started */
	volatile bool in_guest;	  /* between start and stop of a run (owned by the vCPU's CPU) */
	volatile bool stop;	  /* asked to leave the guest at the next exit */
	bool halted;		  /* halted with nothing that could wake it: done for this run */
	char line[VCPU_LINE_MAX]; /* console_write text up to the next newline */
	unsigned int line_len;
	unsigned int tick_countdown; /* exits left until CPU 0's next tick (vcpu.c) */
	/* This vCPU's share of its cell's counters: only its own CPU writes them (no lock, no atomic
	 * read-modify-write on the exit path); cell_stats_get() sums a cell's vCPUs. */
	struct tessera_cell_stats stats;
	uint64_t violations_by_reason[TESSERA_ER_COUNT];
};

/* The console VIOLATION lines of one cell, rate-limited (exit.c): the first few in full, then at most
 * one per interval, with a count of those left out; all are counted and traced. */
struct violation_log {
	uint32_t printed;	 /* lines printed in full so far */
	uint64_t next_tsc;	 /* after the burst: no line before this time stamp */
	uint64_t suppressed;	 /* lines left out since the last one printed */
	uint64_t suppressed_all; /* lines left out in all */
};

struct cell {
	unsigned int id; /* index in the config */
	const struct tessera_config_cell *cfg;
	const struct tessera_config_memory *mem; /* cfg->memory_count entries */
	const struct tessera_config_pio *pio;	 /* cfg->pio_count entries */
	const struct tessera_config_msr *msr;	 /* cfg->msr_count entries */
	const char *name;
	const void *image; /* the pristine ELF in hypervisor memory */
	size_t image_size;
	struct elf_image elf;
	struct pgtable stage2;
	void *io;	       /* arch permission maps */
	uint64_t boot_area;    /* guest-physical start of the boot area */
	uint64_t boot_area_pa; /* its host-physical start */
	struct vcpu *vcpus[TESSERA_MAX_CPUS];
	unsigned int nr_vcpus;
	struct spinlock lock;	 /* state changes */
	volatile uint32_t state; /* enum tessera_cell_state */
	volatile uint32_t generation;
	volatile bool restart_pending;
	/* Its boot-time creation ran out of memory (an injected fail point, or a pool too small): it failed
	 * then and can never start; the other cells run (cells_create). */
	bool unbuilt;
	unsigned int halted; /* vCPUs halted for good in this run */
	int64_t exit_status;
	/* Why it stopped: "exit status 0", "cpu 1 crashed: ... at rip ...". Room for the longest report
	 * (an unexpected exit: name, code, two info words, PC) so that nothing, the PC least, is cut. */
	char reason[256];
	struct violation_log vlog;
	/* Copies to or from its memory that failed (a bad buffer, an injected guest_copy fail point): the
	 * hypercall returned an error, and the cell may have dropped what it meant to say; in the stats. */
	uint64_t copy_failures;
	struct cell_ivc ivc; /* comm region and watchdog (ivc.c) */
};

static inline const struct tessera_config_msr *cell_msrs(const struct cell *c)
{
	return c->msr;
}

/* The cell table (cell.c). */
extern struct cell cells[TESSERA_MAX_CELLS];
extern unsigned int nr_cells;

/*
 * Boot (cells_load.c): find the config blob among the boot modules and check it (NULL: no modules, nothing
 * to run; a bad blob stops the machine), then build and start every cell.
 */
const struct tessera_config_header *cells_config_find(const struct boot_info *info);
void cells_load(const struct tessera_config_header *hdr, const struct boot_info *info);

/* Build every cell from the checked blob and the boot modules; 0 or -HV_E* with *why set. */
int cells_create(const struct tessera_config_header *blob, const struct boot_info *info, char *why,
		 size_t why_len);
struct cell *cell_get(uint64_t id);
/* The vCPU a physical CPU runs, or NULL if the CPU belongs to no cell. */
struct vcpu *vcpu_of_cpu(unsigned int cpu);

/*
 * The cell the calling CPU works for (its start, its vCPU's set-up), NULL for none: fail points that have
 * no cell at hand (a page allocation, a page-table map) are attributed to it. Set returns the previous.
 */
struct cell *cell_at_work(void);
struct cell *cell_at_work_set(struct cell *c);

/* Lifecycle. start: load the image from the pristine copy and release the vCPUs. */
int cell_start(struct cell *c);
/*
 * Ended cells started again together: each prepared (memory cleared, image loaded) before any runs, then
 * all released in the array's order, so that the last runs microseconds after the first, not after
 * everyone's image loads. A cell that fails its preparation is failed; the first error is returned.
 */
int cells_start_together(struct cell *const *cells, unsigned int n, unsigned int first);
/* Ask every vCPU to leave; the last one out clears the memory. `state` is STOPPED/FINISHED/FAILED. */
void cell_stop(struct cell *c, enum tessera_cell_state state, const char *fmt, ...) __printf(3, 4);
int cell_restart(struct cell *c, const char *fmt, ...) __printf(2, 3);
/* A manager's stop (`by` its name; NULL: the host's, through the control mailbox): stops a running cell
 * or cancels a restart in flight; -HV_EINVAL otherwise. */
int cell_stop_by(struct cell *c, const char *by);
/* Called by a vCPU's CPU when it left the guest for good in this run. */
void cell_vcpu_left(struct vcpu *v);
/* True when no cell is running and no vCPU is in a guest. */
bool cells_all_done(void);
/* Print the per-cell counters and the final line, then stop the machine. */
__noreturn void cells_shutdown(void);
const char *cell_state_name(uint32_t state);

/* Guest memory access through the cell's second-stage map (checks permissions). */
/* 0 if the cell may read (write) all of guest-physical [gpa, gpa+len), else -HV_ERANGE or -HV_EPERM. */
int cell_check_guest_range(struct cell *c, uint64_t gpa, size_t len, bool write);
int cell_copy_from_guest(struct cell *c, void *dst, uint64_t gpa, size_t len);
int cell_copy_to_guest(struct cell *c, uint64_t gpa, const void *src, size_t len);

/* Memory (cell_memory.c): the cell's second-stage tables, clearing, image and boot-area loading. */
int cell_memory_build(struct cell *c, char *why, size_t why_len);
void cell_memory_clear(struct cell *c);
/*
 * The shared RAM regions of the cells in `set` (bit k: cell k) that no cell outside the set maps, cleared
 * as a boot finds them: for a command that starts all their sharers again at once, each of them ended
 * (a cell's own restart keeps them, its peer still uses them).
 */
void cells_memory_clear_shared(uint64_t set);
int cell_memory_load(struct cell *c);
uint64_t cell_boot_info_addr(const struct cell *c);
unsigned int cell_memory_pgflags(uint32_t mem_flags);

/* The sum of the cell's vCPUs' counters (version and nr_reasons set). */
void cell_stats_get(const struct cell *c, struct tessera_cell_stats *out);
void cell_stats_print(const struct cell *c);
const char *cell_exit_reason_name(unsigned int reason);

/* The per-CPU loop (vcpu.c): run this CPU's vCPU whenever its cell starts; CPU 0 also ends the run. */
__noreturn void vcpu_cpu_loop(unsigned int cpu);

/* A violation of the cell's config: report, then stop the cell or inject per its policy. */
void cell_violation(struct vcpu *v, const struct vcpu_exit *exit, int fault, const char *fmt, ...)
	__printf(4, 5);

/* Whether the cell's config grants MSR `index` for `want` (TESSERA_MSR_READ / TESSERA_MSR_WRITE). */
bool cell_msr_allowed(const struct cell *c, uint32_t index, uint32_t want);
/* A refused request answered with an error rather than a fault: counted, reported and traced (addr: what
 * it concerned, e.g. the doorbell's peer). */
void cell_violation_count(struct vcpu *v, uint64_t addr, const char *what);

/* Cell console (cell_console.c): text from the guest, printed as "[name] line". */
void cell_console_write(struct vcpu *v, const char *s, size_t len);
void cell_console_flush(struct vcpu *v);

/* Hypercalls (hypercall.c). Dispatch one from the cell's kernel; refuse one from user mode. */
int64_t hypercall_dispatch(struct vcpu *v, uint64_t nr, const uint64_t args[4]);
int64_t hypercall_refuse_user_mode(struct vcpu *v, uint64_t nr);
/* The hypercall's name from the ABI table, "?" for a number it does not have. */
const char *hypercall_name(uint64_t nr);

#endif
