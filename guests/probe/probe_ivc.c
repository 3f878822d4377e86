/*
 * Interrupts and inter-cell communication: IPIs, NMIs, INIT, SIPI and SMI aimed outside the cell through
 * the cell's (virtual) local APIC, local APIC accesses the hypervisor does not emulate, doorbells to cells
 * the config does not list, and writes to a shared region that is read-only for this cell (share: in).
 */
#include "probe.h"
#include <guest/comm.h>
#include <guest/irq.h>
#include <guest/print.h>
#include <guest/test.h>
#include <tessera/abi/config.h>

#define APIC	    0xfee00000UL
#define ICR_LO	    0x300
#define ICR_HI	    0x310
#define ICR_ASSERT  0x4000
#define ICR_LOGICAL 0x800
#define ICR_SELF    (1u << 18)
#define MODE_SMI    0x200
#define MODE_NMI    0x400
#define MODE_INIT   0x500
#define MODE_SIPI   0x600
#define POISON32    0x50524f42u /* "PROB" */

struct icr {
	uint32_t dest, lo;
};

static uint64_t send_icr(void *arg)
{
	struct icr *i = arg;
	lapic_write(ICR_HI, i->dest << 24);
	lapic_write(ICR_LO, i->lo);
	return 0;
}

static uint64_t apic_read64(void *arg)
{
	(void)arg;
	return *(volatile uint64_t *)(APIC + 0x30); /* a 64-bit access: not a form the hypervisor emulates */
}

static uint64_t apic_read_unaligned(void *arg)
{
	(void)arg;
	return *(volatile uint32_t *)(APIC + 0x24);
}

static uint64_t apic_write_reserved(void *arg)
{
	(void)arg;
	*(volatile uint32_t *)(APIC + 0x3f0) = 0;
	return 0;
}

static uint64_t ring(void *arg)
{
	return (uint64_t)hypercall_doorbell_ring((uint64_t)(uintptr_t)arg);
}

static uint64_t write32(void *arg)
{
	*(volatile uint32_t *)arg = POISON32;
	return 0;
}

static uint64_t exec_at(void *arg)
{
	return ((uint64_t(*)(void))arg)();
}

static void try_icr(const char *name, uint32_t dest, uint32_t lo)
{
	struct icr i = {dest, lo};
	probe_attempt(name, send_icr, &i);
}

void probe_ivc(struct probe *p)
{
	uint32_t self = lapic_id();
	/* CPU 0 is the hypervisor's; any other APIC ID is another cell's CPU (the probe cell has one). */
	uint32_t other = self == 1 ? 2 : 1;

	test_report("lapic_own_id_readable", self != 0 && self < 64, "own APIC ID %u", self);
	try_icr("ipi_fixed_to_hypervisor_cpu", 0, ICR_ASSERT | 0x40);
	try_icr("ipi_fixed_to_other_cell", other, ICR_ASSERT | 0x40);
	try_icr("ipi_nmi_to_other_cell", other, ICR_ASSERT | MODE_NMI);
	try_icr("ipi_nmi_to_hypervisor_cpu", 0, ICR_ASSERT | MODE_NMI);
	try_icr("ipi_init_to_other_cell", other, ICR_ASSERT | MODE_INIT);
	try_icr("ipi_sipi_to_other_cell", other, MODE_SIPI | 0x08);
	try_icr("ipi_smi_to_other_cell", other, ICR_ASSERT | MODE_SMI);
	try_icr("ipi_smi_to_self", 0, ICR_ASSERT | MODE_SMI | ICR_SELF);
	try_icr("ipi_broadcast", 0xff, ICR_ASSERT | 0x40);
	try_icr("ipi_logical_destination", 0xff, ICR_ASSERT | ICR_LOGICAL | 0x40);
	try_icr("ipi_vector_below_16", self, ICR_ASSERT | 0x05);
	probe_attempt("lapic_64bit_access", apic_read64, NULL);
	probe_attempt("lapic_unaligned_register", apic_read_unaligned, NULL);
	probe_attempt("lapic_reserved_register_write", apic_write_reserved, NULL);

	/* Doorbells: the probe's config lists none. */
	static const char *const unlisted[] = {"doorbell_unlisted_cell_a", "doorbell_unlisted_cell_b"};
	for (int64_t c = 0, k = 0; c < p->nr_cells && k < 2; c++)
		if (c != p->cell_id)
			probe_attempt(unlisted[k++], ring, (void *)(uintptr_t)c);
	probe_attempt("doorbell_nonexistent_cell", ring, (void *)(uintptr_t)99);

	/* A shared region this cell may only read (share: in, no write flag). */
	for (uint32_t i = 0; i < p->info->nr_regions && i < TESSERA_BOOT_MAX_REGIONS; i++) {
		const struct tessera_boot_region *r = &p->info->regions[i];
		if (!(r->flags & TESSERA_MEM_SHARED) || (r->flags & TESSERA_MEM_WRITE))
			continue;
		printf("probe: read-only shared region at %#lx (%lu bytes)\n", r->guest_addr, r->size);
		probe_attempt("shared_readonly_write", write32, (void *)(uintptr_t)r->guest_addr);
		probe_attempt("shared_readonly_write_end", write32,
			      (void *)(uintptr_t)(r->guest_addr + r->size - 4));
		probe_attempt("shared_readonly_exec", exec_at, (void *)(uintptr_t)r->guest_addr);
		break;
	}
}
