/*
 * Memory the cell does not own: other cells' and the hypervisor's memory (args targets), just past its RAM,
 * above 4 GiB, at 512 GiB, the IOAPIC and HPET pages, execution outside executable memory, and
 * a page walk of the cell's own page tables through memory it does not own. Every address is mapped in the
 * runtime's page tables first, so that only the nested page tables can stop the access.
 */
#include "probe.h"
#include <guest/paging.h>
#include <tessera/abi/config.h>
#include <guest/print.h>
#include <guest/test.h>
#include <tessera/format.h>

#define POISON 0x2141524553534554ULL /* "TESSERA!" */

static uint64_t mem_read(void *arg)
{
	return *(volatile uint64_t *)arg;
}

static uint64_t mem_write(void *arg)
{
	*(volatile uint64_t *)arg = POISON;
	return 0;
}

static uint64_t mem_read32(void *arg)
{
	return *(volatile uint32_t *)arg;
}

static uint64_t mem_write32(void *arg)
{
	*(volatile uint32_t *)arg = 0;
	return 0;
}

static uint64_t mem_exec(void *arg)
{
	return ((uint64_t(*)(void))arg)();
}

/* Read and write `addr`, reported as <name>_read and <name>_write. */
static void probe_rw(struct probe *p, const char *name, uint64_t addr)
{
	char test[64];
	format_snprintf(test, sizeof(test), "%s_read", name);
	if (probe_own_memory(p, addr, 8)) {
		test_report(test, false, "%#lx is this cell's own memory: fix the probe's config", addr);
		return;
	}
	if (paging_map_2m(addr) < 0) {
		test_report(test, false, "no page-table room to map %#lx", addr);
		return;
	}
	probe_attempt(test, mem_read, (void *)(uintptr_t)addr);
	format_snprintf(test, sizeof(test), "%s_write", name);
	probe_attempt(test, mem_write, (void *)(uintptr_t)addr);
}

/* A page directory of the cell's own page tables placed in memory it does not own: the CPU's walk must fault. */
static void probe_walk(struct probe *p)
{
	const uint64_t va = 8ULL << 30; /* a 1 GiB slot nothing else uses */
	uint64_t table = ALIGN_UP(p->ram_end, PAGE_SIZE);
	uint64_t old = paging_set_pd_at(va, table);
	probe_attempt("pt_walk_outside_ram", mem_read, (void *)(uintptr_t)va);
	paging_restore_1g(va, old);
}

/* Execute in a writable region that the config left non-executable, if there is one. */
static void probe_exec_nonexec(struct probe *p)
{
	for (uint32_t i = 0; i < p->info->nr_regions && i < TESSERA_BOOT_MAX_REGIONS; i++) {
		const struct tessera_boot_region *r = &p->info->regions[i];
		if ((r->flags & TESSERA_MEM_EXEC) || !(r->flags & TESSERA_MEM_WRITE) || r->size < PAGE_SIZE)
			continue;
		volatile uint8_t *code = (volatile uint8_t *)(uintptr_t)r->guest_addr;
		code[0] = 0x31; /* xor eax, eax; ret */
		code[1] = 0xc0;
		code[2] = 0xc3;
		probe_attempt("exec_nonexec_region", mem_exec, (void *)(uintptr_t)r->guest_addr);
		return;
	}
	printf("probe: no writable non-executable region in this cell: exec_nonexec_region not tried\n");
}

void probe_memory(struct probe *p)
{
	char name[32];
	for (unsigned int i = 0; i < p->nr_targets; i++) {
		format_snprintf(name, sizeof(name), "mem_target%u", i);
		probe_rw(p, name, p->targets[i]);
	}
	probe_rw(p, "mem_past_ram", p->ram_end);
	probe_rw(p, "mem_4g", 4ULL << 30);
	probe_rw(p, "mem_512g", 512ULL << 30);

	/* Devices not granted to the cell. MMIO registers are 32-bit. */
	/* The local APIC page is the cell's own (virtual) APIC now: probe_ivc.c attacks it. */
	probe_attempt("ioapic_write_regsel", mem_write32, (void *)0xfec00000UL);
	probe_attempt("ioapic_read_window", mem_read32, (void *)0xfec00010UL);
	probe_attempt("hpet_read_caps", mem_read32, (void *)0xfed00000UL);

	if (paging_map_2m(4ULL << 30) == 0)
		probe_attempt("exec_outside_ram", mem_exec, (void *)(uintptr_t)(4ULL << 30));
	probe_exec_nonexec(p);
	probe_walk(p);
}
