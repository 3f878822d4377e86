/*
 * The compiled system configuration: the blob that `tessera config compile` writes and the hypervisor
 * reads from a boot module (layout version 3). Version 2 added `args` to struct tessera_config_cell;
 * version 3 added share kinds, the doorbell array, the comm region and the watchdog (inter-cell
 * communication, docs/ivc.md), and later the cell's machine-check policy in what was a reserved field
 * (0, the value old blobs carry there, is `stop`: the default).
 *
 * Layout rules: little-endian, fixed-width fields, every struct a multiple of 8 bytes with explicit
 * padding, no pointers. The blob is
 *
 *   struct tessera_config_header
 *   struct tessera_config_cell    cells[nr_cells]
 *   struct tessera_config_memory  memory[nr_memory]     (all cells' regions; a cell names a slice)
 *   struct tessera_config_pio     pio[nr_pio]
 *   struct tessera_config_msr     msr[nr_msr]
 *   struct tessera_config_doorbell doorbells[nr_doorbells]
 *
 * each array starting at the offset the header gives. `checksum` is the CRC-32 (IEEE 802.3, as zlib
 * computes it) of the whole blob with the checksum field taken as zero. A reader must refuse a blob whose
 * magic, version, size or checksum is wrong before it looks at anything else.
 */
#ifndef TESSERA_ABI_CONFIG_H
#define TESSERA_ABI_CONFIG_H

#include <stdint.h>

#define TESSERA_CONFIG_MAGIC   "TESSCFG" /* 8 bytes with the NUL */
#define TESSERA_CONFIG_VERSION 3

/*
 * Where the hypervisor puts its page pool: at or above TESSERA_POOL_MIN_ADDR (the memory below is kept for
 * the image, the boot modules and low-memory users such as trampolines), on a TESSERA_POOL_ALIGN boundary,
 * inside the hypervisor's memory. The checker refuses a config whose pool cannot fit so.
 */
#define TESSERA_POOL_MIN_ADDR (16ULL << 20)
#define TESSERA_POOL_ALIGN    (2ULL << 20)

/* Hypervisor limits; the checker refuses configs that exceed them. */
#define TESSERA_MAX_CELLS	   8
#define TESSERA_MAX_CPUS	   16
#define TESSERA_MAX_MEMORY	   64 /* regions, all cells */
#define TESSERA_MAX_PIO		   64
#define TESSERA_MAX_MSR		   64
#define TESSERA_MAX_DOORBELLS	   64 /* all cells */
#define TESSERA_MAX_CELL_DOORBELLS 8
#define TESSERA_MAX_CELL_REGIONS   16
#define TESSERA_NAME_LEN	   32
#define TESSERA_IMAGE_LEN	   64
#define TESSERA_ARGS_LEN	   128 /* same as tessera_cell_boot_info.args */

struct tessera_config_header {
	char magic[8];	     /* TESSERA_CONFIG_MAGIC */
	uint32_t version;    /* TESSERA_CONFIG_VERSION */
	uint32_t total_size; /* bytes, header included */
	uint32_t checksum;   /* see above */
	uint32_t flags;	     /* none defined yet: must be 0 */
	/* The machine */
	uint32_t nr_cpus; /* CPUs the machine has (QEMU -smp) */
	uint32_t reserved0;
	uint64_t ram_size; /* RAM the machine has, from physical address 0 (QEMU -m) */
	/* The hypervisor's own memory: image, page pool, boot modules all live here */
	uint64_t hv_base;
	uint64_t hv_size;
	uint64_t pool_size; /* page pool, carved from the hypervisor's memory */
	uint32_t console;   /* enum tessera_console */
	uint32_t reserved1;
	/* The arrays */
	uint32_t nr_cells, cells_offset;
	uint32_t nr_memory, memory_offset;
	uint32_t nr_pio, pio_offset;
	uint32_t nr_msr, msr_offset;
	uint32_t nr_doorbells, doorbells_offset; /* version 3 */
};

enum tessera_console {
	TESSERA_CONSOLE_SERIAL = 0, /* COM1 on x86, PL011 on arm64 */
	TESSERA_CONSOLE_NONE = 1,
};

/* Cell flags */
#define TESSERA_CELL_MANAGER (1u << 0) /* may start, stop and restart other cells by hypercall */

/* What happens when a cell does something its config does not allow. */
enum tessera_violation_policy {
	TESSERA_POLICY_STOP = 0,   /* stop the cell and report it */
	TESSERA_POLICY_INJECT = 1, /* report it and inject a fault into the cell (#GP, or #PF for memory) */
};

struct tessera_config_cell {
	char name[TESSERA_NAME_LEN];	     /* NUL-terminated, [a-z0-9_-], unique */
	char image[TESSERA_IMAGE_LEN];	     /* boot module name of the ELF image, e.g. "hello.elf" */
	uint64_t cpus;			     /* bit n = physical CPU n */
	uint32_t flags;			     /* TESSERA_CELL_* */
	uint32_t policy;		     /* enum tessera_violation_policy */
	uint32_t memory_first, memory_count; /* slice of the memory array */
	uint32_t pio_first, pio_count;
	uint32_t msr_first, msr_count;
	char args[TESSERA_ARGS_LEN]; /* NUL-terminated, copied to the cell's boot info */
	/* version 3 */
	uint64_t comm_region;			 /* guest-physical page of the comm region, 0: none */
	uint32_t doorbell_first, doorbell_count; /* slice of the doorbell array: peers it may ring */
	uint32_t wd_period_ms;			 /* watchdog heartbeat period, 0: no watchdog */
	uint32_t wd_missed;			 /* unanswered heartbeats before the action */
	uint32_t wd_action;			 /* enum tessera_watchdog_action */
	uint32_t mce_policy;			 /* enum tessera_mce_policy (docs/machine-checks.md) */
};

/* What happens to a cell that owns an uncorrected machine check (corrected ones are only logged). */
enum tessera_mce_policy {
	TESSERA_MCE_STOP = 0,	 /* stop the cell (failed) */
	TESSERA_MCE_FORWARD = 1, /* inject a virtual #MC whose virtual MCA MSRs hold the record */
	TESSERA_MCE_RESTART = 2, /* restart the cell from its image */
	TESSERA_MCE_LOG = 3,	 /* log and count; the cell goes on */
};

enum tessera_watchdog_action {
	TESSERA_WATCHDOG_STOP = 0,    /* stop the cell (state failed) */
	TESSERA_WATCHDOG_RESTART = 1, /* stop it and start it again from its image */
};

/* Watchdog limits the checker enforces. */
#define TESSERA_WATCHDOG_MIN_PERIOD_MS 10
#define TESSERA_WATCHDOG_MAX_PERIOD_MS 60000
#define TESSERA_WATCHDOG_MAX_MISSED    100

/* Memory region flags */
#define TESSERA_MEM_READ   (1u << 0)
#define TESSERA_MEM_WRITE  (1u << 1)
#define TESSERA_MEM_EXEC   (1u << 2)
#define TESSERA_MEM_SHARED (1u << 3) /* shared with the cell named in `peer`; both sides must declare it */
#define TESSERA_MEM_DEVICE (1u << 4) /* device memory (MMIO passthrough), mapped uncached */

struct tessera_config_memory {
	uint64_t phys;	/* host-physical start */
	uint64_t guest; /* guest-physical start */
	uint64_t size;
	uint32_t flags;		     /* TESSERA_MEM_* */
	uint32_t share_kind;	     /* enum tessera_share_kind: SHARED regions only, 0 otherwise */
	char peer[TESSERA_NAME_LEN]; /* for SHARED regions: the other cell */
};

/*
 * Who writes a shared region, seen from the cell that declares it. The two declarations of one region
 * must pair up: RW with RW, OUT with IN. The local mapping follows: OUT and RW regions must be writable,
 * IN regions must not be.
 */
enum tessera_share_kind {
	TESSERA_SHARE_NONE = 0, /* not shared */
	TESSERA_SHARE_RW = 1,	/* both cells read and write */
	TESSERA_SHARE_OUT = 2,	/* this cell reads and writes; the peer only reads */
	TESSERA_SHARE_IN = 3,	/* this cell only reads; the peer writes */
};

/* Port ranges a cell may access (everything else is denied). */
struct tessera_config_pio {
	uint32_t base; /* first port, 0..0xffff */
	uint32_t size; /* ports, base + size <= 0x10000 */
};

#define TESSERA_MSR_READ  (1u << 0)
#define TESSERA_MSR_WRITE (1u << 1)

/* MSR allow-list entries: default deny; read and write granted separately. */
struct tessera_config_msr {
	uint32_t first;
	uint32_t last;	/* inclusive */
	uint32_t flags; /* TESSERA_MSR_READ | TESSERA_MSR_WRITE */
	uint32_t reserved;
};

/*
 * A doorbell: the cell that lists it may ring cell `peer` (hypercall doorbell_ring), which then receives
 * virtual interrupt `vector` (0x20-0xfe) on its boot CPU.
 */
struct tessera_config_doorbell {
	char peer[TESSERA_NAME_LEN];
	uint32_t vector;
	uint32_t reserved;
};

#endif
