/*
 * Boot bundles (abi/boot_bundle.h): one boot module holding the config blob and the images. Expanding one
 * replaces it, in place, by one boot module per entry, so that the rest of the boot (boot_modules.h,
 * cells_load.c) sees exactly the list a loader would have given with one module per file. Pure C:
 * unit-tested on the host.
 */
#ifndef TESSERA_BOOT_BUNDLE_H
#define TESSERA_BOOT_BUNDLE_H

#include <tessera/arch.h>

/*
 * Whether a module is meant to be a bundle: it begins with TESSERA_BUNDLE_MAGIC, or its base name ends in
 * ".bundle" (so that a bundle with a damaged magic is refused rather than taken for a config blob).
 */
bool boot_bundle_is(const struct boot_module *m);

/*
 * Check and expand every bundle among info->modules. The new modules point into the bundle's memory (their
 * names are the entries' names), which the loader already reserved. Returns 0 (also when there is no
 * bundle), or -1 with a one-line reason in `why` naming the module and, where one is at fault, the entry;
 * info is unchanged then.
 */
int boot_bundle_expand(struct boot_info *info, char *why, size_t why_len);

#endif
