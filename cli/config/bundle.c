/*
 * `tessera config bundle FILE -o BUNDLE`: the boot modules `tessera run --config FILE` would pass (blob
 * first, then each image once; config_prepare_boot() decides), written as one boot bundle for loaders with
 * one argument per image, such as LAVA's (docs/lab.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lab/host_files.h"
#include "../../lab/lava/bundle_write.h"
#include "../run_config.h"
#include "bundle.h"

int config_bundle(const char *yaml_path, const char *output)
{
	char workdir[PATH_MAX], err[PATH_MAX + 128];
	struct machine m;
	int ret;

	if (lab_make_scratch_dir(workdir, sizeof(workdir), "tessera-bundle")) {
		fprintf(stderr, "tessera: cannot create a scratch directory: %s\n", strerror(errno));
		return 1;
	}
	machine_init_defaults(&m);
	ret = config_prepare_boot(yaml_path, workdir, &m);
	if (!ret) {
		ret = bundle_write(output, m.modules, m.nr_modules, err, sizeof(err));
		if (ret)
			fprintf(stderr, "tessera: %s\n", err);
	}
	lab_remove_tree(workdir);
	return ret;
}
