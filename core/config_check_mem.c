/*
 * The config checker's rules for what a cell owns: memory regions (within the cell, against RAM, the
 * hypervisor and other cells), port ranges and MSR ranges. Called by config_check() in cell order, so a
 * conflict is reported at the later of the two cells, the one the reader is looking at.
 */
#include <tessera/abi/cell_boot.h>
#include <tessera/error.h>
#include <tessera/string.h>

#include "config_check_internal.h"

#define MEM_FAIL(c, i, j, code, field, ...) ELEM_FAIL(c, i, CONFIG_ELEM_MEMORY, j, code, field, __VA_ARGS__)

static int check_region(struct check *c, int i, int j, const struct tessera_config_memory *m)
{
	const struct tessera_config_header *h = c->hdr;
	bool device = m->flags & TESSERA_MEM_DEVICE;
	const struct config_reserved *r;

	if (m->size == 0)
		return MEM_FAIL(c, i, j, HV_EINVAL, CONFIG_FIELD_SIZE, "memory region size must not be zero");
	if (!IS_ALIGNED(m->phys, PAGE_SIZE))
		return MEM_FAIL(c, i, j, HV_EINVAL, CONFIG_FIELD_PHYS, "phys 0x%llx is not 4 KiB aligned",
				(unsigned long long)m->phys);
	if (!IS_ALIGNED(m->guest, PAGE_SIZE))
		return MEM_FAIL(c, i, j, HV_EINVAL, CONFIG_FIELD_GUEST, "guest 0x%llx is not 4 KiB aligned",
				(unsigned long long)m->guest);
	if (!IS_ALIGNED(m->size, PAGE_SIZE))
		return MEM_FAIL(c, i, j, HV_EINVAL, CONFIG_FIELD_SIZE,
				"size 0x%llx is not a multiple of 4 KiB", (unsigned long long)m->size);
	if (m->phys >= ADDR_LIMIT || m->size > ADDR_LIMIT - m->phys)
		return MEM_FAIL(c, i, j, HV_ERANGE, CONFIG_FIELD_PHYS,
				"phys range goes beyond the 48-bit address space");
	if (m->guest >= ADDR_LIMIT || m->size > ADDR_LIMIT - m->guest)
		return MEM_FAIL(c, i, j, HV_ERANGE, CONFIG_FIELD_GUEST,
				"guest range goes beyond the 48-bit address space");
	if (m->flags & ~MEM_KNOWN_FLAGS)
		return MEM_FAIL(c, i, j, HV_EINVAL, CONFIG_FIELD_MEM_FLAGS, "unknown memory flags 0x%x",
				m->flags);
	if (!(m->flags & MEM_ACCESS))
		return MEM_FAIL(c, i, j, HV_EINVAL, CONFIG_FIELD_MEM_FLAGS,
				"memory region grants no access (read, write or exec)");
	/* Second-stage tables cannot take read away from a present page (x86 NPT, arm64 stage 2 for
	 * exec): a region without read would still be readable, so the config could not mean it. */
	if (!(m->flags & TESSERA_MEM_READ))
		return MEM_FAIL(
			c, i, j, HV_EINVAL, CONFIG_FIELD_MEM_FLAGS,
			"write or exec without read: second-stage paging cannot deny reads, add read");
	if (check_text(c, i, CONFIG_ELEM_MEMORY, j, CONFIG_FIELD_PEER, "shared_with", m->peer,
		       sizeof(m->peer), config_name_char, true))
		return c->err->code;
	if (!(m->flags & TESSERA_MEM_SHARED) && m->peer[0])
		return MEM_FAIL(c, i, j, HV_EINVAL, CONFIG_FIELD_PEER,
				"peer named on a region that is not shared");
	if ((m->flags & TESSERA_MEM_SHARED) && !m->peer[0])
		return MEM_FAIL(c, i, j, HV_EINVAL, CONFIG_FIELD_PEER, "shared region names no peer cell");
	/* Before any overlap rule: a mistyped or self-naming peer would else be reported as an overlap. */
	if ((m->flags & TESSERA_MEM_SHARED) && strncmp(m->peer, c->cells[i].name, sizeof(m->peer)) == 0)
		return MEM_FAIL(c, i, j, HV_EINVAL, CONFIG_FIELD_PEER,
				"a cell cannot share with itself (shared_with names '%s')", m->peer);
	if ((m->flags & TESSERA_MEM_SHARED) && config_cell_index(h, m->peer) < 0)
		return MEM_FAIL(c, i, j, HV_ENOENT, CONFIG_FIELD_PEER, "shared_with names unknown cell '%s'",
				m->peer);
	if (check_share_kind(c, i, j, m))
		return c->err->code;
	if (!device && m->phys + m->size > h->ram_size)
		return MEM_FAIL(c, i, j, HV_ERANGE, CONFIG_FIELD_PHYS,
				"memory 0x%llx-0x%llx lies outside RAM (0-0x%llx)",
				(unsigned long long)m->phys, (unsigned long long)(m->phys + m->size - 1),
				(unsigned long long)(h->ram_size - 1));
	if (device && m->phys < h->ram_size)
		return MEM_FAIL(c, i, j, HV_ERANGE, CONFIG_FIELD_PHYS, "device region 0x%llx lies inside RAM",
				(unsigned long long)m->phys);
	if (ranges_overlap(m->phys, m->size, h->hv_base, h->hv_size))
		return MEM_FAIL(c, i, j, HV_EPERM, CONFIG_FIELD_PHYS,
				"memory region overlaps the hypervisor's memory (0x%llx-0x%llx)",
				(unsigned long long)h->hv_base,
				(unsigned long long)(h->hv_base + h->hv_size - 1));
	/* MMIO the hypervisor drives (a cell writing the physical ICR could send INIT/NMI anywhere). */
	r = platform_overlap(c->plat->phys, c->plat->nr_phys, m->phys, m->size);
	if (r)
		return MEM_FAIL(c, i, j, HV_EPERM, CONFIG_FIELD_PHYS,
				"memory region overlaps %s (0x%llx-0x%llx), which the hypervisor "
				"keeps" RESERVED_WHY_FMT,
				r->what, (unsigned long long)r->base,
				(unsigned long long)(r->base + r->size - 1), RESERVED_WHY(r));
	/* A page the hypervisor emulates at that guest address would be shadowed by this mapping. */
	r = platform_overlap(c->plat->guest, c->plat->nr_guest, m->guest, m->size);
	if (r)
		return MEM_FAIL(c, i, j, HV_EPERM, CONFIG_FIELD_GUEST,
				"guest range overlaps %s page (0x%llx-0x%llx), which the hypervisor emulates",
				r->what, (unsigned long long)r->base,
				(unsigned long long)(r->base + r->size - 1));
	return 0;
}

/* Two regions of different cells may overlap only as one shared region that both declare. */
static bool regions_share(const struct tessera_config_memory *a, const char *a_cell,
			  const struct tessera_config_memory *b, const char *b_cell)
{
	return (a->flags & TESSERA_MEM_SHARED) && (b->flags & TESSERA_MEM_SHARED) && a->phys == b->phys &&
	       a->size == b->size && strcmp(a->peer, b_cell) == 0 && strcmp(b->peer, a_cell) == 0 &&
	       share_kinds_pair(a->share_kind, b->share_kind);
}

/* The same region declared by both cells, but with kinds that do not pair up (rw-rw, out-in). */
static bool regions_share_but_kinds(const struct tessera_config_memory *a, const char *a_cell,
				    const struct tessera_config_memory *b, const char *b_cell)
{
	return (a->flags & TESSERA_MEM_SHARED) && (b->flags & TESSERA_MEM_SHARED) && a->phys == b->phys &&
	       a->size == b->size && strcmp(a->peer, b_cell) == 0 && strcmp(b->peer, a_cell) == 0 &&
	       !share_kinds_pair(a->share_kind, b->share_kind);
}

static int check_region_conflicts(struct check *c, int i, int j, const struct tessera_config_memory *m)
{
	const struct tessera_config_cell *cell = &c->cells[i];

	for (int k = 0; k < j; k++) {
		const struct tessera_config_memory *o = &c->mem[cell->memory_first + k];
		if (ranges_overlap(m->guest, m->size, o->guest, o->size))
			return MEM_FAIL(c, i, j, HV_EEXIST, CONFIG_FIELD_GUEST,
					"guest range overlaps region %d of this cell", k);
		if (ranges_overlap(m->phys, m->size, o->phys, o->size))
			return MEM_FAIL(c, i, j, HV_EEXIST, CONFIG_FIELD_PHYS,
					"phys range overlaps region %d of this cell", k);
	}
	for (int oc = 0; oc < i; oc++) {
		const struct tessera_config_cell *other = &c->cells[oc];
		for (uint32_t k = 0; k < other->memory_count; k++) {
			const struct tessera_config_memory *o = &c->mem[other->memory_first + k];
			if (!ranges_overlap(m->phys, m->size, o->phys, o->size) ||
			    regions_share(m, cell->name, o, other->name))
				continue;
			if (regions_share_but_kinds(m, cell->name, o, other->name))
				return MEM_FAIL(c, i, j, HV_EPERM, CONFIG_FIELD_SHARE,
						"share kind '%s' does not match cell '%s''s '%s' (rw pairs "
						"with rw, out with in)",
						config_share_kind_name(m->share_kind), other->name,
						config_share_kind_name(o->share_kind));
			return MEM_FAIL(c, i, j, HV_EEXIST, CONFIG_FIELD_PHYS,
					"memory region overlaps cell '%s'", other->name);
		}
	}
	return 0;
}

const struct tessera_config_memory *config_cell_boot_region(const struct tessera_config_header *hdr,
							    const struct tessera_config_cell *cell)
{
	const struct tessera_config_memory *mem = config_memory(hdr), *low = NULL;

	for (uint32_t k = 0; k < cell->memory_count; k++) {
		const struct tessera_config_memory *m = &mem[cell->memory_first + k];
		if (!(m->flags & TESSERA_MEM_DEVICE) && (!low || m->guest < low->guest))
			low = m;
	}
	return low;
}

int check_cell_memory(struct check *c, int i)
{
	const struct tessera_config_cell *cell = &c->cells[i];
	const struct tessera_config_memory *boot;
	int err;

	for (uint32_t j = 0; j < cell->memory_count; j++) {
		const struct tessera_config_memory *m = &c->mem[cell->memory_first + j];
		err = check_region(c, i, j, m);
		if (!err)
			err = check_region_conflicts(c, i, j, m);
		if (err)
			return err;
	}
	boot = config_cell_boot_region(c->hdr, cell);
	if (!boot)
		return CELL_FAIL(c, i, HV_EINVAL, CONFIG_FIELD_MEMORY,
				 "cell has no RAM region (only device memory)");
	if (boot->size <= TESSERA_BOOT_AREA_SIZE)
		return MEM_FAIL(c, i, (int)(boot - &c->mem[cell->memory_first]), HV_ERANGE, CONFIG_FIELD_SIZE,
				"lowest RAM region is too small for the %u-byte boot area at its top",
				TESSERA_BOOT_AREA_SIZE);
	return 0;
}

/* Every shared region must be matched by one in the peer cell naming this cell, with the same range. */
int check_cell_shares(struct check *c, int i)
{
	const struct tessera_config_cell *cell = &c->cells[i];

	for (uint32_t j = 0; j < cell->memory_count; j++) {
		const struct tessera_config_memory *m = &c->mem[cell->memory_first + j];
		const struct tessera_config_cell *peer = NULL;
		bool matched = false;

		if (!(m->flags & TESSERA_MEM_SHARED))
			continue;
		/* check_region() has refused a self-naming or unknown peer. */
		for (uint32_t k = 0; k < c->hdr->nr_cells; k++)
			if (k != (uint32_t)i && strcmp(c->cells[k].name, m->peer) == 0)
				peer = &c->cells[k];
		if (!peer)
			return MEM_FAIL(c, i, j, HV_ENOENT, CONFIG_FIELD_PEER,
					"shared_with names unknown cell '%s'", m->peer);
		for (uint32_t k = 0; k < peer->memory_count; k++)
			matched |= regions_share(m, cell->name, &c->mem[peer->memory_first + k], peer->name);
		if (!matched)
			return MEM_FAIL(c, i, j, HV_EPERM, CONFIG_FIELD_PEER,
					"cell '%s' does not declare this region shared with '%s' (same phys "
					"and size)",
					peer->name, cell->name);
	}
	return 0;
}

int check_cell_pio(struct check *c, int i)
{
	const struct tessera_config_cell *cell = &c->cells[i];

	for (uint32_t j = 0; j < cell->pio_count; j++) {
		const struct tessera_config_pio *p = &c->pio[cell->pio_first + j];
		if (p->size == 0)
			return ELEM_FAIL(c, i, CONFIG_ELEM_PIO, j, HV_EINVAL, CONFIG_FIELD_SIZE,
					 "port range size must not be zero");
		if (p->base > 0xffff || p->size > 0x10000 - p->base)
			return ELEM_FAIL(c, i, CONFIG_ELEM_PIO, j, HV_ERANGE, CONFIG_FIELD_SIZE,
					 "port range 0x%x+%u goes beyond port 0xffff", p->base, p->size);
		const struct config_reserved *r =
			platform_overlap(c->plat->ports, c->plat->nr_ports, p->base, p->size);
		if (r)
			return ELEM_FAIL(c, i, CONFIG_ELEM_PIO, j, HV_EPERM, CONFIG_FIELD_BASE,
					 "port range includes %s (ports 0x%llx-0x%llx), which the hypervisor "
					 "keeps" RESERVED_WHY_FMT,
					 r->what, (unsigned long long)r->base,
					 (unsigned long long)(r->base + r->size - 1), RESERVED_WHY(r));
		for (uint32_t k = 0; k < j; k++) {
			const struct tessera_config_pio *o = &c->pio[cell->pio_first + k];
			if (ranges_overlap(p->base, p->size, o->base, o->size))
				return ELEM_FAIL(c, i, CONFIG_ELEM_PIO, j, HV_EEXIST, CONFIG_FIELD_BASE,
						 "port range overlaps range %u of this cell", k);
		}
		for (int oc = 0; oc < i; oc++) {
			const struct tessera_config_cell *other = &c->cells[oc];
			for (uint32_t k = 0; k < other->pio_count; k++) {
				const struct tessera_config_pio *o = &c->pio[other->pio_first + k];
				if (ranges_overlap(p->base, p->size, o->base, o->size))
					return ELEM_FAIL(c, i, CONFIG_ELEM_PIO, j, HV_EEXIST,
							 CONFIG_FIELD_BASE, "port range overlaps cell '%s'",
							 other->name);
			}
		}
	}
	return 0;
}

/* Not an MSR the hypervisor keeps, and inside what the hardware map can pass through. */
static int check_msr_platform(struct check *c, int i, int j, const struct tessera_config_msr *m)
{
	const struct config_platform *plat = c->plat;
	uint64_t count = (uint64_t)m->last - m->first + 1;
	const struct config_reserved *r = platform_overlap(plat->msrs, plat->nr_msrs, m->first, count);
	bool inside = plat->nr_msr_grantable == 0;

	if (r)
		return ELEM_FAIL(
			c, i, CONFIG_ELEM_MSR, j, HV_EPERM, CONFIG_FIELD_FIRST,
			"MSR range includes %s (0x%llx-0x%llx), which the hypervisor keeps" RESERVED_WHY_FMT,
			r->what, (unsigned long long)r->base, (unsigned long long)(r->base + r->size - 1),
			RESERVED_WHY(r));
	for (unsigned int k = 0; k < plat->nr_msr_grantable && k < CONFIG_PLATFORM_MAX_RANGES; k++) {
		const struct config_reserved *g = &plat->msr_grantable[k];
		inside |= m->first >= g->base && m->last <= g->base + g->size - 1;
	}
	if (!inside)
		return ELEM_FAIL(c, i, CONFIG_ELEM_MSR, j, HV_ERANGE, CONFIG_FIELD_FIRST,
				 "MSR range 0x%x-0x%x is not inside one range the hardware MSR map covers "
				 "(such MSRs always exit: the grant could not be honoured)",
				 m->first, m->last);
	return 0;
}

int check_cell_msr(struct check *c, int i)
{
	const struct tessera_config_cell *cell = &c->cells[i];

	for (uint32_t j = 0; j < cell->msr_count; j++) {
		const struct tessera_config_msr *m = &c->msr[cell->msr_first + j];
		if (m->first > m->last)
			return ELEM_FAIL(c, i, CONFIG_ELEM_MSR, j, HV_EINVAL, CONFIG_FIELD_LAST,
					 "MSR range ends (0x%x) before it starts (0x%x)", m->last, m->first);
		if (m->flags == 0 || (m->flags & ~(TESSERA_MSR_READ | TESSERA_MSR_WRITE)) || m->reserved)
			return ELEM_FAIL(c, i, CONFIG_ELEM_MSR, j, HV_EINVAL, CONFIG_FIELD_ACCESS,
					 "MSR access must be read, write or both");
		int err = check_msr_platform(c, i, j, m);
		if (err)
			return err;
		for (uint32_t k = 0; k < j; k++) {
			const struct tessera_config_msr *o = &c->msr[cell->msr_first + k];
			if (m->first <= o->last && o->first <= m->last)
				return ELEM_FAIL(c, i, CONFIG_ELEM_MSR, j, HV_EEXIST, CONFIG_FIELD_FIRST,
						 "MSR range overlaps range %u of this cell", k);
		}
	}
	return 0;
}
