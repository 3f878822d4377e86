/*
 * `tessera run --config FILE`: compile the config, write the blob into the run's scratch directory and
 * hand the blob and the cells' images to the machine as boot modules (blob first; each image once, since
 * the hypervisor finds images by file name). The config describes the machine, so its CPU count and RAM
 * size become QEMU's -smp and -m unless --smp/--mem ask for more (machine_fit_config()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/abi/config.h>
#include <tessera/config_check.h>

#include "../run_config.h"
#include "compile.h"

static char *write_blob(const char *workdir, const struct config_compiled *c)
{
	char *path;

	if (asprintf(&path, "%s/config.blob", workdir) < 0)
		return NULL;
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(c->blob, 1, c->size, f) != c->size || fclose(f)) {
		perror(path);
		free(path);
		return NULL;
	}
	return path;
}

static bool already_added(const struct machine *m, const char *path)
{
	for (unsigned int i = 0; i < m->nr_modules; i++)
		if (!strcmp(m->modules[i], path))
			return true;
	return false;
}

int config_prepare_boot(const char *yaml_path, const char *workdir, struct machine *m)
{
	struct config_options opt = {0};
	struct config_compiled c;
	struct config_diag diag;
	int ret = config_compile(yaml_path, &opt, &c, &diag);

	if (ret) {
		config_diag_print(yaml_path, &diag);
		return ret;
	}
	const struct tessera_config_header *h = c.blob;
	char *blob = write_blob(workdir, &c);
	if (!blob || machine_add_module(m, blob)) {
		config_compiled_free(&c);
		return 1;
	}
	for (unsigned int i = 0; i < c.nr_images; i++) {
		char *img = c.images[i] ? strdup(c.images[i]) : NULL;
		if (!img || already_added(m, img))
			continue;
		if (machine_add_module(m, img)) {
			fprintf(stderr,
				"tessera: %s: cannot pass image %s as a boot module (too many, or a ',' in "
				"its path)\n",
				yaml_path, img);
			config_compiled_free(&c);
			return 2;
		}
	}
	/* The config describes the machine its cells need: --smp/--mem may give more, never less. */
	static char mem[32];
	char why[160];
	ret = 0;
	if (machine_fit_config(m, h->nr_cpus, h->ram_size, mem, sizeof(mem), why, sizeof(why))) {
		fprintf(stderr, "tessera: %s: %s\n", yaml_path, why);
		ret = 2;
	}
	/* A larger --mem moves what the firmware reserves (and, from 3.5 GiB, turns 3-4 GiB into the PCI
	 * hole): check the blob against the machine QEMU will really be, as the hypervisor will. */
	uint64_t bytes;
	struct config_error err;
	if (!ret && m->mem_set && !machine_parse_mem(m->mem, &bytes) && bytes != h->ram_size &&
	    config_check(c.blob, c.size, config_host_platform_for(bytes), &err)) {
		if (err.cell >= 0)
			fprintf(stderr, "tessera: %s: with --mem %s, cell '%s': %s\n", yaml_path, m->mem,
				config_cells(h)[err.cell].name, err.message);
		else
			fprintf(stderr, "tessera: %s: with --mem %s: %s\n", yaml_path, m->mem, err.message);
		ret = 2;
	}
	config_compiled_free(&c);
	return ret;
}
