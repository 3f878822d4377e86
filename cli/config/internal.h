/* What the parts of the config compiler share (blob.c, compile.c, images.c); not an API. */
#ifndef TESSERA_CLI_CONFIG_INTERNAL_H
#define TESSERA_CLI_CONFIG_INTERNAL_H

#include <tessera/abi/config.h>

#include "compile.h"
#include "marks.h"
#include "schema.h"

struct compile_ctx {
	const char *file;
	struct yaml_marks marks;
	struct config_diag *diag;
	void *blob;
	size_t size;
	unsigned int nr_memory, nr_pio, nr_msr, nr_doorbells; /* filled so far */
	uint64_t hdr_nr_cpus;
};

/* Fill the diagnostic at the node `path` (or its nearest ancestor); returns 2. */
int compile_fail(struct compile_ctx *ctx, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Build ctx->blob from the loaded YAML; returns 0 or 2. */
int config_blob_build(struct compile_ctx *ctx, const struct yaml_system *sys);

/* Find and check each cell's image; fills out->images. Returns 0 or 2. */
int config_images_check(struct compile_ctx *ctx, const struct yaml_system *sys,
			const struct config_options *opt, struct config_compiled *out);

static inline struct tessera_config_cell *config_blob_cells(struct compile_ctx *ctx)
{
	struct tessera_config_header *h = ctx->blob;
	return (struct tessera_config_cell *)((char *)ctx->blob + h->cells_offset);
}

static inline struct tessera_config_memory *config_blob_memory(struct compile_ctx *ctx)
{
	struct tessera_config_header *h = ctx->blob;
	return (struct tessera_config_memory *)((char *)ctx->blob + h->memory_offset);
}

static inline struct tessera_config_pio *config_blob_pio(struct compile_ctx *ctx)
{
	struct tessera_config_header *h = ctx->blob;
	return (struct tessera_config_pio *)((char *)ctx->blob + h->pio_offset);
}

static inline struct tessera_config_msr *config_blob_msr(struct compile_ctx *ctx)
{
	struct tessera_config_header *h = ctx->blob;
	return (struct tessera_config_msr *)((char *)ctx->blob + h->msr_offset);
}

static inline struct tessera_config_doorbell *config_blob_doorbells(struct compile_ctx *ctx)
{
	struct tessera_config_header *h = ctx->blob;
	return (struct tessera_config_doorbell *)((char *)ctx->blob + h->doorbells_offset);
}

#endif
