/*
 * Fallbacks for the config feature, which lives in cli/config/ (another part of the tree). They are weak
 * so that the tool links with or without it: when cli/config/ is linked in, its definitions win.
 */
#include <stdio.h>

#include "commands.h"
#include "run_config.h"

__attribute__((weak)) int cmd_config(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "tessera config: not available in this build\n");
	return 2;
}

__attribute__((weak)) int config_prepare_boot(const char *yaml_path, const char *workdir, struct machine *m)
{
	(void)workdir;
	(void)m;
	fprintf(stderr, "tessera run: --config %s: config support is not available in this build\n",
		yaml_path);
	return 2;
}
