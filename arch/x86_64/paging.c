/*
 * The hypervisor's own page tables, W^X: text R-X, rodata R--, data and bss RW-, all other RAM of the
 * memory map RW- (1:1, to load images and use the page pool), the APIC MMIO pages uncached, page 0 and the
 * stack guard pages unmapped. Built once on the boot CPU and shared by every CPU.
 *
 * Tables come from a small static area first (the page pool does not exist yet when they are built), then
 * from the page pool (splitting 2M leaves for guard pages later).
 */
#include <tessera/memmap.h>
#include <tessera/page_pool.h>
#include <tessera/panic.h>
#include <tessera/string.h>
#include "cpu.h"
#include "io.h"
#include "paging.h"

#define EARLY_TABLES 64

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[], __data_start[], __data_end[];

static uint8_t early_tables[EARLY_TABLES][PAGE_SIZE] __aligned(PAGE_SIZE);
static unsigned int early_used;
static struct pgtable_format hv_format;
static struct pgtable hv_pt;

static void *hv_alloc_table(void *ctx, uint64_t *pa)
{
	void *t = NULL;

	(void)ctx;
	if (early_used < EARLY_TABLES) {
		t = early_tables[early_used++];
		memset(t, 0, PAGE_SIZE);
	} else if (hv_page_pool.nr_pages) {
		t = page_pool_alloc(&hv_page_pool, 1, 1);
	}
	if (t)
		*pa = (uintptr_t)t;
	return t;
}

static void hv_free_table(void *ctx, void *table)
{
	uintptr_t t = (uintptr_t)table;

	(void)ctx;
	/* early tables stay where they are: the static area is never handed out twice */
	if (t < (uintptr_t)early_tables || t >= (uintptr_t)early_tables + sizeof(early_tables))
		page_pool_free(&hv_page_pool, table, 1);
}

static void *hv_table_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

static void map_or_panic(uint64_t base, uint64_t size, unsigned int flags)
{
	int err = pgtable_map(&hv_pt, base, base, size, flags);
	if (err)
		panic("paging: cannot map %#llx+%#llx (error %d)", (unsigned long long)base,
		      (unsigned long long)size, err);
}

void x86_paging_init(const struct boot_info *info)
{
	uint32_t a, b, c, d;

	hv_format = x86_pgtable_format;
	cpuid(0x80000001, 0, &a, &b, &c, &d);
	if (!(d & (1u << 26))) /* no 1 GiB pages (e.g. qemu64) */
		hv_format.leaf_levels &= ~(1u << 2);
	hv_pt = (struct pgtable){.fmt = &hv_format,
				 .alloc_table = hv_alloc_table,
				 .free_table = hv_free_table,
				 .table_virt = hv_table_virt};
	if (pgtable_init(&hv_pt))
		panic("paging: no memory for the root table");

	/* RAM and what the hypervisor took from it (image, modules); page 0 is MEM_RESERVED in the map */
	const struct memmap *map = info->memmap;
	for (unsigned int i = 0; i < map->nr; i++) {
		const struct mem_range *r = &map->ranges[i];
		if (r->type == MEM_RAM || r->type == MEM_HV)
			map_or_panic(ALIGN_DOWN(r->base, PAGE_SIZE),
				     ALIGN_UP(r->base + r->size, PAGE_SIZE) - ALIGN_DOWN(r->base, PAGE_SIZE),
				     PGF_READ | PGF_WRITE);
	}
	map_or_panic((uintptr_t)__text_start, __text_end - __text_start, PGF_READ | PGF_EXEC);
	map_or_panic((uintptr_t)__rodata_start, __rodata_end - __rodata_start, PGF_READ);
	map_or_panic((uintptr_t)__data_start, __data_end - __data_start, PGF_READ | PGF_WRITE);
	/* memmap_is() would say page 0 is reserved; make sure it is unmapped even if firmware said RAM */
	pgtable_unmap(&hv_pt, 0, PAGE_SIZE);
}

void x86_paging_map_device(uint64_t pa, uint64_t size)
{
	map_or_panic(ALIGN_DOWN(pa, PAGE_SIZE), ALIGN_UP(size, PAGE_SIZE), PGF_READ | PGF_WRITE | PGF_DEVICE);
}

int x86_paging_set(uint64_t va, uint64_t size, unsigned int flags)
{
	int err = flags ? pgtable_map(&hv_pt, va, va, size, flags) : pgtable_unmap(&hv_pt, va, size);

	/* one CPU changes the shared tables at boot; flush its TLB for the range */
	for (uint64_t p = va; p < va + size; p += PAGE_SIZE)
		invlpg((uintptr_t)p);
	return err;
}

uint64_t x86_paging_root(void)
{
	return hv_pt.root_pa;
}

void x86_paging_load(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	write_cr3(hv_pt.root_pa);
}
