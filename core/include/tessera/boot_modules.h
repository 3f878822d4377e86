/*
 * Finding things among the boot modules. A module's name is its command line, usually the file path the
 * loader was given ("out/x86_64_hv/hello.elf"); images are matched by the base name of its first word.
 */
#ifndef TESSERA_BOOT_MODULES_H
#define TESSERA_BOOT_MODULES_H

#include <tessera/arch.h>

/* The module whose base name is `name`, or NULL. */
const struct boot_module *boot_module_find(const struct boot_info *info, const char *name);
/*
 * The config blob: the module named by `config=NAME` on the command line if given, otherwise the first
 * module (QEMU: -initrd "blob,image1,image2"). NULL if none. Its contents are not looked at here.
 */
const struct boot_module *boot_module_config(const struct boot_info *info, const char *cmdline);
/* The base name of a module name ("dir/x.elf arg" -> "x.elf"), as a pointer and a length. */
const char *boot_module_basename(const char *name, size_t *len);

/*
 * What of the boot payload lies outside [base, base+size), the config's hypervisor memory: NULL if the
 * image (hv_start..hv_end) and every module lie inside, else a description in `why`.
 */
const char *boot_payload_outside(const struct boot_info *info, uint64_t base, uint64_t size, char *why,
				 size_t why_len);

#endif
