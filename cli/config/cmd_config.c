/*
 * `tessera config check FILE` and `tessera config compile FILE -o BLOB` (docs/config.md). Exit status 0
 * when the config is good, 2 on bad input (with `tessera: FILE:LINE:COL: message` on stderr), 1 when the
 * blob cannot be written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/config_check.h>

#include "../commands.h"
#include "bundle.h"
#include "compile.h"

static const char config_usage[] =
	"usage: tessera config check FILE [--images DIR]... [--no-images]\n"
	"       tessera config compile FILE -o BLOB [--images DIR]... [--no-images] [--no-check]\n"
	"       tessera config check-blob BLOB\n"
	"       tessera config platform\n"
	"       tessera config bundle FILE -o BUNDLE\n"
	"\n"
	"check       check a YAML system config (docs/config.md) and the cells' images\n"
	"compile     check it and write the binary blob the hypervisor boots with\n"
	"check-blob  run the hypervisor's checker on a blob\n"
	"platform    print the devices, MSRs and memory the hypervisor keeps from every cell, and why\n"
	"bundle      the blob and the images as one boot bundle, the boot modules of\n"
	"            `tessera run --config FILE` in one file (docs/lab.md)\n"
	"--images DIR  where to look for cell images (repeatable); --no-images skips the image checks\n"
	"--no-check is for tests only: it writes the blob even if the checker refuses it.\n"
	"\n"
	"Exit status: 0 good, 1 the blob cannot be written, 2 bad input (tessera: FILE:LINE:COL: ...).\n";

/* A usage error: the usage on stderr, exit 2. */
static int usage(void)
{
	fputs(config_usage, stderr);
	return 2;
}

static bool is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

static int write_blob(const char *path, const void *blob, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(blob, 1, size, f) != size || fclose(f) != 0) {
		fprintf(stderr, "tessera: %s: cannot write the blob\n", path);
		return 1;
	}
	return 0;
}

/* Run the hypervisor's checker on a blob file, as the hypervisor would (without the images). */
static int check_blob(const char *path)
{
	struct config_error err;
	FILE *f = fopen(path, "rb");
	static char buf[1 << 20];
	size_t n;

	if (!f) {
		fprintf(stderr, "tessera: %s: cannot read the blob: %s\n", path, strerror(errno));
		return 2;
	}
	n = fread(buf, 1, sizeof(buf), f);
	if (ferror(f)) {
		fprintf(stderr, "tessera: %s: cannot read the blob: %s\n", path, strerror(errno));
		fclose(f);
		return 2;
	}
	fclose(f);
	const struct tessera_config_header *h = (const void *)buf;
	const struct config_platform *plat =
		n >= sizeof(*h) ? config_host_platform_for(h->ram_size) : config_host_platform();
	if (config_check(buf, n, plat, &err)) {
		fprintf(stderr, "tessera: %s: %s\n", path, err.message);
		return 2;
	}
	return 0;
}

int cmd_config(int argc, char **argv)
{
	struct config_options opt = {0};
	const char *dirs[16], *file = NULL, *output = NULL, *verb;
	struct config_compiled out;
	struct config_diag diag;
	int ret;

	/* --help or -h anywhere: the usage on stdout, success */
	for (int i = 1; i < argc; i++)
		if (is_help(argv[i])) {
			fputs(config_usage, stdout);
			return 0;
		}
	if (argc < 2)
		return usage();
	verb = argv[1];
	if (strcmp(verb, "platform") == 0) {
		char *table = argc == 2 ? config_platform_markdown() : NULL;
		if (!table)
			return argc == 2 ? 1 : usage();
		fputs(table, stdout);
		free(table);
		return 0;
	}
	if (strcmp(verb, "check-blob") != 0 && strcmp(verb, "bundle") != 0 && strcmp(verb, "check") != 0 &&
	    strcmp(verb, "compile") != 0) {
		fprintf(stderr, "tessera: config: unknown subcommand '%s'\n", verb);
		return usage();
	}
	if (argc < 3)
		return usage();
	if (strcmp(verb, "check-blob") == 0)
		return argc == 3 ? check_blob(argv[2]) : usage();
	if (strcmp(verb, "bundle") == 0) {
		if (argc == 5 && !strcmp(argv[3], "-o"))
			return config_bundle(argv[2], argv[4]);
		return argc == 5 && !strcmp(argv[2], "-o") ? config_bundle(argv[4], argv[3]) : usage();
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			output = argv[++i];
		else if (strcmp(argv[i], "--images") == 0 && i + 1 < argc && opt.nr_image_dirs < 16)
			dirs[opt.nr_image_dirs++] = argv[++i];
		else if (strcmp(argv[i], "--no-images") == 0)
			opt.no_images = true;
		else if (strcmp(argv[i], "--no-check") == 0 && strcmp(verb, "compile") == 0)
			opt.no_check = true;
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else
			return usage();
	}
	opt.image_dirs = dirs;
	if (!file || (strcmp(verb, "compile") == 0) != (output != NULL))
		return usage();
	ret = config_compile(file, &opt, &out, &diag);
	if (ret) {
		config_diag_print(file, &diag);
		return ret;
	}
	if (output)
		ret = write_blob(output, out.blob, out.size);
	config_compiled_free(&out);
	return ret;
}
