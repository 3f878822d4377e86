/*
 * What an x86 PC keeps for the hypervisor, as the arch-neutral config checker wants it (struct
 * config_platform): the table of config_platform_table.h (ports, MSRs, physical ranges, each with a
 * reason), what the machine places at boot (a relocated LAPIC, the IOAPIC ACPI reports, the host
 * channel's BAR), the guest page where every cell finds its emulated local APIC, and the MSR ranges the
 * SVM permission map covers. Pure data, built for the host tools and the hypervisor.
 */
#ifndef TESSERA_X86_CONFIG_PLATFORM_H
#define TESSERA_X86_CONFIG_PLATFORM_H

#include <tessera/config_check.h>

#include "config_platform_table.h"

#define X86_LAPIC_ARCH_BASE  0xfee00000ULL /* architectural defaults, what the host assumes */
#define X86_MSI_WINDOW_BASE  0xfee00000ULL /* interrupt messages: LAPIC page + MSI writes, 1 MiB */
#define X86_MSI_WINDOW_SIZE  0x100000ULL
#define X86_IOAPIC_ARCH_BASE 0xfec00000ULL
#define X86_GUEST_LAPIC_PAGE 0xfee00000ULL /* where a cell's CPUs see their (emulated) local APIC */
#define X86_LOW_MEMORY	     0x100000ULL   /* real-mode memory: firmware, tables, the SMP trampoline */

enum x86_keep_kind { X86_KEEP_PORT, X86_KEEP_MSR, X86_KEEP_PHYS };

enum x86_keep_category {
#define X86_KEEP_CATEGORY_ENUM(id, text) X86_KEEP_##id,
	X86_KEEP_CATEGORIES(X86_KEEP_CATEGORY_ENUM)
#undef X86_KEEP_CATEGORY_ENUM
		X86_KEEP_NR_CATEGORIES
};

/* One row of X86_KEEPS. */
struct x86_keep {
	enum x86_keep_kind kind;
	uint64_t first, last; /* inclusive */
	const char *what;
	enum x86_keep_category category;
	const char *reason;
};

extern const struct x86_keep x86_keeps[];
extern const unsigned int x86_nr_keeps;

/* "DMA-capable", ... (X86_KEEP_CATEGORIES) */
const char *x86_keep_category_text(enum x86_keep_category c);

/* Fill `p` from the table and what the machine has; an ioapic or chan_size of 0 means none. */
void x86_config_platform_fill(struct config_platform *p, uint64_t lapic, uint64_t ioapic, uint64_t chan_base,
			      uint64_t chan_size);

/* The host's view: the architectural LAPIC and IOAPIC addresses (the BAR is unknown before boot). */
const struct config_platform *x86_config_platform_default(void);

/*
 * The RAM QEMU's pc machine (SeaBIOS) reserves for a given -m, measured from SeaBIOS's e820 map with QEMU
 * 7.2: RAM below 4 GiB ends at -m, or at 3 GiB when -m is 3.5 GiB or more (the rest goes above 4 GiB),
 * and SeaBIOS keeps the top 128 KiB of that low RAM for its own tables. The hypervisor learns the same
 * from the multiboot memory map at boot; the host derives it so that `tessera config check` and `tessera
 * run` refuse such a region before QEMU starts. Adds to p->phys the reserved top, and for large -m the
 * hole between the low RAM's end and 4 GiB (not RAM there).
 */
#define X86_QEMU_PC_FW_RESERVED	  0x20000ULL	 /* 128 KiB */
#define X86_QEMU_PC_SPLIT_AT	  0xe0000000ULL	 /* -m from which low RAM stops at 3 GiB */
#define X86_QEMU_PC_LOW_RAM_MAX	  0xc0000000ULL	 /* 3 GiB */
#define X86_QEMU_PC_HIGH_RAM_BASE 0x100000000ULL /* 4 GiB */
uint64_t x86_qemu_pc_low_ram_end(uint64_t ram_size);
/* One range the firmware's memory map reserves (the hypervisor adds each one its e820 map lists). */
void x86_config_platform_add_firmware_ram(struct config_platform *p, uint64_t base, uint64_t size);
void x86_config_platform_add_qemu_pc_ram(struct config_platform *p, uint64_t ram_size);

#endif
