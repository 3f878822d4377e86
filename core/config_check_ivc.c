/*
 * The config checker's rules for inter-cell communication (docs/ivc.md): the kind of each shared region
 * and how the two declarations pair up, the doorbells a cell may ring, its comm region and its watchdog.
 */
#include <tessera/abi/cell_boot.h>
#include <tessera/error.h>
#include <tessera/string.h>

#include "config_check_internal.h"

#define MEM_FAIL(c, i, j, code, field, ...) ELEM_FAIL(c, i, CONFIG_ELEM_MEMORY, j, code, field, __VA_ARGS__)
#define DB_FAIL(c, i, j, code, field, ...)  ELEM_FAIL(c, i, CONFIG_ELEM_DOORBELL, j, code, field, __VA_ARGS__)

#define BOOT_MAP_LIMIT (4ULL << 30) /* the boot identity map covers guest 0..4 GiB */
#define VECTOR_MIN     0x20	    /* 0-0x1f are exceptions */
#define VECTOR_MAX     0xfe	    /* 0xff is the spurious vector */

const char *config_share_kind_name(uint32_t kind)
{
	switch (kind) {
	case TESSERA_SHARE_NONE: return "none";
	case TESSERA_SHARE_RW: return "rw";
	case TESSERA_SHARE_OUT: return "out";
	case TESSERA_SHARE_IN: return "in";
	}
	return "?";
}

bool share_kinds_pair(uint32_t a, uint32_t b)
{
	return (a == TESSERA_SHARE_RW && b == TESSERA_SHARE_RW) ||
	       (a == TESSERA_SHARE_OUT && b == TESSERA_SHARE_IN) ||
	       (a == TESSERA_SHARE_IN && b == TESSERA_SHARE_OUT);
}

int config_cell_index(const struct tessera_config_header *hdr, const char *name)
{
	const struct tessera_config_cell *cells = config_cells(hdr);

	for (uint32_t k = 0; k < hdr->nr_cells; k++)
		if (strncmp(cells[k].name, name, TESSERA_NAME_LEN) == 0)
			return (int)k;
	return -1;
}

/* The kind must fit the region: shared regions have one, others none; it decides who may write. */
int check_share_kind(struct check *c, int i, int j, const struct tessera_config_memory *m)
{
	bool shared = m->flags & TESSERA_MEM_SHARED;

	if (!shared && m->share_kind != TESSERA_SHARE_NONE)
		return MEM_FAIL(c, i, j, HV_EINVAL, CONFIG_FIELD_SHARE,
				"share kind on a region that is not shared");
	if (!shared)
		return 0;
	if (m->share_kind < TESSERA_SHARE_RW || m->share_kind > TESSERA_SHARE_IN)
		return MEM_FAIL(c, i, j, HV_EINVAL, CONFIG_FIELD_SHARE, "invalid share kind %u",
				m->share_kind);
	if (m->flags & (TESSERA_MEM_DEVICE | TESSERA_MEM_EXEC))
		return MEM_FAIL(c, i, j, HV_EINVAL, CONFIG_FIELD_MEM_FLAGS,
				"a shared region must be plain memory: no exec, no device");
	if (m->share_kind == TESSERA_SHARE_IN && (m->flags & TESSERA_MEM_WRITE))
		return MEM_FAIL(c, i, j, HV_EPERM, CONFIG_FIELD_MEM_FLAGS,
				"share kind 'in' is read-only for this cell: drop 'write'");
	if (m->share_kind != TESSERA_SHARE_IN && !(m->flags & TESSERA_MEM_WRITE))
		return MEM_FAIL(c, i, j, HV_EINVAL, CONFIG_FIELD_MEM_FLAGS,
				"share kind '%s' means this cell writes: add 'write' (or use 'in')",
				config_share_kind_name(m->share_kind));
	if (!(m->flags & TESSERA_MEM_READ))
		return MEM_FAIL(c, i, j, HV_EINVAL, CONFIG_FIELD_MEM_FLAGS,
				"a shared region must be readable");
	return 0;
}

int check_cell_comm(struct check *c, int i)
{
	const struct tessera_config_cell *cell = &c->cells[i];
	uint64_t comm = cell->comm_region;

	if (comm) {
		if (!IS_ALIGNED(comm, PAGE_SIZE))
			return CELL_FAIL(c, i, HV_EINVAL, CONFIG_FIELD_COMM_REGION,
					 "comm_region 0x%llx is not 4 KiB aligned", (unsigned long long)comm);
		if (comm >= BOOT_MAP_LIMIT)
			return CELL_FAIL(c, i, HV_ERANGE, CONFIG_FIELD_COMM_REGION,
					 "comm_region must lie below 4 GiB (the boot map's reach)");
		const struct config_reserved *r =
			platform_overlap(c->plat->guest, c->plat->nr_guest, comm, PAGE_SIZE);
		if (r)
			return CELL_FAIL(c, i, HV_EEXIST, CONFIG_FIELD_COMM_REGION,
					 "comm_region overlaps %s page, which the hypervisor emulates",
					 r->what);
		for (uint32_t k = 0; k < cell->memory_count; k++) {
			const struct tessera_config_memory *m = &c->mem[cell->memory_first + k];
			if (ranges_overlap(comm, PAGE_SIZE, m->guest, m->size))
				return CELL_FAIL(c, i, HV_EEXIST, CONFIG_FIELD_COMM_REGION,
						 "comm_region overlaps memory region %u of this cell", k);
		}
	}
	if (cell->wd_period_ms == 0) {
		if (cell->wd_missed || cell->wd_action)
			return CELL_FAIL(c, i, HV_EINVAL, CONFIG_FIELD_WD_PERIOD,
					 "watchdog settings without a period");
		return 0;
	}
	if (cell->wd_period_ms < TESSERA_WATCHDOG_MIN_PERIOD_MS ||
	    cell->wd_period_ms > TESSERA_WATCHDOG_MAX_PERIOD_MS)
		return CELL_FAIL(c, i, HV_ERANGE, CONFIG_FIELD_WD_PERIOD,
				 "watchdog period %u ms is outside %u-%u ms", cell->wd_period_ms,
				 TESSERA_WATCHDOG_MIN_PERIOD_MS, TESSERA_WATCHDOG_MAX_PERIOD_MS);
	if (cell->wd_missed == 0 || cell->wd_missed > TESSERA_WATCHDOG_MAX_MISSED)
		return CELL_FAIL(c, i, HV_ERANGE, CONFIG_FIELD_WD_MISSED,
				 "watchdog missed-beats limit %u is outside 1-%u", cell->wd_missed,
				 TESSERA_WATCHDOG_MAX_MISSED);
	if (cell->wd_action > TESSERA_WATCHDOG_RESTART)
		return CELL_FAIL(c, i, HV_EINVAL, CONFIG_FIELD_WD_ACTION, "invalid watchdog action %u",
				 cell->wd_action);
	if (!comm)
		return CELL_FAIL(c, i, HV_EINVAL, CONFIG_FIELD_WD_PERIOD,
				 "a watchdog needs a comm_region (heartbeats travel through it)");
	return 0;
}

/* Doorbells name an existing other cell once each; no cell receives one vector from two senders. */
int check_cell_doorbells(struct check *c, int i)
{
	const struct tessera_config_cell *cell = &c->cells[i];

	for (uint32_t j = 0; j < cell->doorbell_count; j++) {
		const struct tessera_config_doorbell *d = &c->db[cell->doorbell_first + j];
		int peer;

		if (check_text(c, i, CONFIG_ELEM_DOORBELL, j, CONFIG_FIELD_DB_PEER, "doorbell peer", d->peer,
			       sizeof(d->peer), config_name_char, false))
			return c->err->code;
		if (d->reserved)
			return DB_FAIL(c, i, j, HV_EINVAL, CONFIG_FIELD_VECTOR, "reserved field is not 0");
		peer = config_cell_index(c->hdr, d->peer);
		if (peer < 0)
			return DB_FAIL(c, i, j, HV_ENOENT, CONFIG_FIELD_DB_PEER,
				       "doorbell names unknown cell '%s'", d->peer);
		if (peer == i)
			return DB_FAIL(c, i, j, HV_EINVAL, CONFIG_FIELD_DB_PEER,
				       "doorbell names the cell itself");
		if (d->vector < VECTOR_MIN || d->vector > VECTOR_MAX)
			return DB_FAIL(c, i, j, HV_ERANGE, CONFIG_FIELD_VECTOR,
				       "doorbell vector %u is outside 0x20-0xfe", d->vector);
		for (uint32_t k = 0; k < j; k++)
			if (strcmp(c->db[cell->doorbell_first + k].peer, d->peer) == 0)
				return DB_FAIL(c, i, j, HV_EEXIST, CONFIG_FIELD_DB_PEER,
					       "doorbell to '%s' is listed twice", d->peer);
		/* Another sender ringing the same cell with the same vector would be indistinguishable. */
		for (int oc = 0; oc < i; oc++) {
			const struct tessera_config_cell *other = &c->cells[oc];
			for (uint32_t k = 0; k < other->doorbell_count; k++) {
				const struct tessera_config_doorbell *o = &c->db[other->doorbell_first + k];
				if (strcmp(o->peer, d->peer) == 0 && o->vector == d->vector)
					return DB_FAIL(c, i, j, HV_EEXIST, CONFIG_FIELD_VECTOR,
						       "cell '%s' already rings '%s' with vector %u",
						       other->name, d->peer, d->vector);
			}
		}
	}
	return 0;
}

/*
 * The watchdog runs in the idle loop of CPU 0 (core/vcpu.c), which a cell may own: that cell would then
 * switch off every cell's watchdog. Refused rather than half-working (docs/ivc.md, "The watchdog").
 * Reported at whichever of the two cells comes later, so the reader sees both names.
 */
int check_watchdog_cpus(struct check *c, int i)
{
	const struct tessera_config_cell *cell = &c->cells[i];

	for (int k = 0; k <= i; k++) {
		const struct tessera_config_cell *o = &c->cells[k];
		if (cell->wd_period_ms && (o->cpus & 1))
			return CELL_FAIL(
				c, i, HV_EBUSY, CONFIG_FIELD_WD_PERIOD,
				"a watchdog needs CPU 0 free (it runs there), but cell '%s' owns CPU 0",
				o->name);
		if (o->wd_period_ms && (cell->cpus & 1)) {
			c->err->value = 0;
			return CELL_FAIL(c, i, HV_EBUSY, CONFIG_FIELD_CPUS,
					 "CPU 0 runs the watchdog of cell '%s': no cell may own it", o->name);
		}
	}
	return 0;
}
