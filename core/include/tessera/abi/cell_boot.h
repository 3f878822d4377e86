/*
 * How a cell's CPUs start (ABI version 1), shared by the hypervisor and the guest runtime.
 *
 * Every CPU of a cell starts at the image's ELF entry point in 64-bit mode, interrupts off, with:
 *   RDI = guest-physical address of a struct tessera_cell_boot_info (read-only for the guest's purposes)
 *   RSI = the CPU's index within the cell (0 .. nr_cpus-1); CPU 0 is the cell's boot CPU
 *   RSP = 0 (the runtime sets up its own stacks)
 *   CR0 = PE|MP|ET|NE|WP|PG, CR4 = PAE|MCE|OSFXSR|OSXMMEXCPT, EFER = LME|LMA|NXE (SVME as the CPU needs)
 *   CR3 = an identity map of guest-physical 0..4 GiB in 2 MiB pages (what is really reachable is
 *         decided by the cell's nested page tables, not by these tables)
 *   CS = 64-bit code, other segments flat; GDTR and IDTR limits 0 (the runtime loads its own)
 *
 * The boot area: the identity-map tables (6 pages) and the boot info page take the top
 * TESSERA_BOOT_AREA_SIZE bytes of the cell's lowest RAM region. The image must not overlap it; the config
 * checker refuses images that do.
 */
#ifndef TESSERA_ABI_CELL_BOOT_H
#define TESSERA_ABI_CELL_BOOT_H

#include <stdint.h>

#define TESSERA_CELL_BOOT_MAGIC	  0x544f4f424c4c4543ULL /* "CELLBOOT" */
#define TESSERA_CELL_BOOT_VERSION 3			/* 2 added comm_region and timer_hz, 3 null_port */
#define TESSERA_BOOT_AREA_PAGES	  7
#define TESSERA_BOOT_AREA_SIZE	  (TESSERA_BOOT_AREA_PAGES * 4096)
#define TESSERA_BOOT_MAX_REGIONS  16
#define TESSERA_BOOT_NO_NULL_PORT 0xffffffffu /* null_port when the hypervisor answers none */

struct tessera_boot_region {
	uint64_t guest_addr;
	uint64_t size;
	uint32_t flags; /* TESSERA_MEM_* from abi/config.h */
	uint32_t reserved;
};

struct tessera_cell_boot_info {
	uint64_t magic;
	uint32_t version;
	uint32_t cell_id;
	char name[32];
	uint32_t nr_cpus;
	uint32_t nr_regions;
	uint64_t tsc_hz; /* TSC frequency as calibrated by the hypervisor, 0 if unknown */
	char args[128];	 /* the cell's `args` from the config, NUL-terminated */
	struct tessera_boot_region regions[TESSERA_BOOT_MAX_REGIONS];
	/* version 2 */
	uint64_t comm_region; /* guest-physical address of the comm region (abi/comm_region.h), 0: none */
	uint64_t timer_hz;    /* input clock of the local APIC timer (before its divider) */
	/* version 3 */
	uint32_t
		null_port; /* the port the hypervisor answers (bench_null_port=) or TESSERA_BOOT_NO_NULL_PORT */
	uint32_t reserved;
};

#endif
