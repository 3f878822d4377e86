/*
 * `tessera config bundle FILE -o BUNDLE`: the boot modules `tessera run --config FILE` would pass (blob
 * first, then each image once; config_prepare_boot() decides), written as one boot bundle for loaders with
 * one argument per image, such as LAVA's (docs/lab.md).
 */
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../lab/lava/bundle_write.h"
#include "../run_config.h"
#include "bundle.h"

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

int config_bundle(const char *yaml_path, const char *output)
{
	char workdir[PATH_MAX], err[PATH_MAX + 128];
	const char *tmp = getenv("TMPDIR");
	struct machine m;
	int ret;

	snprintf(workdir, sizeof(workdir), "%s/tessera-bundle.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(workdir)) {
		perror("tessera: cannot create a scratch directory");
		return 1;
	}
	machine_init_defaults(&m);
	ret = config_prepare_boot(yaml_path, workdir, &m);
	if (!ret) {
		ret = bundle_write(output, m.modules, m.nr_modules, err, sizeof(err));
		if (ret)
			fprintf(stderr, "tessera: %s\n", err);
	}
	nftw(workdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	return ret;
}
