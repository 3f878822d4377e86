/*
 * The one interface between the arch-neutral core and arch/<arch>/. Core code includes this header and
 * nothing from arch/; each architecture implements every function here.
 *
 * Boot flow: arch entry code brings the boot CPU to a known state (stack, console, exception handlers,
 * the hypervisor's own page tables), fills a struct boot_info and calls hv_main(). Core calls
 * arch_cpus_start() to bring up the other CPUs; each of them ends in hv_cpu_main().
 */
#ifndef TESSERA_ARCH_H
#define TESSERA_ARCH_H

#include <tessera/compiler.h>
#include <tessera/abi/exit_status.h>

#define HV_MAX_CPUS	    16
#define HV_MAX_BOOT_MODULES 16

struct memmap;

struct boot_module {
	uint64_t start; /* physical address of the first byte */
	uint64_t size;
	const char *name; /* the module's command line, e.g. its file name */
};

struct boot_info {
	struct memmap *memmap; /* physical RAM as the firmware reported it, with reservations applied */
	const char *cmdline;   /* hypervisor command line ("" when none) */
	struct boot_module modules[HV_MAX_BOOT_MODULES];
	unsigned int nr_modules;
	uint64_t hv_start, hv_end; /* physical extent of the hypervisor image */
};

/* ---- implemented by core ---- */
__noreturn void hv_main(struct boot_info *info);
__noreturn void hv_cpu_main(unsigned int cpu);

/* ---- implemented by arch ---- */

/* Index of the calling CPU, 0 .. arch_cpu_count()-1; the boot CPU is 0. */
unsigned int arch_cpu_id(void);
/* CPUs online so far (only grows). */
unsigned int arch_cpu_count(void);
/* Start every other CPU the platform reports; each ends in hv_cpu_main(). Returns the number online. */
unsigned int arch_cpus_start(void);

/* Busy-wait hint. */
void arch_cpu_relax(void);
/* Wait (interrupts enabled only while waiting) for about `us` or until an interrupt arrives: in HLT, or
 * with the `idle=poll` option in a PAUSE loop that never halts (arch/x86_64/idle.c). */
void arch_cpu_idle_us(uint64_t us);
/* Stop this CPU for good, interrupts off. */
__noreturn void arch_cpu_park(void);
/* End the whole machine with a status the host can read (see abi/exit_status.h). */
__noreturn void arch_machine_stop(enum tessera_exit_code code);

/* Raw console output (the serial port); the caller serializes. */
void arch_console_write(const char *s, size_t len);

/* A monotonic per-CPU counter and its frequency (Hz), calibrated at boot. */
uint64_t arch_timestamp(void);
uint64_t arch_timestamp_hz(void);

/* Interrupt masking on the calling CPU; restore returns to the state that save found. */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);

/*
 * The host channel: memory that the host tool maps too while the machine runs (principle 5, docs/architecture.md), for
 * the trace control block and rings. False (and nothing set) when the platform has none.
 */
bool arch_host_channel(void **base, uint64_t *size);

/* Print a backtrace of the caller to the console (used by panic()). */
void arch_dump_backtrace(void);

/*
 * Check that the CPU offers what the hypervisor needs (hardware virtualization, nested paging). Returns 0,
 * or -HV_ENOTSUP with a human-readable reason in `why`.
 */
int arch_virt_probe(char *why, size_t len);

/* What the machine keeps for the hypervisor (MMIO it drives, pages it emulates), for config_check. */
struct config_platform;
const struct config_platform *arch_config_platform(void);

/*
 * Machine checks (mce.h, docs/machine-checks.md). poll: collect what the calling CPU's banks recorded
 * without an #MC reaching the hypervisor (corrected errors; under TCG, one delivered into a guest),
 * normal context. synthesize: the software path of a fault plan: a record built as the hardware's
 * would be, classified and passed through the same hw_error point, then the queue drained (normal
 * context); 0 or -HV_EINVAL (no such CPU or bank, or VAL clear). inject: forward a record to vCPU `v`:
 * its virtual MCA takes it and a virtual #MC is raised (unless the hardware already delivered this one
 * into the guest); -HV_EBUSY if the vCPU's virtual MCIP is still set (its CPU would shut down).
 */
struct mce_record;
struct vcpu;
void arch_mce_poll(void);
int arch_mce_synthesize(unsigned int cpu, unsigned int bank, uint64_t status, uint64_t addr, uint64_t misc,
			uint64_t mcg_status);
int arch_vcpu_inject_mce(struct vcpu *v, const struct mce_record *r);

/* Test-only: provoke a fault of the given kind ("pagefault", ...) to exercise the exception path. */
void arch_test_fault(const char *kind);

/*
 * ==== virtualization ====
 * What core/vcpu.c, core/cell.c and core/exit.c ask of the architecture to run cells. Core owns the
 * policy (which cell, which memory, what a violation means); arch owns the hardware (SVM/VMX/EL2 state,
 * the exit decoding, the permission bitmaps). Every exit is decoded into a struct vcpu_exit (exit.h).
 */
struct pgtable_format;
struct vcpu;
struct vcpu_exit;
struct tessera_config_pio;
struct tessera_config_msr;

/* The ELF machine number of guest images (EM_X86_64, EM_AARCH64). */
uint16_t arch_elf_machine(void);

/* Enable virtualization on the calling CPU (once per CPU, before its first vCPU). 0 or -HV_E*. */
int arch_virt_cpu_init(void);

/* The format of the cells' second-stage tables, and the flags every second-stage leaf needs. */
const struct pgtable_format *arch_stage2_format(void);
unsigned int arch_stage2_flags(unsigned int flags);

/*
 * Per-cell access-control state the hardware consults without exiting: the I/O port and MSR maps.
 * Built once from the config's allow-lists (default deny). Returns an opaque pointer, NULL if out of memory.
 */
void *arch_cell_io_create(const struct tessera_config_pio *pio, unsigned int nr_pio,
			  const struct tessera_config_msr *msr, unsigned int nr_msr);

/* Boot state for a vCPU (see abi/cell_boot.h): 64-bit mode at `entry`, page tables at `cr3`. */
struct vcpu_boot_state {
	uint64_t entry;
	uint64_t page_table; /* guest-physical root of the boot identity map */
	uint64_t arg0, arg1; /* first two argument registers (boot info, CPU index in cell) */
};

/*
 * Allocate the vCPU's arch state (VMCB, save areas), when its cell is built at boot: a start or restart
 * then allocates nothing, so it cannot run out of memory, and a cell's first start is no different from
 * its later ones (in a shared-boot campaign, a fail point counted from a restart otherwise met the
 * vCPU's allocations only in the first experiment of a boot).
 */
int arch_vcpu_create(struct vcpu *v);
/* Set up the vCPU `v` (arch state from arch_vcpu_create) for its cell: stage-2 root, io maps, boot state. */
int arch_vcpu_reset(struct vcpu *v, uint64_t stage2_root, void *cell_io, const struct vcpu_boot_state *boot);
/*
 * Run the vCPU: enter the guest, decode each exit into `exit` and hand it to the core's vcpu_exit(), and
 * enter again while that returns true. The loop is the arch's so that the guest entry, which clobbers
 * every register, saves the host's callee-saved registers once per run rather than once per exit.
 */
void arch_vcpu_run(struct vcpu *v, struct vcpu_exit *exit);
/* The core's side of each exit (exit.c): false when the vCPU is to leave the guest. */
bool vcpu_exit(struct vcpu *v, struct vcpu_exit *exit);
/* The guest instruction pointer at which the vCPU resumes. */
uint64_t arch_vcpu_pc(struct vcpu *v);
/* What the architecture calls the program counter ("rip" on x86_64), for reports that name it. */
const char *arch_pc_name(void);
/* Resume after the exiting instruction (uses the next-pc the decoder found). */
void arch_vcpu_skip(struct vcpu *v, const struct vcpu_exit *exit);
/*
 * Whether the vCPU runs at the architecture's most privileged guest level (x86: CPL 0). Hypercalls come
 * only from there: an OS's processes must not reach the hypervisor (docs/hypercalls.md).
 */
bool arch_vcpu_kernel_mode(struct vcpu *v);
/* Return a hypercall result to the guest. */
void arch_vcpu_set_hypercall_result(struct vcpu *v, int64_t result);
/* Complete an emulated port read / MSR read (value goes to the guest's destination register). */
void arch_vcpu_complete_pio_read(struct vcpu *v, const struct vcpu_exit *exit, uint32_t value);
void arch_vcpu_complete_msr_read(struct vcpu *v, uint64_t value);
/* Emulate CPUID with the cell's feature filter applied. */
void arch_vcpu_emulate_cpuid(struct vcpu *v, const struct vcpu_exit *exit);
/*
 * An exception the arch intercepts only so that the guest cannot wedge its CPU with it (on x86 #DB and
 * #AC: an exception raised while delivering itself loops inside the CPU, CVE-2015-5307/8104): give it
 * back to the guest as if it had not been intercepted. False if this exception is not one of those.
 */
bool arch_vcpu_reflect_exception(struct vcpu *v, const struct vcpu_exit *exit);
/* Emulate an intercepted instruction the cell may execute (x86: MOV to CR0/CR4, XSETBV), validated as the
 * CPU would; false if this one is not emulated (then it is a privileged instruction: a violation). */
bool arch_vcpu_emulate_insn(struct vcpu *v, const struct vcpu_exit *exit);
/* Emulate an access to an MSR the hypervisor must always own (e.g. EFER); false if it is not one. */
bool arch_vcpu_emulate_owned_msr(struct vcpu *v, const struct vcpu_exit *exit, bool allowed);

/* Faults the core can ask to inject (arch-neutral names; arch maps them to vectors). */
enum vcpu_fault {
	VCPU_FAULT_GP, /* general protection, error code 0 */
	VCPU_FAULT_PF, /* page fault at exit->mem.gla if known, else at the guest-physical address */
	VCPU_FAULT_UD, /* invalid opcode */
};
void arch_vcpu_inject_fault(struct vcpu *v, const struct vcpu_exit *exit, enum vcpu_fault fault);

/* Interrupt a CPU that may be running a vCPU so that it exits soon. */
void arch_vcpu_kick(unsigned int cpu);

/*
 * Virtual interrupts (docs/ivc.md). post: raise `vector` in vCPU `v` from any CPU (kicks it); `source`
 * (enum tessera_trace_irq_source, trace/events.h) says who posts it, for the irq_post trace event.
 * wait_irq: the vCPU halted with interrupts enabled; block until an interrupt can be delivered (true) or
 * the vCPU is asked to stop (false). emulate_mmio: an access to an emulated device page (the local
 * interrupt controller); true when handled (emulated, or reported as a violation). timer_hz: the input
 * clock of the cells' virtual timers.
 */
void arch_vcpu_post_irq(struct vcpu *v, uint8_t vector, unsigned int source);
bool arch_vcpu_wait_irq(struct vcpu *v);
bool arch_vcpu_emulate_mmio(struct vcpu *v, struct vcpu_exit *exit);
uint64_t arch_vcpu_timer_hz(void);

/*
 * For hook clients (fault injection, research hooks), on the vCPU's own CPU at an exit; each change takes
 * effect when the guest resumes. reg_get/set: a guest register by arch-neutral name (tessera/guest_reg.h),
 * 0 or -HV_EINVAL/-HV_ENOTSUP. hypercall_arg_reg: the register that carries hypercall argument i (0-3).
 * intercept_exception: make exception `vector` exit (on) or go straight to the guest (off); the arch
 * refuses what it must keep (x86: #MC off). timer_vector: the vector the vCPU's timer raises, 0 when
 * masked. stage2_changed: the cell's second-stage map changed; drop what the vCPU cached of it.
 * exit_at: make the vCPU exit (an interrupt exit) when the TSC reaches `tsc`, even if the guest does
 * nothing that exits; 0 cancels.
 */
#include <tessera/guest_reg.h>
int arch_vcpu_reg_get(struct vcpu *v, enum guest_reg r, uint64_t *value);
int arch_vcpu_reg_set(struct vcpu *v, enum guest_reg r, uint64_t value);
enum guest_reg arch_hypercall_arg_reg(unsigned int i);
int arch_vcpu_intercept_exception(struct vcpu *v, unsigned int vector, bool on);
unsigned int arch_vcpu_timer_vector(struct vcpu *v);
void arch_vcpu_stage2_changed(struct vcpu *v);
void arch_vcpu_exit_at(struct vcpu *v, uint64_t tsc);

#endif
