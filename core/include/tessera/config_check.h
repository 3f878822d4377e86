/*
 * The one config checker, run on the host by `tessera config` and in the hypervisor before any cell starts
 * (twice, so that a hand-made blob cannot skip it). It works on the compiled blob (abi/config.h) and knows nothing of YAML: an error is
 * a structured value naming the offending cell, element and field, which the host maps back to a YAML
 * line:column and the hypervisor prints as it is.
 */
#ifndef TESSERA_CONFIG_CHECK_H
#define TESSERA_CONFIG_CHECK_H

#include <tessera/abi/config.h>
#include <tessera/compiler.h>

/* Which kind of element an error points at (within the cell `config_error.cell`). */
enum config_elem {
	CONFIG_ELEM_NONE = 0, /* the cell itself, or the system when cell < 0 */
	CONFIG_ELEM_MEMORY,
	CONFIG_ELEM_PIO,
	CONFIG_ELEM_MSR,
	CONFIG_ELEM_DOORBELL,
};

/* Which field; the host maps (elem, field) to a YAML key. */
enum config_field {
	CONFIG_FIELD_NONE = 0,
	/* system */
	CONFIG_FIELD_HEADER, /* magic, version, size, checksum, offsets */
	CONFIG_FIELD_NR_CPUS,
	CONFIG_FIELD_RAM_SIZE,
	CONFIG_FIELD_HV_BASE,
	CONFIG_FIELD_HV_SIZE,
	CONFIG_FIELD_POOL_SIZE,
	CONFIG_FIELD_CONSOLE,
	CONFIG_FIELD_CELLS,
	/* cell */
	CONFIG_FIELD_NAME,
	CONFIG_FIELD_CPUS, /* config_error.value = the CPU number */
	CONFIG_FIELD_IMAGE,
	CONFIG_FIELD_ARGS,
	CONFIG_FIELD_FLAGS, /* cell flags (manager) */
	CONFIG_FIELD_POLICY,
	CONFIG_FIELD_MCE_POLICY, /* cell: on_machine_check */
	CONFIG_FIELD_MEMORY,	 /* the cell's list of regions */
	CONFIG_FIELD_PIO,
	CONFIG_FIELD_MSR,
	/* elements */
	CONFIG_FIELD_PHYS,
	CONFIG_FIELD_GUEST,
	CONFIG_FIELD_SIZE,
	CONFIG_FIELD_MEM_FLAGS,
	CONFIG_FIELD_PEER,
	CONFIG_FIELD_BASE,
	CONFIG_FIELD_FIRST,
	CONFIG_FIELD_LAST,
	CONFIG_FIELD_ACCESS,
	/* version 3: inter-cell communication and the watchdog */
	CONFIG_FIELD_SHARE,	  /* a shared region's kind */
	CONFIG_FIELD_COMM_REGION, /* cell */
	CONFIG_FIELD_WD_PERIOD,	  /* cell: watchdog.period */
	CONFIG_FIELD_WD_MISSED,	  /* cell: watchdog.missed */
	CONFIG_FIELD_WD_ACTION,	  /* cell: watchdog.action */
	CONFIG_FIELD_DOORBELLS,	  /* cell: its list of doorbells */
	CONFIG_FIELD_DB_PEER,	  /* doorbell */
	CONFIG_FIELD_VECTOR,	  /* doorbell */
};

struct config_error {
	int code;	       /* -HV_E*, as returned */
	int cell;	       /* index in the cells array, -1 for the system or the header */
	enum config_elem elem; /* element kind within the cell */
	int index;	       /* element index within the cell's slice, -1 for none */
	enum config_field field;
	uint32_t value;	   /* extra detail: the CPU number for CONFIG_FIELD_CPUS */
	char message[256]; /* human-readable, no position */
};

/*
 * What the platform keeps for the hypervisor, as data, so that the checker stays arch-neutral. The host
 * fills it from the arch's table of architectural addresses, the hypervisor from what it found at boot
 * (firmware tables, the host channel's BAR).
 * - phys: physical ranges the hypervisor uses: MMIO (interrupt controllers, its host channel...) and
 *   memory no cell may own (x86: the low 1 MiB, with the firmware's tables and the SMP trampoline). No cell
 *   region, shared or not, may overlap one: a cell mapping it could program the hardware the hypervisor
 *   relies on or change what it boots from.
 * - guest: guest-physical ranges the hypervisor emulates for every cell (an interrupt controller's page).
 *   No cell region and no comm region may overlap one: it would shadow the emulated device.
 * - ports: I/O ports the hypervisor or the machine's control relies on (its console, the port that ends
 *   the machine, reset). No cell port range may include one: a cell could forge the hypervisor's output
 *   or end or reset the whole machine.
 * - msrs: MSRs the hypervisor keeps (memory typing, machine checks, microcode, SVM control, the APIC).
 *   No cell MSR range may include one. MSRs it emulates for cells (EFER) are not listed.
 * - msr_grantable: the MSR ranges the hardware permission map covers; a cell MSR range must lie inside
 *   one (empty: no limit). A grant outside could not be honoured: such MSRs always exit.
 */
#define CONFIG_PLATFORM_MAX_RANGES 64

/*
 * One range the platform keeps. The strings are the platform table's (static, never copied): `what`
 * names the device or MSR, `category` says what kind of harm a grant could do ("DMA-capable", "machine-wide
 * power or reset"...) and `reason` how; both are optional (NULL) and appear in the checker's message.
 */
struct config_reserved {
	uint64_t base, size;
	const char *what;
	const char *category;
	const char *reason;
};

struct config_platform {
	unsigned int nr_phys, nr_guest, nr_ports, nr_msrs, nr_msr_grantable;
	struct config_reserved phys[CONFIG_PLATFORM_MAX_RANGES];
	struct config_reserved guest[CONFIG_PLATFORM_MAX_RANGES];
	struct config_reserved ports[CONFIG_PLATFORM_MAX_RANGES];
	struct config_reserved msrs[CONFIG_PLATFORM_MAX_RANGES];
	struct config_reserved msr_grantable[CONFIG_PLATFORM_MAX_RANGES];
};

/* Add a range to one of a platform's lists (ignored when full or of size 0); the strings must stay. */
void config_platform_add(struct config_reserved *list, unsigned int *nr, uint64_t base, uint64_t size,
			 const char *what, const char *category, const char *reason);

/*
 * Check a whole blob of `size` bytes: header, checksum, every array and every rule in docs/config.md,
 * against `plat` (NULL: no platform reservations, for tools that only read a blob and never boot it).
 * Returns 0, or a negative hv_error with *err filled in (the first problem found). On success the arrays
 * may be read with the accessors below.
 */
int config_check(const void *blob, size_t size, const struct config_platform *plat, struct config_error *err);

/*
 * Check the ELF image of cell `cell` of an already checked blob: it must parse for `machine`, every
 * loadable segment must lie in one of the cell's RAM regions (writable segments in writable ones) and
 * outside the boot area at the top of the lowest RAM region, and the entry point must lie in an
 * executable region.
 */
int config_check_image(const struct tessera_config_header *hdr, unsigned int cell, const void *elf,
		       size_t size, uint16_t machine, struct config_error *err);

/* The lowest (by guest address) RAM region of a checked cell: it holds the boot area at its top. */
const struct tessera_config_memory *config_cell_boot_region(const struct tessera_config_header *hdr,
							    const struct tessera_config_cell *cell);

static inline const struct tessera_config_cell *config_cells(const struct tessera_config_header *hdr)
{
	return (const struct tessera_config_cell *)((const char *)hdr + hdr->cells_offset);
}

static inline const struct tessera_config_memory *config_memory(const struct tessera_config_header *hdr)
{
	return (const struct tessera_config_memory *)((const char *)hdr + hdr->memory_offset);
}

static inline const struct tessera_config_pio *config_pio(const struct tessera_config_header *hdr)
{
	return (const struct tessera_config_pio *)((const char *)hdr + hdr->pio_offset);
}

static inline const struct tessera_config_msr *config_msr(const struct tessera_config_header *hdr)
{
	return (const struct tessera_config_msr *)((const char *)hdr + hdr->msr_offset);
}

static inline const struct tessera_config_doorbell *config_doorbells(const struct tessera_config_header *hdr)
{
	return (const struct tessera_config_doorbell *)((const char *)hdr + hdr->doorbells_offset);
}

/* "rw", "out", "in" or "none" (the YAML words). */
const char *config_share_kind_name(uint32_t kind);

/* The index of the cell named `name` in a checked blob, or -1. */
int config_cell_index(const struct tessera_config_header *hdr, const char *name);

/* The CRC-32 a blob should carry in its checksum field (computed with that field as zero). */
uint32_t config_blob_checksum(const void *blob, size_t size);

#endif
