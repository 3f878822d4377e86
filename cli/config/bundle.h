/* `tessera config bundle` (bundle.c). */
#ifndef TESSERA_CLI_CONFIG_BUNDLE_H
#define TESSERA_CLI_CONFIG_BUNDLE_H

/* Write the boot modules of the config at yaml_path as one boot bundle; returns the exit status. */
int config_bundle(const char *yaml_path, const char *output);

#endif
