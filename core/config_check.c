/*
 * The config checker: every rule a blob must pass before the hypervisor starts a cell from it. Built for
 * the host (libc) and freestanding (the hypervisor), so it uses only tessera/string.h and format.h. It
 * never trusts a field before it has checked the field it depends on: the header first, then the array
 * bounds, then the contents. The first problem found is reported; rules are in docs/config.md.
 */
#include <stdarg.h>
#include <tessera/abi/cell_boot.h>
#include <tessera/config_check.h>
#include <tessera/crc32.h>
#include <tessera/error.h>
#include <tessera/format.h>
#include <tessera/string.h>

#include "config_check_internal.h"

#define HV_IMAGE_ADDR 0x100000ULL /* the hypervisor's image loads at 1 MiB */

int check_fail(struct config_error *err, int code, int cell, enum config_elem elem, int index,
	       enum config_field field, const char *fmt, ...)
{
	va_list ap;

	err->code = -code;
	err->cell = cell;
	err->elem = elem;
	err->index = index;
	err->field = field;
	va_start(ap, fmt);
	format_vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -code;
}

uint32_t config_blob_checksum(const void *blob, size_t size)
{
	return crc32_blob(blob, size, offsetof(struct tessera_config_header, checksum));
}

/* An array of `count` elements of `elem_size` at `offset` must be aligned and lie within the blob. */
static bool array_ok(const struct tessera_config_header *hdr, uint32_t offset, uint32_t count,
		     size_t elem_size)
{
	uint64_t end = (uint64_t)offset + (uint64_t)count * elem_size;

	if (count == 0)
		return true;
	return offset % 8 == 0 && offset >= sizeof(*hdr) && end <= hdr->total_size;
}

static int check_header(struct check *c, const void *blob, size_t size)
{
	const struct tessera_config_header *hdr = blob;
	uint32_t sum;

	if (!blob || size < sizeof(*hdr))
		return SYS_FAIL(c, HV_EINVAL, CONFIG_FIELD_HEADER, "config blob too small (%zu bytes)", size);
	if (memcmp(hdr->magic, TESSERA_CONFIG_MAGIC, sizeof(hdr->magic)) != 0)
		return SYS_FAIL(c, HV_ECORRUPT, CONFIG_FIELD_HEADER, "bad magic: not a Tessera config blob");
	if (hdr->version != TESSERA_CONFIG_VERSION)
		return SYS_FAIL(c, HV_EINVAL, CONFIG_FIELD_HEADER,
				"unsupported config version %u (expected %u)", hdr->version,
				TESSERA_CONFIG_VERSION);
	if (hdr->total_size < sizeof(*hdr) || hdr->total_size > size)
		return SYS_FAIL(c, HV_ECORRUPT, CONFIG_FIELD_HEADER,
				"config blob is truncated: header says %u bytes, have %zu", hdr->total_size,
				size);
	sum = config_blob_checksum(blob, hdr->total_size);
	if (sum != hdr->checksum)
		return SYS_FAIL(c, HV_ECORRUPT, CONFIG_FIELD_HEADER,
				"config checksum mismatch (blob says 0x%08x, computed 0x%08x)", hdr->checksum,
				sum);
	if (hdr->flags != 0)
		return SYS_FAIL(c, HV_EINVAL, CONFIG_FIELD_HEADER, "unknown header flags 0x%x", hdr->flags);
	if (hdr->reserved0 || hdr->reserved1)
		return SYS_FAIL(c, HV_EINVAL, CONFIG_FIELD_HEADER, "reserved header fields are not 0");
	if (hdr->nr_cells > TESSERA_MAX_CELLS)
		return SYS_FAIL(c, HV_ERANGE, CONFIG_FIELD_CELLS, "too many cells (%u, at most %u)",
				hdr->nr_cells, TESSERA_MAX_CELLS);
	if (hdr->nr_memory > TESSERA_MAX_MEMORY)
		return SYS_FAIL(c, HV_ERANGE, CONFIG_FIELD_CELLS,
				"too many memory regions in all (%u, at most %u)", hdr->nr_memory,
				TESSERA_MAX_MEMORY);
	if (hdr->nr_pio > TESSERA_MAX_PIO)
		return SYS_FAIL(c, HV_ERANGE, CONFIG_FIELD_CELLS,
				"too many port ranges in all (%u, at most %u)", hdr->nr_pio, TESSERA_MAX_PIO);
	if (hdr->nr_doorbells > TESSERA_MAX_DOORBELLS)
		return SYS_FAIL(c, HV_ERANGE, CONFIG_FIELD_CELLS,
				"too many doorbells in all (%u, at most %u)", hdr->nr_doorbells,
				TESSERA_MAX_DOORBELLS);
	if (hdr->nr_msr > TESSERA_MAX_MSR)
		return SYS_FAIL(c, HV_ERANGE, CONFIG_FIELD_CELLS,
				"too many MSR ranges in all (%u, at most %u)", hdr->nr_msr, TESSERA_MAX_MSR);
	if (!array_ok(hdr, hdr->cells_offset, hdr->nr_cells, sizeof(struct tessera_config_cell)) ||
	    !array_ok(hdr, hdr->memory_offset, hdr->nr_memory, sizeof(struct tessera_config_memory)) ||
	    !array_ok(hdr, hdr->pio_offset, hdr->nr_pio, sizeof(struct tessera_config_pio)) ||
	    !array_ok(hdr, hdr->msr_offset, hdr->nr_msr, sizeof(struct tessera_config_msr)) ||
	    !array_ok(hdr, hdr->doorbells_offset, hdr->nr_doorbells, sizeof(struct tessera_config_doorbell)))
		return SYS_FAIL(c, HV_ECORRUPT, CONFIG_FIELD_HEADER, "an array lies outside the config blob");
	c->hdr = hdr;
	c->cells = config_cells(hdr);
	c->mem = config_memory(hdr);
	c->pio = config_pio(hdr);
	c->msr = config_msr(hdr);
	c->db = config_doorbells(hdr);
	return 0;
}

static int check_system(struct check *c)
{
	const struct tessera_config_header *h = c->hdr;
	uint64_t hv_end = h->hv_base + h->hv_size;

	if (h->nr_cpus == 0 || h->nr_cpus > TESSERA_MAX_CPUS)
		return SYS_FAIL(c, HV_ERANGE, CONFIG_FIELD_NR_CPUS,
				"machine has %u CPUs; the hypervisor supports 1 to %u", h->nr_cpus,
				TESSERA_MAX_CPUS);
	/* Range before alignment: 2^48 is a multiple of 4 KiB, and calling it misaligned hid the cause. */
	if (h->ram_size >= ADDR_LIMIT)
		return SYS_FAIL(
			c, HV_ERANGE, CONFIG_FIELD_RAM_SIZE,
			"RAM size 0x%llx is too large (it must be below 0x%llx, the 48-bit address space)",
			(unsigned long long)h->ram_size, (unsigned long long)ADDR_LIMIT);
	if (h->ram_size == 0 || !IS_ALIGNED(h->ram_size, PAGE_SIZE))
		return SYS_FAIL(c, HV_EINVAL, CONFIG_FIELD_RAM_SIZE,
				"RAM size must be a non-zero multiple of 4 KiB");
	if (!IS_ALIGNED(h->hv_base, PAGE_SIZE))
		return SYS_FAIL(c, HV_EINVAL, CONFIG_FIELD_HV_BASE,
				"hypervisor memory base is not 4 KiB aligned");
	if (h->hv_size == 0 || !IS_ALIGNED(h->hv_size, PAGE_SIZE))
		return SYS_FAIL(c, HV_EINVAL, CONFIG_FIELD_HV_SIZE,
				"hypervisor memory size must be a non-zero multiple of 4 KiB");
	if (h->hv_base >= h->ram_size || h->hv_size > h->ram_size - h->hv_base)
		return SYS_FAIL(c, HV_ERANGE, CONFIG_FIELD_HV_SIZE, "hypervisor memory lies outside RAM");
	if (h->hv_base > HV_IMAGE_ADDR || hv_end <= HV_IMAGE_ADDR)
		return SYS_FAIL(c, HV_ERANGE, CONFIG_FIELD_HV_BASE,
				"hypervisor memory must include 0x100000, where its image loads");
	if (h->pool_size == 0 || !IS_ALIGNED(h->pool_size, PAGE_SIZE))
		return SYS_FAIL(c, HV_EINVAL, CONFIG_FIELD_POOL_SIZE,
				"pool size must be a non-zero multiple of 4 KiB");
	/* The hypervisor's own rule (main.c): the pool starts at or above 16 MiB, 2 MiB aligned. */
	uint64_t pool_lo = ALIGN_UP(MAX(TESSERA_POOL_MIN_ADDR, h->hv_base), TESSERA_POOL_ALIGN);
	if (hv_end <= pool_lo || h->pool_size > hv_end - pool_lo)
		return SYS_FAIL(
			c, HV_ERANGE, CONFIG_FIELD_POOL_SIZE,
			"page pool does not fit in the hypervisor's memory: it goes at or above 0x%llx "
			"(16 MiB, 2 MiB aligned), which leaves 0x%llx bytes",
			(unsigned long long)pool_lo,
			(unsigned long long)(hv_end > pool_lo ? hv_end - pool_lo : 0));
	if (h->console > TESSERA_CONSOLE_NONE)
		return SYS_FAIL(c, HV_EINVAL, CONFIG_FIELD_CONSOLE, "invalid console %u", h->console);
	if (h->nr_cells == 0)
		return SYS_FAIL(c, HV_EINVAL, CONFIG_FIELD_CELLS, "no cells defined");
	return 0;
}

bool config_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

static bool image_char(char ch)
{
	return config_name_char(ch) || (ch >= 'A' && ch <= 'Z') || ch == '.' || ch == '+';
}

static bool args_char(char ch)
{
	return ch >= 0x20 && ch < 0x7f;
}

int check_text(struct check *c, int i, enum config_elem elem, int j, enum config_field field,
	       const char *what, const char *s, size_t len, bool (*allowed)(char), bool may_be_empty)
{
	size_t n = strnlen(s, len);

	if (n == len)
		return ELEM_FAIL(c, i, elem, j, HV_EINVAL, field, "%s is not NUL-terminated", what);
	if (n == 0 && !may_be_empty)
		return ELEM_FAIL(c, i, elem, j, HV_EINVAL, field, "%s must not be empty", what);
	for (size_t k = 0; k < n; k++) {
		if (allowed(s[k]))
			continue;
		/* Never echo a control character: the message goes to the hypervisor's console. */
		if (args_char(s[k]))
			return ELEM_FAIL(c, i, elem, j, HV_EINVAL, field, "invalid character '%c' in %s",
					 s[k], what);
		return ELEM_FAIL(c, i, elem, j, HV_EINVAL, field, "invalid character 0x%02x in %s",
				 (unsigned int)(unsigned char)s[k], what);
	}
	/* Text after the NUL would be invisible to every reader but there (an escaped \0 in YAML). */
	for (size_t k = n; k < len; k++)
		if (s[k])
			return ELEM_FAIL(c, i, elem, j, HV_EINVAL, field,
					 "%s has bytes after its terminating NUL", what);
	return 0;
}

/* "cpu" followed by digits only: the hypervisor's own console prefix ([cpu0] ...). */
static bool name_is_cpu_prefix(const char *name)
{
	if (strncmp(name, "cpu", 3) != 0 || !name[3])
		return false;
	for (const char *p = name + 3; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static int check_cell_fields(struct check *c, int i)
{
	const struct tessera_config_cell *cell = &c->cells[i];
	const struct tessera_config_header *h = c->hdr;
	int err;

	err = check_text(c, i, CONFIG_ELEM_NONE, -1, CONFIG_FIELD_NAME, "cell name", cell->name,
			 sizeof(cell->name), config_name_char, false);
	if (err)
		return err;
	/* Console lines carry "[name]": a cell named cpuN could forge the hypervisor's own lines. */
	if (name_is_cpu_prefix(cell->name))
		return CELL_FAIL(
			c, i, HV_EINVAL, CONFIG_FIELD_NAME,
			"cell name '%s' is reserved: the hypervisor's console lines start with [cpuN]",
			cell->name);
	for (int j = 0; j < i; j++)
		if (strcmp(c->cells[j].name, cell->name) == 0)
			return CELL_FAIL(c, i, HV_EEXIST, CONFIG_FIELD_NAME, "duplicate cell name '%s'",
					 cell->name);
	err = check_text(c, i, CONFIG_ELEM_NONE, -1, CONFIG_FIELD_IMAGE, "image name", cell->image,
			 sizeof(cell->image), image_char, false);
	if (err)
		return err;
	err = check_text(c, i, CONFIG_ELEM_NONE, -1, CONFIG_FIELD_ARGS, "args", cell->args,
			 sizeof(cell->args), args_char, true);
	if (err)
		return err;
	if (cell->flags & ~TESSERA_CELL_MANAGER)
		return CELL_FAIL(c, i, HV_EINVAL, CONFIG_FIELD_FLAGS, "unknown cell flags 0x%x", cell->flags);
	if (cell->policy > TESSERA_POLICY_INJECT)
		return CELL_FAIL(c, i, HV_EINVAL, CONFIG_FIELD_POLICY, "invalid violation policy %u",
				 cell->policy);
	if ((uint64_t)cell->memory_first + cell->memory_count > h->nr_memory ||
	    (uint64_t)cell->pio_first + cell->pio_count > h->nr_pio ||
	    (uint64_t)cell->msr_first + cell->msr_count > h->nr_msr ||
	    (uint64_t)cell->doorbell_first + cell->doorbell_count > h->nr_doorbells)
		return CELL_FAIL(c, i, HV_ECORRUPT, CONFIG_FIELD_MEMORY,
				 "cell's element slices lie outside the arrays");
	if (cell->memory_count > TESSERA_MAX_CELL_REGIONS)
		return CELL_FAIL(c, i, HV_ERANGE, CONFIG_FIELD_MEMORY,
				 "too many memory regions (%u, at most %u per cell)", cell->memory_count,
				 TESSERA_MAX_CELL_REGIONS);
	if (cell->memory_count == 0)
		return CELL_FAIL(c, i, HV_EINVAL, CONFIG_FIELD_MEMORY, "cell has no memory");
	if (cell->doorbell_count > TESSERA_MAX_CELL_DOORBELLS)
		return CELL_FAIL(c, i, HV_ERANGE, CONFIG_FIELD_DOORBELLS,
				 "too many doorbells (%u, at most %u per cell)", cell->doorbell_count,
				 TESSERA_MAX_CELL_DOORBELLS);
	if (cell->mce_policy > TESSERA_MCE_LOG)
		return CELL_FAIL(c, i, HV_EINVAL, CONFIG_FIELD_MCE_POLICY, "invalid machine-check policy %u",
				 cell->mce_policy);
	return 0;
}

static int check_cpus(struct check *c, int i)
{
	const struct tessera_config_cell *cell = &c->cells[i];

	if (cell->cpus == 0)
		return CELL_FAIL(c, i, HV_EINVAL, CONFIG_FIELD_CPUS, "cell has no CPUs");
	for (uint32_t cpu = 0; cpu < 64; cpu++) {
		if (!(cell->cpus & (1ULL << cpu)))
			continue;
		c->err->value = cpu;
		if (cpu >= c->hdr->nr_cpus)
			return CELL_FAIL(c, i, HV_ERANGE, CONFIG_FIELD_CPUS,
					 "CPU %u does not exist (the machine has %u)", cpu, c->hdr->nr_cpus);
		for (int j = 0; j < i; j++)
			if (c->cells[j].cpus & (1ULL << cpu))
				return CELL_FAIL(c, i, HV_EEXIST, CONFIG_FIELD_CPUS,
						 "CPU %u is already in cell '%s'", cpu, c->cells[j].name);
	}
	c->err->value = 0;
	return 0;
}

void config_platform_add(struct config_reserved *list, unsigned int *nr, uint64_t base, uint64_t size,
			 const char *what, const char *category, const char *reason)
{
	if (!size || *nr >= CONFIG_PLATFORM_MAX_RANGES)
		return;
	list[*nr] = (struct config_reserved){base, size, what, category, reason};
	(*nr)++;
}

const struct config_reserved *platform_overlap(const struct config_reserved *list, unsigned int nr,
					       uint64_t base, uint64_t size)
{
	for (unsigned int k = 0; k < nr && k < CONFIG_PLATFORM_MAX_RANGES; k++)
		if (ranges_overlap(base, size, list[k].base, list[k].size))
			return &list[k];
	return NULL;
}

int config_check(const void *blob, size_t size, const struct config_platform *plat, struct config_error *err)
{
	static const struct config_platform none;
	struct check c = {.err = err, .plat = plat ? plat : &none};
	int ret;

	memset(err, 0, sizeof(*err));
	err->cell = -1;
	err->index = -1;
	ret = check_header(&c, blob, size);
	if (!ret)
		ret = check_system(&c);
	for (int i = 0; !ret && i < (int)c.hdr->nr_cells; i++) {
		ret = check_cell_fields(&c, i);
		if (!ret)
			ret = check_cpus(&c, i);
		if (!ret)
			ret = check_cell_memory(&c, i);
		if (!ret)
			ret = check_cell_pio(&c, i);
		if (!ret)
			ret = check_cell_msr(&c, i);
		if (!ret)
			ret = check_cell_comm(&c, i);
	}
	for (int i = 0; !ret && i < (int)c.hdr->nr_cells; i++) {
		ret = check_cell_shares(&c, i);
		if (!ret)
			ret = check_cell_doorbells(&c, i);
		if (!ret)
			ret = check_watchdog_cpus(&c, i);
	}
	return ret;
}
