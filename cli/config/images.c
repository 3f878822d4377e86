/*
 * Finding each cell's guest image and checking it against the cell's memory with the shared checker.
 * An image named in the YAML is looked up, in order: as given if absolute; beside the YAML file; in each
 * --images directory; in each directory of $TESSERA_GUEST_PATH (colon-separated); beside the `tessera`
 * executable and in its x86_64_hv/ subdirectory (where the build puts the guests).
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <tessera/config_check.h>

#include "../../lab/host_files.h"
#include "internal.h"

#define EM_X86_64 62

static char *try_dir(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return NULL;
	return access(path, R_OK) == 0 ? strdup(path) : NULL;
}

static char *resolve_image(const char *yaml_file, const char *name, const struct config_options *opt)
{
	char buf[PATH_MAX], *found = NULL;
	const char *env = getenv("TESSERA_GUEST_PATH");

	if (name[0] == '/')
		return access(name, R_OK) == 0 ? strdup(name) : NULL;
	snprintf(buf, sizeof(buf), "%s", yaml_file);
	found = try_dir(dirname(buf), name);
	for (size_t i = 0; !found && i < opt->nr_image_dirs; i++)
		found = try_dir(opt->image_dirs[i], name);
	if (!found && env) {
		char *list = strdup(env), *save = NULL;
		for (char *d = strtok_r(list, ":", &save); d && !found; d = strtok_r(NULL, ":", &save))
			found = try_dir(d, name);
		free(list);
	}
	if (!found && !lab_path_beside_exe(buf, sizeof(buf), ""))
		found = try_dir(buf, name);
	if (!found && !lab_path_beside_exe(buf, sizeof(buf), "x86_64_hv"))
		found = try_dir(buf, name);
	return found;
}

/*
 * What to do about a missing image, for the error: an inmate of this source tree (guests/NAME/ builds
 * NAME.elf into the build's x86_64_hv/) that is not built yet, or one that does not exist.
 */
static void missing_image_hint(const char *name, char *hint, size_t size)
{
	char dir[PATH_MAX], stem[128], build[PATH_MAX + 160];
	size_t len = strlen(name);

	hint[0] = '\0';
	if (strchr(name, '/') || len < 5 || strcmp(name + len - 4, ".elf") || len - 4 >= sizeof(stem) ||
	    lab_path_beside_exe(dir, sizeof(dir), ""))
		return;
	snprintf(stem, sizeof(stem), "%.*s", (int)(len - 4), name);
	/* the build directory (out/) sits in the source tree, as for the shipped configs */
	snprintf(build, sizeof(build), "%s/../guests/%s/BUILD.gn", dir, stem);
	if (access(build, R_OK) == 0)
		snprintf(hint, size, "; guests/%s/ is not built yet: run ./tessera (or ninja -C out)", stem);
	else
		snprintf(hint, size,
			 "; to add it: guests/%s/BUILD.gn with guest_image(\"%s\") (see guests/README.md)",
			 stem, stem);
}

static void *read_image(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc(len ? len : 1);
		if (fread(buf, 1, len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		}
		*size = len;
	}
	fclose(f);
	return buf;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/*
 * The blob keeps an image's base name only, and the hypervisor takes the first boot module of that
 * name: two different files with one base name would boot one cell with the other's image. The same file
 * named twice (two cells running hello.elf) is fine.
 */
static int check_image_identity(struct compile_ctx *ctx, const struct yaml_system *sys,
				const struct config_compiled *out, unsigned int i)
{
	char path[64], a[PATH_MAX], b[PATH_MAX];

	for (unsigned int k = 0; k < i; k++) {
		if (strcmp(base_name(sys->cells[k].image), base_name(sys->cells[i].image)) != 0)
			continue;
		if (realpath(out->images[k], a) && realpath(out->images[i], b) && !strcmp(a, b))
			continue;
		snprintf(path, sizeof(path), "cells[%u].image", i);
		return compile_fail(
			ctx, path,
			"image '%s' is another file with the base name of cell '%s''s image '%s': "
			"the hypervisor finds images by base name; rename one",
			sys->cells[i].image, sys->cells[k].name, sys->cells[k].image);
	}
	return 0;
}

int config_images_check(struct compile_ctx *ctx, const struct yaml_system *sys,
			const struct config_options *opt, struct config_compiled *out)
{
	char path[64];

	if (opt->no_images)
		return 0;
	out->images = calloc(sys->cells_count, sizeof(*out->images));
	out->nr_images = sys->cells_count;
	for (unsigned int i = 0; i < sys->cells_count; i++) {
		const char *name = sys->cells[i].image;
		struct config_error err;
		size_t size = 0;
		void *elf;
		int bad;

		snprintf(path, sizeof(path), "cells[%u].image", i);
		out->images[i] = resolve_image(ctx->file, name, opt);
		if (!out->images[i]) {
			char hint[PATH_MAX];
			missing_image_hint(name, hint, sizeof(hint));
			return compile_fail(ctx, path,
					    "image '%s' not found (beside the config, in --images "
					    "directories, $TESSERA_GUEST_PATH or the build's x86_64_hv/)%s",
					    name, hint);
		}
		if (check_image_identity(ctx, sys, out, i))
			return 2;
		if (opt->no_check)
			continue;
		elf = read_image(out->images[i], &size);
		if (!elf)
			return compile_fail(ctx, path, "cannot read image '%s'", out->images[i]);
		bad = config_check_image(out->blob, i, elf, size, opt->machine ? opt->machine : EM_X86_64,
					 &err);
		free(elf);
		if (bad)
			return compile_fail(ctx, path, "%s", err.message);
	}
	return 0;
}
