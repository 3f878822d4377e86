/*
 * Writing a boot bundle (core/include/tessera/abi/boot_bundle.h): the boot modules of a machine, in their
 * order, as one file the hypervisor expands back into the same modules. Used by `tessera config bundle`,
 * `tessera run --bundle` and the LAVA job renderer, whose loader passes one file per image argument.
 */
#ifndef TESSERA_LAB_LAVA_BUNDLE_WRITE_H
#define TESSERA_LAB_LAVA_BUNDLE_WRITE_H

#include <stddef.h>

#include "../machine.h"

/*
 * Write the files paths[0..n-1] to `out` as a bundle, each entry named by its file's base name (what the
 * hypervisor matches modules by). Returns 0; 2 with a message in err for input that cannot be bundled
 * (none or too many files, a base name too long, two with the same base name); 1 when a file cannot be
 * read or the bundle written.
 */
int bundle_write(const char *out, const char *const *paths, unsigned int n, char *err, size_t err_size);

/*
 * Replace a machine's boot modules by one bundle of them, written to `path` (copied; the machine then
 * boots exactly the modules it had, through one -initrd file). Same return values as bundle_write().
 */
int bundle_machine_modules(struct machine *m, const char *path, char *err, size_t err_size);

#endif
