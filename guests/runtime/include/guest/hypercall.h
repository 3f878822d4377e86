/*
 * Hypercall wrappers (ABI in abi/hypercall.h): VMMCALL with RAX = number, RDI, RSI, RDX, RCX = arguments;
 * the result comes back in RAX (>= 0 success, < 0 a negated enum hv_error). The numbers are the
 * TESSERA_HC_* enumerators generated from the TESSERA_HYPERCALLS table; none is written here.
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <tessera/compiler.h>
#include <tessera/error.h>
#include <tessera/abi/hypercall.h>
#include <tessera/abi/cell_stats.h>

static inline int64_t hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	int64_t ret;
	__asm__ volatile("vmmcall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "c"(a3) : "memory");
	return ret;
}

static inline int64_t hypercall_nop(void)
{
	return hypercall(TESSERA_HC_NOP, 0, 0, 0, 0);
}

static inline int64_t hypercall_console_write(const void *buf, uint64_t len)
{
	return hypercall(TESSERA_HC_CONSOLE_WRITE, (uint64_t)(uintptr_t)buf, len, 0, 0);
}

/* One result line (no newline, at most TESSERA_RESULTS_RECORD_MAX bytes) into the cell's ring of the results
 * page (abi/results.h): 0, -HV_ENOMEM when the ring was full, -HV_ENOTSUP when there is no page. */
static inline int64_t hypercall_results_write(const void *buf, uint64_t len)
{
	return hypercall(TESSERA_HC_RESULTS_WRITE, (uint64_t)(uintptr_t)buf, len, 0, 0);
}

static inline int64_t hypercall_cell_exit(int64_t status)
{
	return hypercall(TESSERA_HC_CELL_EXIT, (uint64_t)status, 0, 0, 0);
}

/* The calling cell's id. */
static inline int64_t hypercall_cell_id(void)
{
	return hypercall(TESSERA_HC_CELL_INFO, 0, 0, 0, 0);
}

static inline int64_t hypercall_nr_cells(void)
{
	return hypercall(TESSERA_HC_CELL_INFO, 1, 0, 0, 0);
}

static inline int64_t hypercall_cell_stats(uint64_t cell, struct tessera_cell_stats *stats, uint64_t size)
{
	return hypercall(TESSERA_HC_CELL_STATS, cell, (uint64_t)(uintptr_t)stats, size, 0);
}

static inline int64_t hypercall_cell_start(uint64_t cell)
{
	return hypercall(TESSERA_HC_CELL_START, cell, 0, 0, 0);
}

static inline int64_t hypercall_cell_stop(uint64_t cell)
{
	return hypercall(TESSERA_HC_CELL_STOP, cell, 0, 0, 0);
}

static inline int64_t hypercall_cell_restart(uint64_t cell)
{
	return hypercall(TESSERA_HC_CELL_RESTART, cell, 0, 0, 0);
}

/* Manager only: ask `cell` to shut down through its comm region (answered asynchronously). */
static inline int64_t hypercall_cell_shutdown(uint64_t cell)
{
	return hypercall(TESSERA_HC_CELL_SHUTDOWN, cell, 0, 0, 0);
}

static inline int64_t hypercall_cell_state(uint64_t cell)
{
	return hypercall(TESSERA_HC_CELL_STATE, cell, 0, 0, 0);
}

#endif
