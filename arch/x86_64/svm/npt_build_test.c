/*
 * A cell's nested page tables as the hypervisor builds them (core/cell_memory.c with the SVM stage-2
 * format), built on the host and walked back: each region maps guest to host-physical with exactly its
 * rights plus the U bit NPT needs, large pages where the layout allows, nothing outside the regions, and
 * guest-memory copies for hypercalls refuse whatever the tables refuse. Host-physical addresses are host
 * buffers here (the hypervisor maps RAM 1:1 in the same way).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/abi/cell_boot.h>
#include <tessera/abi/config.h>
#include <tessera/bench_null_port.h>
#include <tessera/cell.h>
#include <tessera/page_pool.h>
#include "../paging.h"

#define MiB	  (1ULL << 20)
#define POOL_SIZE (4 * MiB)

/* What cell_memory.c's boot-info writer asks of the arch: fixed values are enough here. */
uint64_t arch_timestamp_hz(void)
{
	return 1000000000ULL;
}

uint64_t arch_vcpu_timer_hz(void)
{
	return 62500000ULL;
}

/* ... and of the core's bench_null_port= option (bench_null_port.c): not given. */
uint32_t bench_null_port(void)
{
	return TESSERA_BOOT_NO_NULL_PORT;
}

static void *pool_mem, *ram, *rodata;
static struct tessera_config_cell cfg;
static struct tessera_config_memory regions[3];
static struct cell cell;

static void setup(void)
{
	pool_mem = aligned_alloc(PAGE_SIZE, POOL_SIZE);
	cr_assert_not_null(pool_mem);
	cr_assert_eq(page_pool_init(&hv_page_pool, pool_mem, POOL_SIZE), 0);
	ram = aligned_alloc(2 * MiB, 4 * MiB); /* 2 MiB aligned: may use 2 MiB leaves */
	rodata = aligned_alloc(PAGE_SIZE, 64 * 1024);
	cr_assert(ram && rodata);
	memset(ram, 0xaa, 4 * MiB);
	memset(rodata, 0x55, 64 * 1024);
	regions[0] = (struct tessera_config_memory){.phys = (uintptr_t)ram,
						    .guest = 0,
						    .size = 4 * MiB,
						    .flags = TESSERA_MEM_READ | TESSERA_MEM_WRITE |
							     TESSERA_MEM_EXEC};
	regions[1] = (struct tessera_config_memory){
		.phys = (uintptr_t)rodata, .guest = 8 * MiB, .size = 64 * 1024, .flags = TESSERA_MEM_READ};
	/* A device page: mapped uncached, never a copy source or target for hypercalls. */
	regions[2] = (struct tessera_config_memory){.phys = 0xfed00000,
						    .guest = 0xfed00000,
						    .size = PAGE_SIZE,
						    .flags = TESSERA_MEM_READ | TESSERA_MEM_WRITE |
							     TESSERA_MEM_DEVICE};
	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.name, "npt");
	cfg.memory_count = 3;
	memset(&cell, 0, sizeof(cell));
	cell.cfg = &cfg;
	cell.mem = regions;
	cell.name = cfg.name;
	char why[128] = "";
	cr_assert_eq(cell_memory_build(&cell, why, sizeof(why)), 0, "%s", why);
}

static void teardown(void)
{
	pgtable_destroy(&cell.stage2);
	free(pool_mem);
	free(ram);
	free(rodata);
}

TestSuite(npt_build, .init = setup, .fini = teardown);

static void expect_mapped(uint64_t gpa, uint64_t pa, unsigned int want_flags, unsigned int want_level)
{
	uint64_t got_pa;
	unsigned int flags, level;

	cr_assert_eq(pgtable_walk(&cell.stage2, gpa, &got_pa, &flags, &level), 0, "gpa %#llx unmapped",
		     (unsigned long long)gpa);
	cr_expect_eq(got_pa, pa, "gpa %#llx -> %#llx, want %#llx", (unsigned long long)gpa,
		     (unsigned long long)got_pa, (unsigned long long)pa);
	cr_expect_eq(flags & (PGF_READ | PGF_WRITE | PGF_EXEC | PGF_USER | PGF_DEVICE), want_flags,
		     "gpa %#llx flags %#x, want %#x", (unsigned long long)gpa, flags, want_flags);
	cr_expect_eq(level, want_level, "gpa %#llx leaf level %u, want %u", (unsigned long long)gpa, level,
		     want_level);
}

static void expect_unmapped(uint64_t gpa)
{
	uint64_t pa;
	unsigned int flags, level;

	cr_expect_neq(pgtable_walk(&cell.stage2, gpa, &pa, &flags, &level), 0, "gpa %#llx is mapped",
		      (unsigned long long)gpa);
}

Test(npt_build, ram_region_uses_2m_leaves_with_its_rights_and_u)
{
	for (uint64_t off = 0; off < 4 * MiB; off += 0x1000 * 37)
		expect_mapped(off, (uintptr_t)ram + off, PGF_READ | PGF_WRITE | PGF_EXEC | PGF_USER, 1);
	expect_mapped(4 * MiB - PAGE_SIZE, (uintptr_t)ram + 4 * MiB - PAGE_SIZE,
		      PGF_READ | PGF_WRITE | PGF_EXEC | PGF_USER, 1);
}

Test(npt_build, read_only_region_is_read_only_and_not_executable)
{
	for (uint64_t off = 0; off < 64 * 1024; off += PAGE_SIZE)
		expect_mapped(8 * MiB + off, (uintptr_t)rodata + off, PGF_READ | PGF_USER, 0);
}

Test(npt_build, device_region_is_uncached)
{
	expect_mapped(0xfed00000, 0xfed00000, PGF_READ | PGF_WRITE | PGF_USER | PGF_DEVICE, 0);
}

Test(npt_build, nothing_outside_the_regions_is_mapped)
{
	const uint64_t outside[] = {4 * MiB,	6 * MiB,      8 * MiB - PAGE_SIZE,    8 * MiB + 64 * 1024,
				    9 * MiB,	0xfec00000,   0xfed00000 + PAGE_SIZE, 0xfee00000,
				    1ULL << 32, 512ULL << 30, (uintptr_t)ram,	      (uintptr_t)pool_mem};
	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
		if (outside[i] >= 4 * MiB) /* a host buffer's address may fall inside the guest's 0-4 MiB */
			expect_unmapped(outside[i]);
}

Test(npt_build, boot_area_sits_at_the_top_of_the_lowest_ram_region)
{
	cr_expect_eq(cell.boot_area, 4 * MiB - TESSERA_BOOT_AREA_SIZE);
	cr_expect_eq(cell.boot_area_pa, (uintptr_t)ram + 4 * MiB - TESSERA_BOOT_AREA_SIZE);
	cr_expect_eq(cell_boot_info_addr(&cell), 4 * MiB - TESSERA_BOOT_AREA_SIZE + 6 * PAGE_SIZE);
}

Test(npt_build, guest_copies_obey_the_tables)
{
	char buf[64];

	memset(buf, 1, sizeof(buf));
	/* RAM: both ways, including across a page boundary. */
	cr_expect_eq(cell_copy_to_guest(&cell, PAGE_SIZE - 8, buf, 16), 0);
	cr_expect_eq(((unsigned char *)ram)[PAGE_SIZE - 8], 1);
	cr_expect_eq(cell_copy_from_guest(&cell, buf, 8 * MiB, 16), 0);
	cr_expect_eq((unsigned char)buf[0], 0x55);
	/* Read-only region: no writes. Device memory: neither. Unmapped or straddling the end: refused. */
	cr_expect_neq(cell_copy_to_guest(&cell, 8 * MiB, buf, 4), 0);
	cr_expect_neq(cell_copy_from_guest(&cell, buf, 0xfed00000, 4), 0);
	cr_expect_neq(cell_copy_from_guest(&cell, buf, 6 * MiB, 4), 0);
	cr_expect_neq(cell_copy_from_guest(&cell, buf, 4 * MiB - 8, 16), 0);
	cr_expect_neq(cell_copy_to_guest(&cell, 8 * MiB + 64 * 1024 - 8, buf, 16), 0);
}

/* The device page's "physical" address is not host memory: touching it would crash this test. */
Test(npt_build, clearing_wipes_the_cells_ram_and_leaves_devices_alone)
{
	cell_memory_clear(&cell);
	for (size_t off = 0; off < 4 * MiB; off += 4096)
		cr_assert_eq(((unsigned char *)ram)[off], 0, "RAM byte %zu not cleared", off);
	for (size_t off = 0; off < 64 * 1024; off += 512)
		cr_assert_eq(((unsigned char *)rodata)[off], 0, "read-only RAM byte %zu not cleared", off);
}
