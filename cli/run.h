/* `tessera run` pieces that other commands (bench, fi, run records) reuse. */
#ifndef TESSERA_CLI_RUN_H
#define TESSERA_CLI_RUN_H

#include <stddef.h>

/* The QEMU command line of the last run started by this process, shell-quoted; NULL before any. */
const char *run_qemu_cmdline(void);
/* The hypervisor image beside this executable: <dir of /proc/self/exe>/x86_64_hv/tessera-hv.elf.
 * Returns 0, or -1 when the executable's own path cannot be read or does not fit. */
int run_find_hv_image(char *path, size_t size);

#endif
