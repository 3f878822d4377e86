/*
 * A cell's memory: its second-stage tables built from the config's regions (largest pages the layout
 * allows), the boot area (identity map + boot info, abi/cell_boot.h), image loading from the pristine
 * copy, clearing when the cell gives its memory up, and guest memory access for hypercalls.
 *
 * The hypervisor maps RAM 1:1, so a host-physical address is also a pointer.
 */
#include <tessera/arch.h>
#include <tessera/bench_null_port.h>
#include <tessera/cell.h>
#include <tessera/error.h>
#include <tessera/format.h>
#include <tessera/hooks.h>
#include <tessera/page_pool.h>
#include <tessera/string.h>
#include <tessera/abi/cell_boot.h>

#define GUEST_PTE_TABLE 0x23ULL /* P | RW | A */
#define GUEST_PTE_2M	0xe3ULL /* P | RW | A | D | PS */
#define SIZE_2M		(2ULL << 20)

static void *s2_alloc(void *ctx, uint64_t *pa)
{
	void *p = page_pool_alloc(&hv_page_pool, 1, 1);

	(void)ctx;
	if (p)
		*pa = (uintptr_t)p;
	return p;
}

static void s2_free(void *ctx, void *table)
{
	(void)ctx;
	page_pool_free(&hv_page_pool, table, 1);
}

static void *s2_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

static bool region_is_ram(const struct tessera_config_memory *m)
{
	return !(m->flags & TESSERA_MEM_DEVICE);
}

unsigned int cell_memory_pgflags(uint32_t mem_flags)
{
	unsigned int f = 0;

	if (mem_flags & TESSERA_MEM_READ)
		f |= PGF_READ;
	if (mem_flags & TESSERA_MEM_WRITE)
		f |= PGF_WRITE;
	if (mem_flags & TESSERA_MEM_EXEC)
		f |= PGF_EXEC;
	if (mem_flags & TESSERA_MEM_DEVICE)
		f |= PGF_DEVICE;
	return f;
}

int cell_memory_build(struct cell *c, char *why, size_t why_len)
{
	const struct tessera_config_memory *lowest = NULL;
	int err;

	c->stage2 = (struct pgtable){
		.fmt = arch_stage2_format(),
		.alloc_table = s2_alloc,
		.free_table = s2_free,
		.table_virt = s2_virt,
	};
	err = pgtable_init(&c->stage2);
	if (err)
		goto fail;
	for (unsigned int i = 0; i < c->cfg->memory_count; i++) {
		const struct tessera_config_memory *m = &c->mem[i];
		err = pgtable_map(&c->stage2, m->guest, m->phys, m->size,
				  arch_stage2_flags(cell_memory_pgflags(m->flags)));
		if (err) {
			format_snprintf(why, why_len, "cell '%s': cannot map region %#llx+%#llx: %s", c->name,
					(unsigned long long)m->guest, (unsigned long long)m->size,
					hv_strerror(err));
			return err;
		}
		if (region_is_ram(m) && (!lowest || m->guest < lowest->guest))
			lowest = m;
	}
	if (!lowest || lowest->size < TESSERA_BOOT_AREA_SIZE + PAGE_SIZE) {
		format_snprintf(why, why_len, "cell '%s': no RAM region large enough for the boot area",
				c->name);
		return -HV_EINVAL;
	}
	c->boot_area = lowest->guest + lowest->size - TESSERA_BOOT_AREA_SIZE;
	c->boot_area_pa = lowest->phys + lowest->size - TESSERA_BOOT_AREA_SIZE;
	return 0;
fail:
	format_snprintf(why, why_len, "cell '%s': second-stage tables: %s", c->name, hv_strerror(err));
	return err;
}

/* RAM the cell owns alone is cleared; shared regions stay (the peer still uses them), devices too. */
void cell_memory_clear(struct cell *c)
{
	for (unsigned int i = 0; i < c->cfg->memory_count; i++) {
		const struct tessera_config_memory *m = &c->mem[i];
		if (region_is_ram(m) && !(m->flags & TESSERA_MEM_SHARED))
			memset((void *)(uintptr_t)m->phys, 0, m->size);
	}
}

static bool cell_maps_phys(const struct cell *c, uint64_t phys, uint64_t size)
{
	for (unsigned int i = 0; i < c->cfg->memory_count; i++)
		if (c->mem[i].phys < phys + size && phys < c->mem[i].phys + c->mem[i].size)
			return true;
	return false;
}

void cells_memory_clear_shared(uint64_t set)
{
	for (unsigned int a = 0; a < nr_cells && a < 64; a++) {
		struct cell *c = cell_get(a);
		if (!(set >> a & 1) || !c)
			continue;
		for (unsigned int i = 0; i < c->cfg->memory_count; i++) {
			const struct tessera_config_memory *m = &c->mem[i];
			bool outside = false;
			if (!region_is_ram(m) || !(m->flags & TESSERA_MEM_SHARED))
				continue;
			for (unsigned int b = 0; b < nr_cells && !outside; b++)
				outside = (b >= 64 || !(set >> b & 1)) && cell_get(b) &&
					  cell_maps_phys(cell_get(b), m->phys, m->size);
			if (!outside)
				memset((void *)(uintptr_t)m->phys, 0, m->size);
		}
	}
}

/* Where guest-physical [gpa, gpa+size) lives in one RAM region of the cell, or NULL. */
static void *cell_region_ptr(struct cell *c, uint64_t gpa, uint64_t size)
{
	for (unsigned int i = 0; i < c->cfg->memory_count; i++) {
		const struct tessera_config_memory *m = &c->mem[i];
		if (region_is_ram(m) && gpa >= m->guest && size <= m->size &&
		    gpa - m->guest <= m->size - size)
			return (void *)(uintptr_t)(m->phys + (gpa - m->guest));
	}
	return NULL;
}

static void *image_to_mem(void *ctx, uint64_t vaddr, uint64_t size)
{
	struct cell *c = ctx;

	/* Never into the boot area, which the hypervisor writes after the image. */
	if (vaddr < c->boot_area + TESSERA_BOOT_AREA_SIZE && vaddr + size > c->boot_area)
		return NULL;
	return cell_region_ptr(c, vaddr, size);
}

static void boot_area_write(struct cell *c)
{
	uint64_t *pml4 = (uint64_t *)(uintptr_t)c->boot_area_pa;
	uint64_t *pdpt = pml4 + 512, *pd = pml4 + 1024;
	struct tessera_cell_boot_info *bi = (void *)(uintptr_t)(c->boot_area_pa + 6 * PAGE_SIZE);

	memset(pml4, 0, TESSERA_BOOT_AREA_SIZE);
	pml4[0] = (c->boot_area + 1 * PAGE_SIZE) | GUEST_PTE_TABLE;
	for (unsigned int i = 0; i < 4; i++)
		pdpt[i] = (c->boot_area + (2 + i) * PAGE_SIZE) | GUEST_PTE_TABLE;
	for (unsigned int i = 0; i < 4 * 512; i++)
		pd[i] = (uint64_t)i * SIZE_2M | GUEST_PTE_2M;

	bi->magic = TESSERA_CELL_BOOT_MAGIC;
	bi->version = TESSERA_CELL_BOOT_VERSION;
	bi->cell_id = c->id;
	memcpy(bi->name, c->cfg->name, sizeof(bi->name));
	bi->name[sizeof(bi->name) - 1] = '\0';
	memcpy(bi->args, c->cfg->args, sizeof(bi->args));
	bi->args[sizeof(bi->args) - 1] = '\0';
	bi->nr_cpus = c->nr_vcpus;
	bi->tsc_hz = arch_timestamp_hz();
	bi->comm_region = c->ivc.comm ? c->cfg->comm_region : 0;
	bi->timer_hz = arch_vcpu_timer_hz();
	bi->null_port = bench_null_port();
	bi->nr_regions = MIN(c->cfg->memory_count, TESSERA_BOOT_MAX_REGIONS);
	for (unsigned int i = 0; i < bi->nr_regions; i++)
		bi->regions[i] =
			(struct tessera_boot_region){c->mem[i].guest, c->mem[i].size, c->mem[i].flags, 0};
}

int cell_memory_load(struct cell *c)
{
	int err = hook_fail(FAIL_IMAGE_LOAD, c, NULL) ?: elf_load(c->image, &c->elf, image_to_mem, c);

	if (err)
		return err;
	boot_area_write(c);
	return 0;
}

uint64_t cell_boot_info_addr(const struct cell *c)
{
	return c->boot_area + 6 * PAGE_SIZE;
}

/*
 * Whether the cell may read (or write) all of guest-physical [gpa, gpa+len) through its second-stage map:
 * one walk over the whole range, page by page, before anything is copied (docs/hypercalls.md: a buffer
 * not entirely inside the cell's memory is refused before anything is read or written).
 */
int cell_check_guest_range(struct cell *c, uint64_t gpa, size_t len, bool write)
{
	if (len && gpa + len - 1 < gpa)
		return -HV_ERANGE;
	while (len) {
		uint64_t pa;
		unsigned int flags, level;
		size_t chunk = MIN(len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
		if (pgtable_walk(&c->stage2, gpa, &pa, &flags, &level))
			return -HV_ERANGE;
		if ((flags & PGF_DEVICE) || !(flags & (write ? PGF_WRITE : PGF_READ)))
			return -HV_EPERM;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

/* Check the whole range, then copy page by page through the second-stage map. */
static int guest_copy(struct cell *c, uint64_t gpa, void *buf, size_t len, bool to_guest)
{
	int err = hook_fail(FAIL_GUEST_COPY, c, NULL) ?: cell_check_guest_range(c, gpa, len, to_guest);

	if (err) {
		/* Counted, so that a copy that failed is on record even when the cell ignores the error. */
		__atomic_add_fetch(&c->copy_failures, 1, __ATOMIC_RELAXED);
		return err;
	}
	while (len) {
		uint64_t pa;
		unsigned int flags, level;
		size_t chunk = MIN(len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
		if (pgtable_walk(&c->stage2, gpa, &pa, &flags, &level))
			return -HV_ERANGE; /* cannot happen: checked above, the map does not change */
		if (to_guest)
			memcpy((void *)(uintptr_t)pa, buf, chunk);
		else
			memcpy(buf, (const void *)(uintptr_t)pa, chunk);
		buf = (char *)buf + chunk;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

int cell_copy_from_guest(struct cell *c, void *dst, uint64_t gpa, size_t len)
{
	return guest_copy(c, gpa, dst, len, false);
}

int cell_copy_to_guest(struct cell *c, uint64_t gpa, const void *src, size_t len)
{
	return guest_copy(c, gpa, (void *)src, len, true);
}
