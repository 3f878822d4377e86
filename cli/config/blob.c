/*
 * From the loaded YAML (schema.h) to the blob (abi/config.h). Numbers are parsed here, strictly; every
 * other rule is the shared checker's, so that host and hypervisor can never disagree on what is valid.
 */
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/abi/config.h>
#include <tessera/config_check.h>

#include "compile.h"
#include "internal.h"

/* The value of one digit in `base`, or -1. */
static int digit_value(char ch, unsigned int base)
{
	int d = ch >= '0' && ch <= '9'	 ? ch - '0'
		: ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
		: ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
					 : -1;

	return d >= 0 && (unsigned int)d < base ? d : -1;
}

/*
 * Not strtoull(s, 0): base 0 reads a leading zero as octal, so `cpus: 017` was 15 and `ram: 0258M` was
 * refused. A number is decimal unless it starts with 0x, 0o or 0b; leading zeros never change the base.
 */
int config_parse_number(const char *s, uint64_t *value)
{
	unsigned int base = 10, shift = 0;
	uint64_t v = 0;
	bool overflow = false;
	const char *p;

	if (!s || !(*s >= '0' && *s <= '9'))
		return CONFIG_NUMBER_INVALID;
	p = s;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, p += 2;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, p += 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, p += 2;
	if (digit_value(*p, base) < 0)
		return CONFIG_NUMBER_INVALID;
	for (int d; (d = digit_value(*p, base)) >= 0; p++) {
		overflow |= v > (UINT64_MAX - (uint64_t)d) / base;
		v = v * base + (uint64_t)d;
	}
	if (*p == 'K')
		shift = 10;
	else if (*p == 'M')
		shift = 20;
	else if (*p == 'G')
		shift = 30;
	if (shift)
		p++;
	if (*p)
		return CONFIG_NUMBER_INVALID;
	if (overflow || (shift && v > (UINT64_MAX >> shift)))
		return CONFIG_NUMBER_TOO_LARGE;
	*value = v << shift;
	return 0;
}

/* Parse the number at `path`; on error fill the diagnostic at that node. */
static int number(struct compile_ctx *ctx, const char *text, uint64_t max, uint64_t *out, const char *fmt,
		  ...) __attribute__((format(printf, 5, 6)));

static int number(struct compile_ctx *ctx, const char *text, uint64_t max, uint64_t *out, const char *fmt,
		  ...)
{
	char path[128];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	ret = config_parse_number(text, out);
	if (ret == CONFIG_NUMBER_INVALID)
		return compile_fail(
			ctx, path,
			"invalid number '%s' (decimal, or 0x hex, 0o octal, 0b binary; optional K, "
			"M or G suffix)",
			text);
	if (ret == CONFIG_NUMBER_TOO_LARGE || *out > max)
		return compile_fail(ctx, path, "number %s is too large (at most 0x%llx)", text,
				    (unsigned long long)max);
	return 0;
}

/* Version 3: comm region, watchdog, doorbells. */
static int convert_ivc(struct compile_ctx *ctx, unsigned int i, const struct yaml_cell *yc,
		       struct tessera_config_cell *cell)
{
	struct tessera_config_doorbell *db = config_blob_doorbells(ctx);
	uint64_t v;

	if (yc->comm_region &&
	    number(ctx, yc->comm_region, UINT64_MAX, &cell->comm_region, "cells[%u].comm_region", i))
		return 2;
	if (yc->watchdog) {
		if (number(ctx, yc->watchdog->period, UINT32_MAX, &v, "cells[%u].watchdog.period", i))
			return 2;
		cell->wd_period_ms = v;
		if (number(ctx, yc->watchdog->missed, UINT32_MAX, &v, "cells[%u].watchdog.missed", i))
			return 2;
		cell->wd_missed = v;
		cell->wd_action = yc->watchdog->action;
	}
	cell->doorbell_first = ctx->nr_doorbells;
	cell->doorbell_count = yc->doorbells_count;
	for (unsigned int k = 0; k < yc->doorbells_count; k++) {
		struct tessera_config_doorbell *d = &db[ctx->nr_doorbells++];
		snprintf(d->peer, sizeof(d->peer), "%s", yc->doorbells[k].peer);
		if (number(ctx, yc->doorbells[k].vector, UINT32_MAX, &v, "cells[%u].doorbells[%u].vector", i,
			   k))
			return 2;
		d->vector = v;
	}
	return 0;
}

static int convert_cell(struct compile_ctx *ctx, unsigned int i, const struct yaml_cell *yc,
			struct tessera_config_cell *cell)
{
	struct tessera_config_memory *mem = config_blob_memory(ctx);
	struct tessera_config_pio *pio = config_blob_pio(ctx);
	struct tessera_config_msr *msr = config_blob_msr(ctx);
	const char *base = strrchr(yc->image, '/');
	uint64_t v, v2;

	char path[128];

	base = base ? base + 1 : yc->image;
	snprintf(path, sizeof(path), "cells[%u].image", i);
	if (strlen(base) >= sizeof(cell->image))
		return compile_fail(ctx, path, "image name '%s' is too long (at most %zu characters)", base,
				    sizeof(cell->image) - 1);
	snprintf(cell->name, sizeof(cell->name), "%s", yc->name);
	snprintf(cell->image, sizeof(cell->image), "%s", base);
	snprintf(cell->args, sizeof(cell->args), "%s", yc->args ? yc->args : "");
	cell->flags = yc->manager ? TESSERA_CELL_MANAGER : 0;
	cell->policy = yc->on_violation;
	cell->mce_policy = (uint32_t)yc->on_machine_check;
	for (unsigned int k = 0; k < yc->cpus_count; k++) {
		snprintf(path, sizeof(path), "cells[%u].cpus[%u]", i, k);
		if (number(ctx, yc->cpus[k], UINT32_MAX, &v, "%s", path))
			return 2;
		if (v >= 64)
			return compile_fail(ctx, path, "CPU %llu does not exist (the machine has %llu)",
					    (unsigned long long)v, (unsigned long long)ctx->hdr_nr_cpus);
		if (cell->cpus & (1ULL << v))
			return compile_fail(ctx, path, "CPU %llu is listed twice", (unsigned long long)v);
		cell->cpus |= 1ULL << v;
	}
	cell->memory_first = ctx->nr_memory;
	cell->memory_count = yc->memory_count;
	for (unsigned int k = 0; k < yc->memory_count; k++) {
		const struct yaml_memory *ym = &yc->memory[k];
		struct tessera_config_memory *m = &mem[ctx->nr_memory++];
		if (number(ctx, ym->phys, UINT64_MAX, &m->phys, "cells[%u].memory[%u].phys", i, k) ||
		    number(ctx, ym->guest, UINT64_MAX, &m->guest, "cells[%u].memory[%u].guest", i, k) ||
		    number(ctx, ym->size, UINT64_MAX, &m->size, "cells[%u].memory[%u].size", i, k))
			return 2;
		m->flags = ym->flags;
		if (ym->shared_with) {
			m->flags |= TESSERA_MEM_SHARED;
			snprintf(m->peer, sizeof(m->peer), "%s", ym->shared_with);
			m->share_kind = ym->share ? (uint32_t)ym->share : TESSERA_SHARE_RW;
		} else if (ym->share) {
			snprintf(path, sizeof(path), "cells[%u].memory[%u].share", i, k);
			return compile_fail(ctx, path, "'share' needs 'shared_with'");
		}
	}
	cell->pio_first = ctx->nr_pio;
	cell->pio_count = yc->pio_count;
	for (unsigned int k = 0; k < yc->pio_count; k++) {
		struct tessera_config_pio *p = &pio[ctx->nr_pio++];
		if (number(ctx, yc->pio[k].base, UINT32_MAX, &v, "cells[%u].pio[%u].base", i, k) ||
		    number(ctx, yc->pio[k].size, UINT32_MAX, &v2, "cells[%u].pio[%u].size", i, k))
			return 2;
		p->base = v;
		p->size = v2;
	}
	cell->msr_first = ctx->nr_msr;
	cell->msr_count = yc->msr_count;
	for (unsigned int k = 0; k < yc->msr_count; k++) {
		struct tessera_config_msr *m = &msr[ctx->nr_msr++];
		const char *last = yc->msr[k].last ? yc->msr[k].last : yc->msr[k].first;
		if (number(ctx, yc->msr[k].first, UINT32_MAX, &v, "cells[%u].msr[%u].first", i, k) ||
		    number(ctx, last, UINT32_MAX, &v2, "cells[%u].msr[%u].last", i, k))
			return 2;
		m->first = v;
		m->last = v2;
		m->flags = yc->msr[k].access;
	}
	return convert_ivc(ctx, i, yc, cell);
}

int config_blob_build(struct compile_ctx *ctx, const struct yaml_system *sys)
{
	struct tessera_config_header *h;
	size_t nr_mem = 0, nr_pio = 0, nr_msr = 0, nr_db = 0, size;
	uint64_t v;

	for (unsigned int i = 0; i < sys->cells_count; i++) {
		nr_mem += sys->cells[i].memory_count;
		nr_pio += sys->cells[i].pio_count;
		nr_msr += sys->cells[i].msr_count;
		nr_db += sys->cells[i].doorbells_count;
	}
	size = sizeof(*h) + sys->cells_count * sizeof(struct tessera_config_cell) +
	       nr_mem * sizeof(struct tessera_config_memory) + nr_pio * sizeof(struct tessera_config_pio) +
	       nr_msr * sizeof(struct tessera_config_msr) + nr_db * sizeof(struct tessera_config_doorbell);
	ctx->blob = calloc(1, size);
	ctx->size = size;
	h = ctx->blob;
	memcpy(h->magic, TESSERA_CONFIG_MAGIC, sizeof(h->magic));
	h->version = TESSERA_CONFIG_VERSION;
	h->total_size = size;
	h->nr_cells = sys->cells_count;
	h->cells_offset = sizeof(*h);
	h->nr_memory = nr_mem;
	h->memory_offset = h->cells_offset + h->nr_cells * sizeof(struct tessera_config_cell);
	h->nr_pio = nr_pio;
	h->pio_offset = h->memory_offset + nr_mem * sizeof(struct tessera_config_memory);
	h->nr_msr = nr_msr;
	h->msr_offset = h->pio_offset + nr_pio * sizeof(struct tessera_config_pio);
	h->nr_doorbells = nr_db;
	h->doorbells_offset = h->msr_offset + nr_msr * sizeof(struct tessera_config_msr);

	if (number(ctx, sys->machine.cpus, UINT32_MAX, &v, "machine.cpus"))
		return 2;
	h->nr_cpus = ctx->hdr_nr_cpus = v;
	if (number(ctx, sys->machine.ram, UINT64_MAX, &h->ram_size, "machine.ram") ||
	    number(ctx, sys->hypervisor.base, UINT64_MAX, &h->hv_base, "hypervisor.base") ||
	    number(ctx, sys->hypervisor.size, UINT64_MAX, &h->hv_size, "hypervisor.size") ||
	    number(ctx, sys->hypervisor.pool, UINT64_MAX, &h->pool_size, "hypervisor.pool"))
		return 2;
	h->console = sys->hypervisor.console;
	for (unsigned int i = 0; i < sys->cells_count; i++)
		if (convert_cell(ctx, i, &sys->cells[i], &config_blob_cells(ctx)[i]))
			return 2;
	h = ctx->blob;
	h->checksum = config_blob_checksum(ctx->blob, ctx->size);
	return 0;
}
