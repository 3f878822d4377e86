/* Multiboot v1 information structure (the parts we read) and its conversion to a struct boot_info. */
#ifndef TESSERA_X86_MULTIBOOT_H
#define TESSERA_X86_MULTIBOOT_H

#include <tessera/arch.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002

#define MB_INFO_MEMORY	(1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MODS	(1u << 3)
#define MB_INFO_MEM_MAP (1u << 6)

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __packed;

struct multiboot_mod {
	uint32_t mod_start, mod_end;
	uint32_t string;
	uint32_t reserved;
} __packed;

/* Entries are of variable size: `size` does not count itself. */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type; /* 1 = available RAM */
} __packed;

/*
 * Fill `info` (and `map`) from the multiboot information at `mbi`. `to_virt` turns a physical address
 * from the structure into a pointer (identity on the hypervisor, a buffer offset in host tests).
 * Returns 0, -HV_EINVAL if the structure has no memory information, -HV_ENOMEM if the memory map (with
 * page 0 and the modules claimed) does not fit in a struct memmap.
 */
int multiboot_parse(const struct multiboot_info *mbi, void *(*to_virt)(uint64_t pa), struct boot_info *info,
		    struct memmap *map);

#endif
