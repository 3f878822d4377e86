/*
 * The inmate runtime: what every guest image gets from guests/runtime.
 *
 * The boot stub (entry.S) follows abi/cell_boot.h: each CPU gets a stack from .bss, CPU 0 zeroes .bss while
 * the others wait, every CPU loads the runtime's GDT, IDT and page tables, then CPU 0 calls main() and the
 * others call secondary_main(). main's return value becomes the cell's exit status (cell_exit hypercall).
 */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

#include <tessera/compiler.h>
#include <tessera/abi/cell_boot.h>
#include <tessera/abi/config.h>

#define RUNTIME_MAX_CPUS   TESSERA_MAX_CPUS
#define RUNTIME_STACK_SIZE 16384

/* The runtime's GDT: null, kernel code 0x08, kernel data 0x10, user data 0x18, user code 0x20, then a TSS
 * descriptor (two entries) per CPU from RUNTIME_GDT_TSS. */
#define RUNTIME_GDT_TSS	    5
#define RUNTIME_GDT_ENTRIES (RUNTIME_GDT_TSS + 2 * RUNTIME_MAX_CPUS)
extern uint64_t runtime_gdt[RUNTIME_GDT_ENTRIES];

/* Exit status of a cell that took an unexpected exception: RUNTIME_EXIT_FAULT + vector. */
#define RUNTIME_EXIT_FAULT 0x100

/* Provided by the inmate. */
int main(const struct tessera_cell_boot_info *info);
/* Weak default: halt forever. */
void secondary_main(unsigned int cpu);

/* The boot info the cell was started with (valid on every CPU once main or secondary_main runs). */
const struct tessera_cell_boot_info *runtime_boot_info(void);
/* This CPU's index in the cell, derived from the stack pointer (so it works inside exception handlers). */
unsigned int cpu_current(void);
/* Flush this CPU's console line, exit the cell with `status`; never returns. */
void __noreturn runtime_exit(int status);
void __noreturn cpu_halt_forever(void);

/* Find `key` or `key=value` in the cell's args; like cmdline_get. */
bool args_get(const char *key, const char **value, size_t *len);
/* The number given as `key=N` (decimal, or with K/M/G) in the cell's args; `def` when absent or malformed. */
uint64_t args_number(const char *key, uint64_t def);

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

#endif
