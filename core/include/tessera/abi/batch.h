/*
 * An experiment batch (layout version 1): many fault-injection experiments that the hypervisor runs one
 * after another in one boot with no host attached (docs/fault-campaigns.md, "Batches"), handed to it as
 * the boot module `batch.blob`. It is what a many-per-boot campaign's host does through the control
 * mailbox (hold, then per experiment a CELL_RESTART_FAULT), done by the hypervisor itself, so that a
 * LAVA job or a board in a lab runs a whole batch and reports everything on the console.
 *
 * Layout rules as for the fault plan (abi/fault_plan.h): little-endian, fixed-width fields, no pointers.
 * The blob is
 *
 *   struct tessera_batch_header
 *   struct tessera_batch_experiment experiments[nr_experiments]   (at experiments_offset)
 *
 * `checksum` is the CRC-32 of the whole blob with the checksum field taken as zero. Each experiment's
 * fault is checked against the system config when it is armed, as a host's live fault is.
 *
 * The console markers (one line each, from the hypervisor, `[cpu0] ` prefixed): `batch: experiment N
 * begins`, then the experiment's lines (with `batch: experiment N: restart error E` when its restart
 * failed), then `batch: experiment N ends (cells ended)`, `... ends (time limit)`, or `... ends (time
 * limit; cells did not stop: the batch ends)`, after which the machine stops; after the last,
 * `batch: M experiments done`. N is the experiment's `index` (the campaign's numbering).
 */
#ifndef TESSERA_ABI_BATCH_H
#define TESSERA_ABI_BATCH_H

#include <stdint.h>

#include "fault_plan.h"

#define TESSERA_BATCH_MAGIC   "TESSBAT" /* 8 bytes with the NUL */
#define TESSERA_BATCH_VERSION 1
#define TESSERA_BATCH_MODULE  "batch.blob" /* the boot module's base name */
#define TESSERA_BATCH_MAX     4096	   /* experiments per batch */

#define TESSERA_BATCH_BEGINS "batch: experiment %llu begins"
#define TESSERA_BATCH_ENDS   "batch: experiment %llu ends (%s)"
#define TESSERA_BATCH_DONE   "batch: %u experiments done"

struct tessera_batch_header {
	char magic[8];	     /* TESSERA_BATCH_MAGIC */
	uint32_t version;    /* TESSERA_BATCH_VERSION */
	uint32_t total_size; /* bytes, header included */
	uint32_t checksum;   /* see above */
	uint32_t flags;	     /* none defined yet: must be 0 */
	uint32_t target;     /* the cell restarted with each fault: its index in the system config */
	uint32_t limit_ms;   /* each experiment's time limit, by the hypervisor's clock */
	uint64_t others;     /* the cells restarted with it (CELL_RESTART_FAULT's args[2]) */
	uint64_t canaries;   /* of those, the ones released first (args[3]) */
	uint32_t nr_experiments, experiments_offset;
};

struct tessera_batch_experiment {
	uint64_t index; /* the campaign's experiment number, printed in the markers */
	uint64_t seed;	/* the fault's PRNG seed (CELL_RESTART_FAULT's args[1]) */
	struct tessera_fault fault;
};

static inline const struct tessera_batch_experiment *batch_experiments(const struct tessera_batch_header *h)
{
	return (const struct tessera_batch_experiment *)((const char *)h + h->experiments_offset);
}

#endif
