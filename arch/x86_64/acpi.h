/* The ACPI tables the hypervisor reads: RSDP, RSDT/XSDT, MADT (processors, APIC addresses). */
#ifndef TESSERA_X86_ACPI_H
#define TESSERA_X86_ACPI_H

#include <tessera/arch.h>

struct acpi_platform {
	uint32_t apic_ids[HV_MAX_CPUS]; /* enabled processors, boot CPU first */
	unsigned int nr_cpus;
	unsigned int nr_cpus_ignored; /* enabled in the MADT but beyond HV_MAX_CPUS */
	uint64_t lapic_base;
	uint64_t ioapic_base; /* 0 if the MADT lists none */
};

/*
 * Find the RSDP (EBDA, then 0xE0000-0xFFFFF), then the MADT, and fill `plat`. `bsp_apic_id` goes first.
 * `to_virt` maps a physical address to a pointer (identity in the hypervisor, a buffer in host tests).
 * Returns 0, -HV_ENOENT if there is no RSDP or MADT, -HV_ECORRUPT on a bad checksum.
 */
int acpi_parse(void *(*to_virt)(uint64_t pa), uint32_t bsp_apic_id, struct acpi_platform *plat);

#endif
