/*
 * multiboot_parse on a multiboot information structure built in a host buffer. "Physical" addresses in the
 * structure are offsets into `phys`; to_virt() turns them into pointers and fails the test on anything
 * outside the buffer.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <tessera/error.h>
#include <tessera/memmap.h>
#include "multiboot.h"

#define KIB (1ULL << 10)
#define MIB (1ULL << 20)

#define MBI_AT	 0x1000u
#define MMAP_AT	 0x2000u
#define MODS_AT	 0x3000u
#define STRS_AT	 0x4000u
#define PHYS_LEN 0x8000u

static uint8_t phys[PHYS_LEN] __aligned(8);
static struct boot_info info;
static struct memmap map;
static uint32_t mmap_len, str_next;

static void *to_virt(uint64_t pa)
{
	cr_assert_lt(pa, PHYS_LEN, "to_virt(%#llx) outside the test buffer", (unsigned long long)pa);
	return phys + pa;
}

static struct multiboot_info *mbi(void)
{
	return (struct multiboot_info *)(phys + MBI_AT);
}

static void mb_reset(void)
{
	memset(phys, 0xee, sizeof(phys));
	memset(mbi(), 0, sizeof(struct multiboot_info));
	mmap_len = 0;
	str_next = STRS_AT;
	memset(&info, 0x55, sizeof(info));
}

/* One memory map entry; `size` is the entry's size field (20 is standard, larger ones carry padding). */
static void mb_mmap(uint64_t addr, uint64_t len, uint32_t type, uint32_t size)
{
	struct multiboot_mmap_entry e = {.size = size, .addr = addr, .len = len, .type = type};
	memcpy(phys + MMAP_AT + mmap_len, &e, sizeof(e));
	mmap_len += size + 4;
	mbi()->flags |= MB_INFO_MEM_MAP;
	mbi()->mmap_addr = MMAP_AT;
	mbi()->mmap_length = mmap_len;
}

static uint32_t mb_string(const char *s)
{
	uint32_t at = str_next;
	strcpy((char *)phys + at, s);
	str_next += (uint32_t)strlen(s) + 1;
	return at;
}

static void mb_cmdline(const char *s)
{
	mbi()->flags |= MB_INFO_CMDLINE;
	mbi()->cmdline = mb_string(s);
}

static void mb_module(uint32_t start, uint32_t end, const char *name)
{
	struct multiboot_mod *mods = (struct multiboot_mod *)(phys + MODS_AT);
	struct multiboot_mod *m = &mods[mbi()->mods_count++];
	m->mod_start = start;
	m->mod_end = end;
	m->string = name ? mb_string(name) : 0;
	m->reserved = 0;
	mbi()->flags |= MB_INFO_MODS;
	mbi()->mods_addr = MODS_AT;
}

/* A memory map as QEMU's multiboot loader reports it for -m 256 (plus one ACPI range). */
static void mb_qemu_map(void)
{
	mb_mmap(0, 0x9fc00, 1, 20);
	mb_mmap(0x9fc00, 0x400, 2, 20);
	mb_mmap(0xf0000, 0x10000, 2, 20);
	mb_mmap(0x100000, 0xfee0000, 1, 20);
	mb_mmap(0xffe0000, 0x20000, 2, 20);
	mb_mmap(0xfffc0000, 0x40000, 2, 20);
}

static const struct mem_range *range_at(uint64_t addr)
{
	for (unsigned int i = 0; i < map.nr; i++)
		if (map.ranges[i].base <= addr && addr - map.ranges[i].base < map.ranges[i].size)
			return &map.ranges[i];
	return NULL;
}

static void expect_type(uint64_t addr, uint64_t size, enum mem_type type)
{
	cr_expect(memmap_is(&map, addr, size, type), "[%#llx, +%#llx) should be %s", (unsigned long long)addr,
		  (unsigned long long)size, memmap_type_name(type));
}

Test(multiboot, memory_map_with_page_zero_reserved)
{
	mb_reset();
	mb_qemu_map();
	cr_assert_eq(multiboot_parse(mbi(), to_virt, &info, &map), 0);
	cr_expect_eq(info.memmap, &map);
	cr_expect_str_eq(info.cmdline, "", "no command line");
	cr_expect_eq(info.nr_modules, 0);

	expect_type(0, PAGE_SIZE, MEM_RESERVED);
	expect_type(PAGE_SIZE, 0x9fc00 - PAGE_SIZE, MEM_RAM);
	expect_type(0x9fc00, 0x400, MEM_RESERVED);
	cr_expect_null(range_at(0xa0000), "the VGA hole is not in the map");
	expect_type(0xf0000, 0x10000, MEM_RESERVED);
	expect_type(0x100000, 0xfee0000, MEM_RAM);
	expect_type(0xffe0000, 0x20000, MEM_RESERVED);
	expect_type(0xfffc0000, 0x40000, MEM_RESERVED);
	cr_expect_eq(memmap_total(&map, MEM_RAM), 0x9fc00 - PAGE_SIZE + 0xfee0000);
	cr_expect_eq(map.nr, 7, "page 0, low RAM, EBDA, BIOS, high RAM, two reserved ranges at the top");
}

Test(multiboot, entry_size_field_is_honoured)
{
	mb_reset();
	/* entries with 4 bytes of padding each: a parser that assumed 20 would read garbage */
	mb_mmap(0, 0x9f000, 1, 24);
	mb_mmap(0x100000, 0x700000, 1, 24);
	mb_mmap(0x800000, 0x100000, 2, 24);
	cr_assert_eq(multiboot_parse(mbi(), to_virt, &info, &map), 0);
	expect_type(PAGE_SIZE, 0x9e000, MEM_RAM);
	expect_type(0x100000, 0x700000, MEM_RAM);
	expect_type(0x800000, 0x100000, MEM_RESERVED);
	cr_expect_eq(map.nr, 4);
}

Test(multiboot, non_ram_types_are_reserved)
{
	mb_reset();
	mb_mmap(0, 16 * MIB, 1, 20);
	mb_mmap(16 * MIB, MIB, 3, 20); /* ACPI reclaimable */
	mb_mmap(17 * MIB, MIB, 4, 20); /* ACPI NVS */
	mb_mmap(18 * MIB, MIB, 5, 20); /* bad RAM */
	mb_mmap(19 * MIB, MIB, 0, 20);
	cr_assert_eq(multiboot_parse(mbi(), to_virt, &info, &map), 0);
	expect_type(16 * MIB, 4 * MIB, MEM_RESERVED);
	cr_expect_eq(memmap_total(&map, MEM_RAM), 16 * MIB - PAGE_SIZE);
}

Test(multiboot, cmdline_and_modules)
{
	mb_reset();
	mb_qemu_map();
	mb_cmdline("loglevel=debug pool=16M");
	mb_module(0x200000, 0x200000 + 5000, "config.bin");
	mb_module(0x400000, 0x500000, "guests/hello.elf arg=1");
	mb_module(0x600000, 0x600000, NULL); /* empty, no name */
	cr_assert_eq(multiboot_parse(mbi(), to_virt, &info, &map), 0);

	cr_expect_str_eq(info.cmdline, "loglevel=debug pool=16M");
	cr_assert_eq(info.nr_modules, 3);
	cr_expect_eq(info.modules[0].start, 0x200000);
	cr_expect_eq(info.modules[0].size, 5000);
	cr_expect_str_eq(info.modules[0].name, "config.bin");
	cr_expect_eq(info.modules[1].start, 0x400000);
	cr_expect_eq(info.modules[1].size, MIB);
	cr_expect_str_eq(info.modules[1].name, "guests/hello.elf arg=1");
	cr_expect_eq(info.modules[2].size, 0);
	cr_expect_str_eq(info.modules[2].name, "");

	/* modules are claimed in whole pages */
	expect_type(0x200000, 2 * PAGE_SIZE, MEM_HV);
	expect_type(0x200000 + 2 * PAGE_SIZE, 0x200000 - 2 * PAGE_SIZE, MEM_RAM);
	expect_type(0x1ff000, PAGE_SIZE, MEM_RAM);
	expect_type(0x400000, MIB, MEM_HV);
	expect_type(0x500000, PAGE_SIZE, MEM_RAM);
	expect_type(0x600000, PAGE_SIZE, MEM_RAM);
	cr_expect_eq(memmap_total(&map, MEM_HV), 2 * PAGE_SIZE + MIB);
}

Test(multiboot, more_modules_than_slots)
{
	mb_reset();
	mb_qemu_map();
	for (unsigned int i = 0; i < HV_MAX_BOOT_MODULES + 2; i++)
		mb_module(0x1000000 + i * 0x10000, 0x1000000 + i * 0x10000 + 0x1000, "m");
	cr_assert_eq(multiboot_parse(mbi(), to_virt, &info, &map), 0);
	cr_expect_eq(info.nr_modules, HV_MAX_BOOT_MODULES);
	expect_type(0x1000000 + (HV_MAX_BOOT_MODULES - 1) * 0x10000, PAGE_SIZE, MEM_HV);
}

Test(multiboot, falls_back_to_mem_lower_upper)
{
	mb_reset();
	mbi()->flags = MB_INFO_MEMORY;
	mbi()->mem_lower = 639;	       /* KiB at 0 */
	mbi()->mem_upper = 255 * 1024; /* KiB at 1 MiB */
	cr_assert_eq(multiboot_parse(mbi(), to_virt, &info, &map), 0);
	expect_type(0, PAGE_SIZE, MEM_RESERVED);
	expect_type(PAGE_SIZE, 639 * KIB - PAGE_SIZE, MEM_RAM);
	cr_expect_null(range_at(639 * KIB));
	expect_type(MIB, 255 * MIB, MEM_RAM);
	cr_expect_null(range_at(256 * MIB));
	cr_expect_eq(memmap_total(&map, MEM_RAM), 639 * KIB - PAGE_SIZE + 255 * MIB);
}

Test(multiboot, memory_map_preferred_over_mem_lower_upper)
{
	mb_reset();
	mb_mmap(0, 0x9f000, 1, 20);
	mb_mmap(0x100000, 0x1000000, 1, 20);
	mbi()->flags |= MB_INFO_MEMORY;
	mbi()->mem_lower = 639;
	mbi()->mem_upper = 1024 * 1024; /* 1 GiB: would be wrong */
	cr_assert_eq(multiboot_parse(mbi(), to_virt, &info, &map), 0);
	cr_expect_eq(memmap_total(&map, MEM_RAM), 0x9f000 - PAGE_SIZE + 0x1000000);
}

Test(multiboot, no_memory_information_is_an_error)
{
	mb_reset();
	mb_cmdline("x");
	cr_expect_eq(multiboot_parse(mbi(), to_virt, &info, &map), -HV_EINVAL);
	mb_reset();
	cr_expect_eq(multiboot_parse(mbi(), to_virt, &info, &map), -HV_EINVAL);
}

Test(multiboot, too_many_map_entries)
{
	mb_reset();
	for (unsigned int i = 0; i < MEMMAP_MAX_RANGES + 1; i++)
		mb_mmap((uint64_t)i * 2 * MIB, MIB, 1, 20);
	cr_expect_eq(multiboot_parse(mbi(), to_virt, &info, &map), -HV_ENOMEM);
}

Test(multiboot, truncated_entry_is_ignored)
{
	mb_reset();
	mb_mmap(0, 16 * MIB, 1, 20);
	mb_mmap(32 * MIB, 16 * MIB, 1, 20);
	mbi()->mmap_length -= 4; /* the second entry is cut short */
	cr_assert_eq(multiboot_parse(mbi(), to_virt, &info, &map), 0);
	cr_expect_eq(memmap_total(&map, MEM_RAM), 16 * MIB - PAGE_SIZE);
}

/*
 * Regression: a module that did not start on a page boundary was claimed from its first byte for its size
 * rounded up, leaving the head of its first page as RAM (a cell could be given that page, module bytes and
 * all) and covering its last page only partly. Modules are now claimed in whole pages.
 */
Test(multiboot, unaligned_module_is_claimed_in_whole_pages)
{
	mb_reset();
	mb_qemu_map();
	mb_module(0x200800, 0x200800 + 0x1000, "a"); /* straddles two pages */
	mb_module(0x300ffc, 0x301004, "b");	     /* 8 bytes across a page boundary */
	cr_assert_eq(multiboot_parse(mbi(), to_virt, &info, &map), 0);
	cr_expect_eq(info.modules[0].start, 0x200800, "the module itself is reported as loaded");
	cr_expect_eq(info.modules[0].size, 0x1000);
	expect_type(0x200000, 2 * PAGE_SIZE, MEM_HV);
	expect_type(0x1ff000, PAGE_SIZE, MEM_RAM);
	expect_type(0x202000, PAGE_SIZE, MEM_RAM);
	expect_type(0x300000, 2 * PAGE_SIZE, MEM_HV);
	expect_type(0x302000, PAGE_SIZE, MEM_RAM);
	cr_expect_eq(memmap_total(&map, MEM_HV), 4 * PAGE_SIZE);
}

/*
 * Regression: with the range table full, the page-0 reservation and the module claims failed silently and
 * the parse succeeded with modules still marked as RAM, free to be handed out.
 */
Test(multiboot, full_table_does_not_drop_module_claims)
{
	mb_reset();
	for (unsigned int i = 0; i < MEMMAP_MAX_RANGES - 1; i++)
		mb_mmap((uint64_t)(i + 1) * 2 * MIB, MIB, 1, 20);
	mb_module(2 * MIB, 2 * MIB + PAGE_SIZE, "m");
	int err = multiboot_parse(mbi(), to_virt, &info, &map);
	if (err == 0)
		expect_type(2 * MIB, PAGE_SIZE, MEM_HV);
	else
		cr_expect_eq(err, -HV_ENOMEM);
}
