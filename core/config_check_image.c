/*
 * The image rules: a cell's ELF must land entirely in its own RAM, clear of the boot area the hypervisor
 * writes at the top of the lowest RAM region, and start in executable memory. Run by the host after
 * compiling (with the image file) and by the hypervisor before loading (with the boot module).
 */
#include <tessera/abi/cell_boot.h>
#include <tessera/elf.h>
#include <tessera/error.h>
#include <tessera/string.h>

#include "config_check_internal.h"

#define IMG_FAIL(err, i, code, ...) \
	check_fail(err, code, i, CONFIG_ELEM_NONE, -1, CONFIG_FIELD_IMAGE, __VA_ARGS__)

/* The RAM region of `cell` holding guest range [addr, addr+size), or NULL. */
static const struct tessera_config_memory *find_region(const struct tessera_config_header *hdr,
						       const struct tessera_config_cell *cell, uint64_t addr,
						       uint64_t size)
{
	const struct tessera_config_memory *mem = config_memory(hdr);

	for (uint32_t k = 0; k < cell->memory_count; k++) {
		const struct tessera_config_memory *m = &mem[cell->memory_first + k];
		if (m->flags & TESSERA_MEM_DEVICE)
			continue;
		if (addr >= m->guest && size <= m->size && addr - m->guest <= m->size - size)
			return m;
	}
	return NULL;
}

int config_check_image(const struct tessera_config_header *hdr, unsigned int i, const void *elf, size_t size,
		       uint16_t machine, struct config_error *err)
{
	const struct tessera_config_cell *cell;
	const struct tessera_config_memory *boot, *m;
	struct elf_image img;
	const char *why = "";
	uint64_t boot_start;

	memset(err, 0, sizeof(*err));
	err->cell = -1;
	err->index = -1;
	if (i >= hdr->nr_cells)
		return check_fail(err, HV_EINVAL, -1, CONFIG_ELEM_NONE, -1, CONFIG_FIELD_CELLS, "no cell %u",
				  i);
	cell = &config_cells(hdr)[i];
	if (elf_parse(elf, size, machine, &img, &why))
		return IMG_FAIL(err, i, HV_EINVAL, "image '%s': %s", cell->image, why);
	boot = config_cell_boot_region(hdr, cell);
	boot_start = boot->guest + boot->size - TESSERA_BOOT_AREA_SIZE;
	for (unsigned int s = 0; s < img.nr_segments; s++) {
		const struct elf_segment *seg = &img.segments[s];
		unsigned long long start = seg->vaddr, end = seg->vaddr + seg->memsz;

		m = find_region(hdr, cell, seg->vaddr, seg->memsz);
		if (!m)
			return IMG_FAIL(err, i, HV_ERANGE,
					"image '%s' segment 0x%llx-0x%llx does not fit in the cell's memory",
					cell->image, start, end - 1);
		if ((seg->flags & 2) && !(m->flags & TESSERA_MEM_WRITE))
			return IMG_FAIL(err, i, HV_EPERM,
					"image '%s' segment 0x%llx-0x%llx is writable but its region is not",
					cell->image, start, end - 1);
		if (m == boot && end > boot_start)
			return IMG_FAIL(err, i, HV_ERANGE,
					"image '%s' overlaps the boot area (0x%llx-0x%llx)", cell->image,
					(unsigned long long)boot_start,
					(unsigned long long)(boot->guest + boot->size - 1));
	}
	m = find_region(hdr, cell, img.entry, 1);
	if (!m || !(m->flags & TESSERA_MEM_EXEC))
		return IMG_FAIL(err, i, HV_EPERM,
				"image '%s' entry point 0x%llx is not in an executable region", cell->image,
				(unsigned long long)img.entry);
	return 0;
}
