/* The shared config checker on hand-built blobs: one valid system, then one broken rule per test. */
#include <criterion/criterion.h>
#include <string.h>
#include <tessera/abi/cell_boot.h>
#include <tessera/config_check.h>
#include <tessera/crc32.h>
#include <tessera/error.h>

/* Two cells, each one RAM region, cell 0 with a port range and an MSR range. */
struct test_blob {
	struct tessera_config_header h;
	struct tessera_config_cell cells[2];
	struct tessera_config_memory mem[3];
	struct tessera_config_pio pio[2];
	struct tessera_config_msr msr[2];
};

static struct test_blob b;

static void seal(void)
{
	b.h.checksum = config_blob_checksum(&b, sizeof(b));
}

static void build(void)
{
	memset(&b, 0, sizeof(b));
	memcpy(b.h.magic, TESSERA_CONFIG_MAGIC, 8);
	b.h.version = TESSERA_CONFIG_VERSION;
	b.h.total_size = sizeof(b);
	b.h.nr_cpus = 4;
	b.h.ram_size = 256 << 20;
	b.h.hv_base = 0;
	b.h.hv_size = 64 << 20;
	b.h.pool_size = 16 << 20;
	b.h.nr_cells = 2;
	b.h.cells_offset = offsetof(struct test_blob, cells);
	b.h.nr_memory = 2;
	b.h.memory_offset = offsetof(struct test_blob, mem);
	b.h.nr_pio = 1;
	b.h.pio_offset = offsetof(struct test_blob, pio);
	b.h.nr_msr = 1;
	b.h.msr_offset = offsetof(struct test_blob, msr);
	for (int i = 0; i < 2; i++) {
		struct tessera_config_cell *c = &b.cells[i];
		strcpy(c->name, i ? "b" : "a");
		strcpy(c->image, "hello.elf");
		c->cpus = 1ULL << (i + 1);
		c->memory_first = i;
		c->memory_count = 1;
		b.mem[i].phys = (64 + 4 * i) << 20;
		b.mem[i].size = 4 << 20;
		b.mem[i].flags = TESSERA_MEM_READ | TESSERA_MEM_WRITE | TESSERA_MEM_EXEC;
	}
	b.cells[0].pio_count = 1;
	b.cells[0].msr_count = 1;
	b.pio[0] = (struct tessera_config_pio){0x60, 5};
	b.msr[0] = (struct tessera_config_msr){0x10, 0x10, TESSERA_MSR_READ, 0};
	seal();
}

static struct config_error err;

/* A platform as the checker sees it: arch-neutral data, here made up (not any real machine's). */
static struct config_platform plat = {
	.nr_phys = 1,
	.nr_guest = 1,
	.phys = {{0x90000000ULL, 0x1000, "the test controller"}},
	.guest = {{0x70000000ULL, 0x1000, "the test page"}},
};

static int check(void)
{
	return config_check(&b, sizeof(b), &plat, &err);
}

/* Seal the change, then expect a refusal naming (cell, elem, field) and containing `words`. */
static void refused(int cell, enum config_elem elem, enum config_field field, const char *words)
{
	seal();
	cr_assert_neq(check(), 0, "accepted; expected '%s'", words);
	cr_expect_eq(err.cell, cell, "%s", err.message);
	cr_expect_eq(err.elem, elem, "%s", err.message);
	cr_expect_eq(err.field, field, "%s", err.message);
	cr_expect_not_null(strstr(err.message, words), "'%s' lacks '%s'", err.message, words);
}

TestSuite(config_check, .init = build);

Test(config_check, crc32_matches_the_standard)
{
	cr_assert_eq(crc32_update(0, "123456789", 9), 0xcbf43926);
}

Test(config_check, accepts_a_valid_blob)
{
	cr_assert_eq(check(), 0, "%s", err.message);
	cr_assert_eq(config_cell_boot_region(&b.h, &b.cells[1]), &b.mem[1]);
}

Test(config_check, header)
{
	b.h.checksum ^= 1;
	cr_assert_eq(check(), -HV_ECORRUPT);
	cr_expect_not_null(strstr(err.message, "checksum"));
	build();
	cr_assert_neq(config_check(&b, 20, NULL, &err), 0);
	cr_assert_neq(config_check(&b, sizeof(b) - 8, NULL, &err), 0); /* truncated */
	cr_expect_not_null(strstr(err.message, "truncated"));
	b.h.magic[0] = 'X';
	refused(-1, CONFIG_ELEM_NONE, CONFIG_FIELD_HEADER, "magic");
	build();
	b.h.version = 1;
	refused(-1, CONFIG_ELEM_NONE, CONFIG_FIELD_HEADER, "version");
	build();
	b.h.flags = 4;
	refused(-1, CONFIG_ELEM_NONE, CONFIG_FIELD_HEADER, "flags");
	build();
	b.h.nr_memory = 3; /* the array would run past the end */
	b.h.memory_offset = sizeof(b) - sizeof(b.mem[0]);
	refused(-1, CONFIG_ELEM_NONE, CONFIG_FIELD_HEADER, "outside");
	build();
	b.h.cells_offset = 4; /* inside the header */
	refused(-1, CONFIG_ELEM_NONE, CONFIG_FIELD_HEADER, "outside");
	build();
	b.h.nr_cells = TESSERA_MAX_CELLS + 1;
	refused(-1, CONFIG_ELEM_NONE, CONFIG_FIELD_CELLS, "too many cells");
}

/* A field the layout reserves must be zero, so that a later version can give it a meaning. */
Test(config_check, header_reserved_fields_must_be_zero)
{
	b.h.reserved0 = 1;
	refused(-1, CONFIG_ELEM_NONE, CONFIG_FIELD_HEADER, "reserved header fields");
	build();
	b.h.reserved1 = 0x80000000u;
	refused(-1, CONFIG_ELEM_NONE, CONFIG_FIELD_HEADER, "reserved header fields");
}

/* 2^48 is a multiple of 4 KiB: the message must name the real problem, the size. */
Test(config_check, ram_at_the_address_limit_is_too_large)
{
	b.h.ram_size = 1ULL << 48;
	refused(-1, CONFIG_ELEM_NONE, CONFIG_FIELD_RAM_SIZE, "too large");
	build();
	b.h.ram_size = (1ULL << 48) - 4096;
	seal();
	cr_assert_eq(check(), 0, "%s", err.message);
}

/*
 * Strings a hand-made blob may carry: control characters are refused in every string and reported by
 * value (the message is printed on the hypervisor's console), and text hidden after the NUL is refused.
 */
Test(config_check, strings_refuse_control_characters_and_hidden_text)
{
	strcpy(b.cells[0].name, "a\nb");
	refused(0, CONFIG_ELEM_NONE, CONFIG_FIELD_NAME, "invalid character 0x0a in cell name");
	cr_expect_null(strchr(err.message, '\n'));
	build();
	strcpy(b.cells[1].image, "x\x1b[2J.elf");
	refused(1, CONFIG_ELEM_NONE, CONFIG_FIELD_IMAGE, "invalid character 0x1b");
	build();
	strcpy(b.cells[1].args, "ok\x7f");
	refused(1, CONFIG_ELEM_NONE, CONFIG_FIELD_ARGS, "invalid character 0x7f");
	build();
	strcpy(b.cells[1].name, "b");
	strcpy(b.cells[1].name + 2, "x"); /* "b\0x": what a YAML "b\0x" became */
	refused(1, CONFIG_ELEM_NONE, CONFIG_FIELD_NAME, "after its terminating NUL");
	build();
	strcpy(b.cells[0].args + 5, "hidden");
	refused(0, CONFIG_ELEM_NONE, CONFIG_FIELD_ARGS, "after its terminating NUL");
	build();
	b.mem[1].flags |= TESSERA_MEM_SHARED;
	b.mem[1].share_kind = TESSERA_SHARE_RW;
	strcpy(b.mem[1].peer, "a\r");
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_PEER, "invalid character 0x0d in shared_with");
}

/* A wrong peer is named as such, before any overlap it causes is looked at. */
Test(config_check, shared_with_names_the_real_mistake)
{
	/* Both regions over the same memory; cell 0 names a cell that does not exist, cell 1 names 'a'. */
	b.mem[1].phys = b.mem[0].phys;
	for (int i = 0; i < 2; i++) {
		b.mem[i].flags = TESSERA_MEM_READ | TESSERA_MEM_WRITE | TESSERA_MEM_SHARED;
		b.mem[i].share_kind = TESSERA_SHARE_RW;
	}
	strcpy(b.mem[0].peer, "bb");
	strcpy(b.mem[1].peer, "a");
	refused(0, CONFIG_ELEM_MEMORY, CONFIG_FIELD_PEER, "unknown cell 'bb'");
	strcpy(b.mem[0].peer, "a");
	refused(0, CONFIG_ELEM_MEMORY, CONFIG_FIELD_PEER, "a cell cannot share with itself");
}

Test(config_check, system)
{
	b.h.nr_cpus = 0;
	refused(-1, CONFIG_ELEM_NONE, CONFIG_FIELD_NR_CPUS, "CPUs");
	build();
	b.h.ram_size = 12345;
	refused(-1, CONFIG_ELEM_NONE, CONFIG_FIELD_RAM_SIZE, "RAM");
	build();
	b.h.hv_size = 1024 << 20;
	refused(-1, CONFIG_ELEM_NONE, CONFIG_FIELD_HV_SIZE, "outside RAM");
	build();
	b.h.hv_base = 2 << 20;
	refused(-1, CONFIG_ELEM_NONE, CONFIG_FIELD_HV_BASE, "0x100000");
	build();
	b.h.pool_size = 60 << 20;
	refused(-1, CONFIG_ELEM_NONE, CONFIG_FIELD_POOL_SIZE, "pool");
	build();
	b.h.console = 7;
	refused(-1, CONFIG_ELEM_NONE, CONFIG_FIELD_CONSOLE, "console");
}

Test(config_check, cells)
{
	strcpy(b.cells[1].name, "a");
	refused(1, CONFIG_ELEM_NONE, CONFIG_FIELD_NAME, "duplicate");
	build();
	memset(b.cells[0].name, 'x', sizeof(b.cells[0].name));
	refused(0, CONFIG_ELEM_NONE, CONFIG_FIELD_NAME, "NUL");
	build();
	strcpy(b.cells[0].name, "A");
	refused(0, CONFIG_ELEM_NONE, CONFIG_FIELD_NAME, "invalid character");
	build();
	b.cells[0].image[0] = 0;
	refused(0, CONFIG_ELEM_NONE, CONFIG_FIELD_IMAGE, "empty");
	build();
	b.cells[1].policy = 9;
	refused(1, CONFIG_ELEM_NONE, CONFIG_FIELD_POLICY, "policy");
	build();
	b.cells[1].mce_policy = TESSERA_MCE_LOG + 1;
	refused(1, CONFIG_ELEM_NONE, CONFIG_FIELD_MCE_POLICY, "machine-check policy");
	build();
	b.cells[1].flags = 0x80;
	refused(1, CONFIG_ELEM_NONE, CONFIG_FIELD_FLAGS, "flags");
	build();
	b.cells[1].cpus = 0;
	refused(1, CONFIG_ELEM_NONE, CONFIG_FIELD_CPUS, "no CPUs");
	build();
	b.cells[1].cpus = 1ULL << 5;
	refused(1, CONFIG_ELEM_NONE, CONFIG_FIELD_CPUS, "does not exist");
	cr_expect_eq(err.value, 5);
	build();
	b.cells[1].cpus = 0x2;
	refused(1, CONFIG_ELEM_NONE, CONFIG_FIELD_CPUS, "already in cell 'a'");
	build();
	b.cells[1].memory_count = 0;
	refused(1, CONFIG_ELEM_NONE, CONFIG_FIELD_MEMORY, "no memory");
	build();
	b.cells[1].memory_first = 5;
	refused(1, CONFIG_ELEM_NONE, CONFIG_FIELD_MEMORY, "outside");
}

Test(config_check, memory)
{
	b.mem[1].size = 0;
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_SIZE, "zero");
	build();
	b.mem[1].phys += 8;
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_PHYS, "aligned");
	build();
	b.mem[1].guest = 0x10;
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_GUEST, "aligned");
	build();
	b.mem[1].phys = 254 << 20;
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_PHYS, "outside RAM");
	build();
	b.mem[1].phys = 62 << 20;
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_PHYS, "hypervisor");
	build();
	b.mem[1].phys = 66 << 20;
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_PHYS, "overlaps cell 'a'");
	build();
	b.mem[1].flags = TESSERA_MEM_DEVICE;
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_MEM_FLAGS, "no access");
	build();
	b.mem[1].flags |= 1u << 9;
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_MEM_FLAGS, "unknown");
	build();
	b.mem[1].size = 16 << 10; /* smaller than the boot area */
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_SIZE, "boot area");
	build();
	b.mem[1].flags = TESSERA_MEM_WRITE;
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_MEM_FLAGS, "without read");
	build();
	b.mem[1].flags = TESSERA_MEM_EXEC;
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_MEM_FLAGS, "without read");
	build();
	b.mem[1].flags = TESSERA_MEM_WRITE | TESSERA_MEM_EXEC;
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_MEM_FLAGS, "without read");
}

/* A second region for cell 1 (slot 2), shared with `peer`. */
static void add_shared(const char *peer)
{
	b.h.nr_memory = 3;
	b.cells[1].memory_count = 2;
	b.mem[2] = (struct tessera_config_memory){.phys = 100 << 20,
						  .guest = 16 << 20,
						  .size = 1 << 20,
						  .flags = TESSERA_MEM_READ | TESSERA_MEM_SHARED,
						  .share_kind = TESSERA_SHARE_IN};
	strcpy(b.mem[2].peer, peer);
}

Test(config_check, sharing)
{
	/* Cell 1 declares a region shared with 'a', which does not declare it back. */
	add_shared("a");
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_PEER, "does not declare");
	build();
	add_shared("nobody");
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_PEER, "unknown cell");
	build();
	add_shared("b");
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_PEER, "itself");
	build();
	b.mem[0].peer[0] = 'x'; /* a peer on a region that is not shared */
	refused(0, CONFIG_ELEM_MEMORY, CONFIG_FIELD_PEER, "not shared");
}

Test(config_check, ports_and_msrs)
{
	b.pio[0].size = 0;
	refused(0, CONFIG_ELEM_PIO, CONFIG_FIELD_SIZE, "zero");
	build();
	b.pio[0] = (struct tessera_config_pio){0xfffe, 4};
	refused(0, CONFIG_ELEM_PIO, CONFIG_FIELD_SIZE, "0xffff");
	build();
	b.h.nr_pio = 2;
	b.cells[1].pio_first = 1;
	b.cells[1].pio_count = 1;
	b.pio[1] = (struct tessera_config_pio){0x64, 1};
	refused(1, CONFIG_ELEM_PIO, CONFIG_FIELD_BASE, "overlaps cell 'a'");
	build();
	b.h.nr_pio = 2;
	b.cells[0].pio_count = 2;
	b.pio[1] = (struct tessera_config_pio){0x61, 1};
	refused(0, CONFIG_ELEM_PIO, CONFIG_FIELD_BASE, "range 0 of this cell");
	build();
	b.msr[0].last = 0x8;
	refused(0, CONFIG_ELEM_MSR, CONFIG_FIELD_LAST, "before");
	build();
	b.msr[0].flags = 0;
	refused(0, CONFIG_ELEM_MSR, CONFIG_FIELD_ACCESS, "read, write");
	build();
	b.h.nr_msr = 2;
	b.cells[0].msr_count = 2;
	b.msr[1] = (struct tessera_config_msr){0x0, 0x20, TESSERA_MSR_WRITE, 0};
	refused(0, CONFIG_ELEM_MSR, CONFIG_FIELD_FIRST, "overlaps");
}

/* A one-segment ELF: code at `vaddr`, `memsz` bytes, entry at `entry`. */
static size_t make_elf(unsigned char *buf, uint64_t vaddr, uint64_t memsz, uint64_t entry, uint32_t flags)
{
	memset(buf, 0, 0x200);
	memcpy(buf, "\177ELF\2\1\1", 7);
	*(uint16_t *)(buf + 16) = 2;
	*(uint16_t *)(buf + 18) = 62;
	*(uint64_t *)(buf + 24) = entry;
	*(uint64_t *)(buf + 32) = 64;
	*(uint16_t *)(buf + 54) = 56;
	*(uint16_t *)(buf + 56) = 1;
	unsigned char *ph = buf + 64;
	*(uint32_t *)ph = 1;
	*(uint32_t *)(ph + 4) = flags;
	*(uint64_t *)(ph + 8) = 0x100;
	*(uint64_t *)(ph + 16) = vaddr;
	*(uint64_t *)(ph + 32) = 0x10;
	*(uint64_t *)(ph + 40) = memsz;
	return 0x200;
}

Test(config_check, images)
{
	unsigned char elf[0x200];
	size_t n;

	cr_assert_eq(check(), 0);
	n = make_elf(elf, 0x100000, 0x1000, 0x100000, 7);
	cr_assert_eq(config_check_image(&b.h, 0, elf, n, 62, &err), 0, "%s", err.message);
	cr_assert_neq(config_check_image(&b.h, 0, elf, n, 183, &err), 0); /* wrong machine */
	n = make_elf(elf, 0x100000, 8 << 20, 0x100000, 7);
	cr_assert_neq(config_check_image(&b.h, 0, elf, n, 62, &err), 0);
	cr_expect_not_null(strstr(err.message, "does not fit"));
	n = make_elf(elf, (4 << 20) - 0x2000, 0x1000, (4 << 20) - 0x2000, 7);
	cr_assert_neq(config_check_image(&b.h, 0, elf, n, 62, &err), 0);
	cr_expect_not_null(strstr(err.message, "boot area"));
	n = make_elf(elf, 0x100000, 0x1000, 0x500000, 7);
	cr_assert_neq(config_check_image(&b.h, 0, elf, n, 62, &err), 0);
	cr_expect_not_null(strstr(err.message, "entry point"));
	b.mem[0].flags = TESSERA_MEM_READ | TESSERA_MEM_EXEC;
	seal();
	n = make_elf(elf, 0x100000, 0x1000, 0x100000, 6);
	cr_assert_neq(config_check_image(&b.h, 0, elf, n, 62, &err), 0);
	cr_expect_not_null(strstr(err.message, "writable"));
	cr_expect_eq(err.field, CONFIG_FIELD_IMAGE);
}

/* A second region for cell 1 (slot 2), plain memory or a device. */
static void add_region(uint64_t phys, uint64_t guest, uint32_t flags)
{
	b.h.nr_memory = 3;
	b.cells[1].memory_count = 2;
	b.mem[2] =
		(struct tessera_config_memory){.phys = phys, .guest = guest, .size = 0x1000, .flags = flags};
}

Test(config_check, platform_reservations)
{
	/* A device region at MMIO the hypervisor drives (it could program that hardware). */
	add_region(0x90000000ULL, 16 << 20, TESSERA_MEM_READ | TESSERA_MEM_WRITE | TESSERA_MEM_DEVICE);
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_PHYS, "the test controller");
	build();
	add_region(0x8ffff000ULL, 16 << 20, TESSERA_MEM_READ | TESSERA_MEM_DEVICE);
	b.mem[2].size = 0x2000; /* overlapping is enough */
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_PHYS, "keeps");
	build();
	/* RAM mapped at a guest page the hypervisor emulates would shadow the emulation. */
	add_region(100 << 20, 0x70000000ULL, TESSERA_MEM_READ | TESSERA_MEM_WRITE);
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_GUEST, "the test page");
	build();
	b.cells[1].comm_region = 0x70000000ULL;
	refused(1, CONFIG_ELEM_NONE, CONFIG_FIELD_COMM_REGION, "the test page");
	build();
	/* The same device region elsewhere is fine; and without a platform nothing is reserved. */
	add_region(0x91000000ULL, 16 << 20, TESSERA_MEM_READ | TESSERA_MEM_WRITE | TESSERA_MEM_DEVICE);
	seal();
	cr_expect_eq(check(), 0, "%s", err.message);
	add_region(0x90000000ULL, 0x70000000ULL, TESSERA_MEM_READ | TESSERA_MEM_WRITE | TESSERA_MEM_DEVICE);
	seal();
	cr_expect_eq(config_check(&b, sizeof(b), NULL, &err), 0, "%s", err.message);
}

Test(config_check, watchdog_needs_cpu0_free)
{
	b.cells[1].comm_region = 0x70001000ULL;
	b.cells[1].wd_period_ms = 100;
	b.cells[1].wd_missed = 3;
	seal();
	cr_expect_eq(check(), 0, "%s", err.message);
	b.cells[0].cpus = 1; /* cell 'a' on CPU 0, before the watched cell */
	refused(1, CONFIG_ELEM_NONE, CONFIG_FIELD_WD_PERIOD, "cell 'a' owns CPU 0");
	build();
	b.cells[0].comm_region = 0x70001000ULL;
	b.cells[0].wd_period_ms = 100;
	b.cells[0].wd_missed = 3;
	b.cells[1].cpus = 1; /* cell 'b' on CPU 0, after the watched cell */
	refused(1, CONFIG_ELEM_NONE, CONFIG_FIELD_CPUS, "watchdog of cell 'a'");
}

/*
 * Sizes and addresses at the edges of their range: each is refused for what is wrong with it (too large,
 * beyond the address space), never for a wrapped sum or for a property it does have (alignment).
 */
Test(config_check, sizes_and_addresses_at_their_boundaries)
{
	/* A device page ending exactly at 2^48 is inside the address space. */
	b.mem[1].flags = TESSERA_MEM_READ | TESSERA_MEM_WRITE | TESSERA_MEM_DEVICE;
	b.mem[1].phys = (1ULL << 48) - 4096;
	b.mem[1].guest = 0x10000000;
	b.mem[1].size = 4096;
	b.mem[0].size = 4 << 20; /* cell 1 keeps no RAM: give it some back below */
	b.cells[1].memory_count = 1;
	seal();
	cr_assert_neq(check(), 0); /* cell 1 has only device memory */
	cr_expect_not_null(strstr(err.message, "no RAM region"), "%s", err.message);
	build();
	/* An aligned size so large that phys + size wraps: "beyond", not a small region. */
	b.mem[1].size = 0xfffffffffffff000ULL;
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_PHYS, "beyond the 48-bit address space");
	build();
	b.mem[1].phys = 1ULL << 48;
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_PHYS, "beyond the 48-bit address space");
	build();
	b.mem[1].guest = 0xfffffffffffff000ULL;
	refused(1, CONFIG_ELEM_MEMORY, CONFIG_FIELD_GUEST, "beyond the 48-bit address space");
	build();
	/* Hypervisor memory whose end would wrap. */
	b.h.hv_size = 0xfffffffffffff000ULL;
	refused(-1, CONFIG_ELEM_NONE, CONFIG_FIELD_HV_SIZE, "outside RAM");
	build();
	b.h.pool_size = 0xfffffffffffff000ULL;
	refused(-1, CONFIG_ELEM_NONE, CONFIG_FIELD_POOL_SIZE, "does not fit");
	build();
	/* A port range whose end would wrap a 32-bit sum. */
	b.pio[0] = (struct tessera_config_pio){0xffff, 0xffffffffu};
	refused(0, CONFIG_ELEM_PIO, CONFIG_FIELD_SIZE, "beyond port 0xffff");
	build();
	/* The last MSR is one MSR: its count must not wrap to 0, so a platform range there still covers it. */
	struct config_platform top = plat;
	config_platform_add(top.msrs, &top.nr_msrs, 0xffffffffULL, 1, "the last MSR", "test", "kept");
	b.msr[0] = (struct tessera_config_msr){0xffffffffu, 0xffffffffu, TESSERA_MSR_READ, 0};
	seal();
	cr_assert_neq(config_check(&b, sizeof(b), &top, &err), 0);
	cr_expect_not_null(strstr(err.message, "includes the last MSR (0xffffffff-0xffffffff)"), "%s",
			   err.message);
	cr_expect_not_null(strstr(err.message, "(test: kept)"), "%s", err.message);
}
