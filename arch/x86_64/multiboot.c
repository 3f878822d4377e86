/* Multiboot v1 information to boot_info: memory map, command line, modules. Pure C, unit-tested on the host. */
#include <tessera/error.h>
#include <tessera/memmap.h>
#include "multiboot.h"

int multiboot_parse(const struct multiboot_info *mbi, void *(*to_virt)(uint64_t pa), struct boot_info *info,
		    struct memmap *map)
{
	memmap_init(map);
	info->memmap = map;
	info->cmdline = "";
	info->nr_modules = 0;

	if (mbi->flags & MB_INFO_CMDLINE)
		info->cmdline = to_virt(mbi->cmdline);

	if (mbi->flags & MB_INFO_MEM_MAP) {
		const uint8_t *p = to_virt(mbi->mmap_addr);
		const uint8_t *end = p + mbi->mmap_length;
		while (p + sizeof(struct multiboot_mmap_entry) <= end) {
			const struct multiboot_mmap_entry *e = (const void *)p;
			if (memmap_add(map, e->addr, e->len, e->type == 1 ? MEM_RAM : MEM_RESERVED))
				return -HV_ENOMEM;
			p += e->size + sizeof(e->size);
		}
	} else if (mbi->flags & MB_INFO_MEMORY) {
		memmap_add(map, 0, (uint64_t)mbi->mem_lower << 10, MEM_RAM);
		memmap_add(map, 1ULL << 20, (uint64_t)mbi->mem_upper << 10, MEM_RAM);
	} else {
		return -HV_EINVAL;
	}
	/* The first page stays unused: it holds the real-mode IVT and catches NULL pointers. */
	if (memmap_add(map, 0, PAGE_SIZE, MEM_RESERVED))
		return -HV_ENOMEM;

	if (mbi->flags & MB_INFO_MODS) {
		const struct multiboot_mod *mods = to_virt(mbi->mods_addr);
		for (uint32_t i = 0; i < mbi->mods_count && i < HV_MAX_BOOT_MODULES; i++) {
			struct boot_module *m = &info->modules[info->nr_modules++];
			m->start = mods[i].mod_start;
			m->size = mods[i].mod_end - mods[i].mod_start;
			m->name = mods[i].string ? to_virt(mods[i].string) : "";
			/* whole pages: memory is handed to cells in pages, none may share one with a module */
			uint64_t first = ALIGN_DOWN(m->start, PAGE_SIZE);
			if (memmap_add(map, first, ALIGN_UP(m->start + m->size, PAGE_SIZE) - first, MEM_HV))
				return -HV_ENOMEM; /* never boot with a module left in RAM that cells could get */
		}
	}
	return memmap_normalize(map);
}
