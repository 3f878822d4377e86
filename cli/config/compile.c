/*
 * The compiler's driver: read, mark, load through the schema, build the blob, run the shared checker,
 * check the images. Every error, whichever stage finds it, ends as one `FILE:LINE:COL: message`.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/config_check.h>

#include "../../arch/x86_64/config_platform.h"
#include "internal.h"

/* The machines the host tool builds for are x86 PCs; another arch would pick its table by `machine`. */
const struct config_platform *config_host_platform(void)
{
	return x86_config_platform_default();
}

const struct config_platform *config_host_platform_for(uint64_t ram_size)
{
	static struct config_platform p;

	p = *x86_config_platform_default();
	x86_config_platform_add_qemu_pc_ram(&p, ram_size);
	return &p;
}

int config_diag_vset(struct config_diag *diag, const struct yaml_marks *marks, const char *path,
		     const char *fmt, va_list ap)
{
	struct yaml_pos pos = yaml_marks_find(marks, path);

	diag->line = pos.line;
	diag->col = pos.col;
	vsnprintf(diag->message, sizeof(diag->message), fmt, ap);
	return 2;
}

int compile_fail(struct compile_ctx *ctx, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_diag_vset(ctx->diag, &ctx->marks, path, fmt, ap);
	va_end(ap);
	return 2;
}

static const char *const field_keys[] = {
	[CONFIG_FIELD_NR_CPUS] = "machine.cpus",
	[CONFIG_FIELD_RAM_SIZE] = "machine.ram",
	[CONFIG_FIELD_HV_BASE] = "hypervisor.base",
	[CONFIG_FIELD_HV_SIZE] = "hypervisor.size",
	[CONFIG_FIELD_POOL_SIZE] = "hypervisor.pool",
	[CONFIG_FIELD_CONSOLE] = "hypervisor.console",
	[CONFIG_FIELD_CELLS] = "cells",
	[CONFIG_FIELD_NAME] = "name",
	[CONFIG_FIELD_CPUS] = "cpus",
	[CONFIG_FIELD_IMAGE] = "image",
	[CONFIG_FIELD_ARGS] = "args",
	[CONFIG_FIELD_FLAGS] = "manager",
	[CONFIG_FIELD_POLICY] = "on_violation",
	[CONFIG_FIELD_MCE_POLICY] = "on_machine_check",
	[CONFIG_FIELD_MEMORY] = "memory",
	[CONFIG_FIELD_PIO] = "pio",
	[CONFIG_FIELD_MSR] = "msr",
	[CONFIG_FIELD_PHYS] = "phys",
	[CONFIG_FIELD_GUEST] = "guest",
	[CONFIG_FIELD_SIZE] = "size",
	[CONFIG_FIELD_MEM_FLAGS] = "flags",
	[CONFIG_FIELD_PEER] = "shared_with",
	[CONFIG_FIELD_BASE] = "base",
	[CONFIG_FIELD_FIRST] = "first",
	[CONFIG_FIELD_LAST] = "last",
	[CONFIG_FIELD_ACCESS] = "access",
	[CONFIG_FIELD_SHARE] = "share",
	[CONFIG_FIELD_COMM_REGION] = "comm_region",
	[CONFIG_FIELD_WD_PERIOD] = "watchdog.period",
	[CONFIG_FIELD_WD_MISSED] = "watchdog.missed",
	[CONFIG_FIELD_WD_ACTION] = "watchdog.action",
	[CONFIG_FIELD_DOORBELLS] = "doorbells",
	[CONFIG_FIELD_DB_PEER] = "peer",
	[CONFIG_FIELD_VECTOR] = "vector",
};

/* The YAML path of the node a checker error concerns. */
static void error_path(const struct config_error *err, const struct yaml_system *sys, char *path, size_t size)
{
	const char *key = (unsigned int)err->field < sizeof(field_keys) / sizeof(field_keys[0]) &&
					  field_keys[err->field]
				  ? field_keys[err->field]
				  : "";
	static const char *const elem_keys[] = {"", "memory", "pio", "msr", "doorbells"};

	if (err->cell < 0) {
		snprintf(path, size, "%s", key);
		return;
	}
	if (err->elem != CONFIG_ELEM_NONE) {
		snprintf(path, size, "cells[%d].%s[%d].%s", err->cell, elem_keys[err->elem], err->index, key);
		return;
	}
	if (err->field == CONFIG_FIELD_CPUS && (unsigned int)err->cell < sys->cells_count) {
		const struct yaml_cell *yc = &sys->cells[err->cell];
		for (unsigned int k = 0; k < yc->cpus_count; k++) {
			uint64_t v;
			if (!config_parse_number(yc->cpus[k], &v) && v == err->value) {
				snprintf(path, size, "cells[%d].cpus[%u]", err->cell, k);
				return;
			}
		}
	}
	snprintf(path, size, "cells[%d].%s", err->cell, key);
}

/* The whole file, or NULL with errno set (a directory fails in fread with EISDIR). */
char *config_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = realloc(buf, cap + 1);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		free(buf);
		errno = e;
		return NULL;
	}
	fclose(f);
	buf[n] = 0;
	*size = n;
	return buf;
}

int config_compile(const char *path, const struct config_options *opt, struct config_compiled *out,
		   struct config_diag *diag)
{
	static const struct config_options defaults;
	struct compile_ctx ctx = {.file = path, .diag = diag};
	struct yaml_system *sys = NULL;
	struct config_error cerr;
	struct yaml_pos where;
	size_t size;
	char *text;
	int ret = 2;

	if (!opt)
		opt = &defaults;
	memset(out, 0, sizeof(*out));
	memset(diag, 0, sizeof(*diag));
	text = config_read_file(path, &size);
	if (!text) {
		snprintf(diag->message, sizeof(diag->message), "cannot read the config file: %s",
			 strerror(errno));
		return 2;
	}
	if (yaml_marks_build(text, size, &ctx.marks, &where, diag->message, sizeof(diag->message))) {
		diag->line = where.line;
		diag->col = where.col;
		goto out;
	}
	sys = yaml_system_load(text, size, &ctx.marks, &where, diag->message, sizeof(diag->message));
	if (!sys) {
		diag->line = where.line;
		diag->col = where.col;
		goto out;
	}
	if (config_blob_build(&ctx, sys))
		goto out;
	if (!opt->no_check &&
	    config_check(ctx.blob, ctx.size,
			 config_host_platform_for(((const struct tessera_config_header *)ctx.blob)->ram_size),
			 &cerr)) {
		char epath[128];
		error_path(&cerr, sys, epath, sizeof(epath));
		compile_fail(&ctx, epath, "%s", cerr.message);
		goto out;
	}
	out->blob = ctx.blob;
	out->size = ctx.size;
	ctx.blob = NULL;
	if (config_images_check(&ctx, sys, opt, out)) {
		config_compiled_free(out);
		goto out;
	}
	ret = 0;
out:
	free(ctx.blob);
	yaml_system_free(sys);
	yaml_marks_free(&ctx.marks);
	free(text);
	return ret;
}

void config_compiled_free(struct config_compiled *out)
{
	for (unsigned int i = 0; i < out->nr_images; i++)
		free(out->images[i]);
	free(out->images);
	free(out->blob);
	memset(out, 0, sizeof(*out));
}

void config_diag_print(const char *path, const struct config_diag *diag)
{
	if (diag->line)
		fprintf(stderr, "tessera: %s:%u:%u: %s\n", path, diag->line, diag->col, diag->message);
	else
		fprintf(stderr, "tessera: %s: %s\n", path, diag->message);
}
