/*
 * The YAML form of a system config, as libcyaml loads it (docs/config.md describes every key). Numbers
 * are kept as strings here: libcyaml's integer reader accepts trailing garbage ("4K" reads as 4), so the
 * compiler parses them itself, strictly, with size suffixes.
 */
#ifndef TESSERA_CLI_CONFIG_SCHEMA_H
#define TESSERA_CLI_CONFIG_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "marks.h"

struct yaml_memory {
	char *phys, *guest, *size;
	uint32_t flags;	   /* TESSERA_MEM_* */
	char *shared_with; /* NULL when absent */
	int share;	   /* enum tessera_share_kind; 0 when absent: rw if shared */
};

struct yaml_doorbell {
	char *peer;
	char *vector;
};

struct yaml_watchdog {
	char *period, *missed; /* ms; beats */
	int action;	       /* enum tessera_watchdog_action */
};

struct yaml_pio {
	char *base, *size;
};

struct yaml_msr {
	char *first, *last; /* last NULL when absent: first */
	uint32_t access;    /* TESSERA_MSR_* */
};

struct yaml_cell {
	char *name;
	char **cpus;
	unsigned int cpus_count;
	char *image;
	char *args;
	int manager;
	int on_violation;     /* enum tessera_violation_policy */
	int on_machine_check; /* enum tessera_mce_policy */
	struct yaml_memory *memory;
	unsigned int memory_count;
	struct yaml_pio *pio;
	unsigned int pio_count;
	struct yaml_msr *msr;
	unsigned int msr_count;
	char *comm_region;		/* NULL when absent */
	struct yaml_watchdog *watchdog; /* NULL when absent */
	struct yaml_doorbell *doorbells;
	unsigned int doorbells_count;
};

struct yaml_machine {
	char *cpus, *ram;
};

struct yaml_hypervisor {
	char *base, *size, *pool;
	int console; /* enum tessera_console */
};

struct yaml_system {
	struct yaml_machine machine;
	struct yaml_hypervisor hypervisor;
	struct yaml_cell *cells;
	unsigned int cells_count;
};

/*
 * Load `size` bytes of YAML through the schema. Returns the system, or NULL with a message and the
 * position of the offending node in *where.
 */
struct yaml_system *yaml_system_load(const char *data, size_t size, const struct yaml_marks *marks,
				     struct yaml_pos *where, char *why, size_t why_size);
void yaml_system_free(struct yaml_system *sys);

#endif
