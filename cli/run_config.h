/*
 * How `tessera run --config FILE` gets its boot modules. The config feature (cli/config/) provides
 * config_prepare_boot() as a strong symbol; until it is linked in, a weak fallback (config_weak.c) says
 * that config support is not in this build.
 */
#ifndef TESSERA_CLI_RUN_CONFIG_H
#define TESSERA_CLI_RUN_CONFIG_H

#include "../lab/machine.h"

/*
 * Check and compile the YAML system config at yaml_path, write the blob (and anything else it needs to
 * write) into workdir (an empty directory that the caller removes after the run, files included), and add
 * the boot modules to m with machine_add_module(): the blob first, then the cell images, in the order the
 * hypervisor expects them. May also set m->cmdline when it is NULL. Strings added to m must stay valid
 * until the run ends. Returns 0, or an exit status (1 failed, 2 bad config) after printing why on stderr
 * as "tessera: FILE:LINE:COL: what is wrong".
 */
int config_prepare_boot(const char *yaml_path, const char *workdir, struct machine *m);

#endif
