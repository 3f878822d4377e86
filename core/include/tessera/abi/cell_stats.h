/*
 * Per-cell exit counters (ABI version 1), filled by the hypervisor, read by the cell_stats hypercall and
 * printed at shutdown. Indexed by enum tessera_exit_reason, whose table is the one source of reason names.
 */
#ifndef TESSERA_ABI_CELL_STATS_H
#define TESSERA_ABI_CELL_STATS_H

#include <stdint.h>

/* X(NAME, name): the arch-neutral exit reasons every arch decodes its exits into. */
#define TESSERA_EXIT_REASONS(X)   \
	X(HYPERCALL, "hypercall") \
	X(PIO, "pio")             \
	X(MMIO, "mmio")           \
	X(MSR_READ, "msr_read")   \
	X(MSR_WRITE, "msr_write") \
	X(CPUID, "cpuid")         \
	X(HALT, "halt")           \
	X(EXCEPTION, "exception") \
	X(INTERRUPT, "interrupt") \
	X(NMI, "nmi")             \
	X(VIRT_INSN, "virt_insn") \
	X(SHUTDOWN, "shutdown")   \
	X(UNKNOWN, "unknown")

enum tessera_exit_reason {
#define TESSERA_ER_ENUM(NAME, name) TESSERA_ER_##NAME,
	TESSERA_EXIT_REASONS(TESSERA_ER_ENUM)
#undef TESSERA_ER_ENUM
		TESSERA_ER_COUNT
};

#define TESSERA_CELL_STATS_VERSION 1

struct tessera_cell_stats {
	uint32_t version;
	uint32_t nr_reasons; /* TESSERA_ER_COUNT when written */
	uint64_t exits[TESSERA_ER_COUNT];
	uint64_t violations;
	uint64_t hypercalls[16]; /* per hypercall number, for numbers below 16 */
};

#endif
