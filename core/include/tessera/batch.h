/*
 * Experiment batches with no host attached (abi/batch.h; docs/fault-campaigns.md, "Batches"): the boot
 * module `batch.blob` lists fault-injection experiments, which the hypervisor runs one after another,
 * each marked on the console, and then shuts down.
 */
#ifndef TESSERA_BATCH_H
#define TESSERA_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include <tessera/boot_modules.h>

/*
 * After the cells are built: with a batch module, check it (a bad one stops the machine with
 * BAD_CONFIG, before any cell runs), hold the machine and take over the cells' starts. Returns true when
 * there is a batch: the boot then starts no cell itself.
 */
bool batch_boot(const struct boot_info *info);

/* What is wrong with a batch blob for a config of nr_cells cells, or NULL. Pure: unit-tested. */
const char *batch_problem(const void *blob, size_t size, unsigned int nr_cells);

#endif
