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

/* Print a backtrace of the caller to the console (used by panic()). */
void arch_dump_backtrace(void);

/*
 * Check that the CPU offers what the hypervisor needs (hardware virtualization, nested paging). Returns 0,
 * or -HV_ENOTSUP with a human-readable reason in `why`.
 */
int arch_virt_probe(char *why, size_t len);

/* Test-only: provoke a fault of the given kind ("pagefault", ...) to exercise the exception path. */
void arch_test_fault(const char *kind);

#endif
