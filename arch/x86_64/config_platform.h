/*
 * What an x86 PC keeps for the hypervisor, as the arch-neutral config checker wants it (struct
 * config_platform): the physical local APIC and IOAPIC pages, the host channel's BAR, and the guest page
 * where every cell finds its emulated local APIC. Pure data, built for the host tools and the hypervisor.
 */
#ifndef TESSERA_X86_CONFIG_PLATFORM_H
#define TESSERA_X86_CONFIG_PLATFORM_H

#include <tessera/config_check.h>

#define X86_LAPIC_ARCH_BASE  0xfee00000ULL /* architectural defaults, what the host assumes */
#define X86_MSI_WINDOW_BASE  0xfee00000ULL /* interrupt messages: LAPIC page + MSI writes, 1 MiB */
#define X86_MSI_WINDOW_SIZE  0x100000ULL
#define X86_IOAPIC_ARCH_BASE 0xfec00000ULL
#define X86_GUEST_LAPIC_PAGE 0xfee00000ULL
#define X86_LOW_MEMORY \
	0x100000ULL /* real-mode memory: firmware, tables, the SMP trampoline */ /* where a cell's CPUs see their (emulated) local APIC */

/* Fill `p` from what the machine has; an ioapic or chan_size of 0 means none. */
void x86_config_platform_fill(struct config_platform *p, uint64_t lapic, uint64_t ioapic, uint64_t chan_base,
			      uint64_t chan_size);

/* The host's view: the architectural LAPIC and IOAPIC addresses (the BAR is unknown before boot). */
const struct config_platform *x86_config_platform_default(void);

#endif
