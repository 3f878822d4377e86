/* Boot bundles: a good one expands into the same modules; every kind of damage is refused, naming it. */
#include <criterion/criterion.h>
#include <tessera/abi/boot_bundle.h>
#include <tessera/boot_bundle.h>
#include <tessera/crc32.h>

#define BUNDLE_BYTES (4 * TESSERA_BUNDLE_ALIGN)

static uint8_t bundle[BUNDLE_BYTES] __aligned(TESSERA_BUNDLE_ALIGN);
static struct tessera_bundle_header *hdr = (void *)bundle;
static struct tessera_bundle_entry *ent = (void *)(bundle + sizeof(struct tessera_bundle_header));
static char why[200];
static const char other[16] = "an ELF, say";
#define OTHER ((uintptr_t)other)

static void reseal(void)
{
	hdr->header_crc = 0;
	hdr->header_crc =
		crc32_update(crc32_update(0, hdr, sizeof(*hdr)), ent, hdr->nr_entries * sizeof(*ent));
}

static void add(const char *name, uint64_t offset, const char *text)
{
	struct tessera_bundle_entry *e = &ent[hdr->nr_entries++];

	strcpy(e->name, name);
	e->offset = offset;
	e->size = strlen(text);
	memcpy(bundle + offset, text, e->size);
	e->crc32 = crc32_update(0, text, e->size);
}

/* A blob and two images, the way `tessera config bundle` lays them out. */
static void make_good(void)
{
	memset(bundle, 0, sizeof(bundle));
	memcpy(hdr->magic, TESSERA_BUNDLE_MAGIC, sizeof(hdr->magic));
	hdr->version = TESSERA_BUNDLE_VERSION;
	add("config.blob", 0x1000, "the blob");
	add("hello.elf", 0x2000, "hello image");
	add("probe.elf", 0x3000, "probe image");
	hdr->size = 0x3000 + strlen("probe image");
	reseal();
}

static struct boot_info info_with_bundle(const char *name)
{
	struct boot_info info = {.nr_modules = 2};

	info.modules[0] = (struct boot_module){(uintptr_t)bundle, hdr->size, name};
	info.modules[1] = (struct boot_module){OTHER, sizeof(other), "other.elf"};
	return info;
}

static void expect_refused(const char *text)
{
	struct boot_info info = info_with_bundle("/lava/tmp/system.bundle");

	cr_assert_eq(boot_bundle_expand(&info, why, sizeof(why)), -1, "accepted; wanted '%s'", text);
	cr_expect(strstr(why, "module 'system.bundle': "), "%s", why);
	cr_expect(strstr(why, text), "'%s' lacks '%s'", why, text);
	cr_expect_eq(info.nr_modules, 2, "the module list changed although the bundle was refused");
	cr_expect_eq(info.modules[0].start, (uintptr_t)bundle);
}

Test(boot_bundle, expands_in_place_into_the_same_modules)
{
	make_good();
	struct boot_info info = info_with_bundle("/lava/tmp/system.bundle");

	cr_assert_eq(boot_bundle_expand(&info, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(info.nr_modules, 4);
	cr_expect_str_eq(info.modules[0].name, "config.blob");
	cr_expect_eq(info.modules[0].start, (uintptr_t)bundle + 0x1000);
	cr_expect_eq(info.modules[0].size, strlen("the blob"));
	cr_expect_str_eq(info.modules[2].name, "probe.elf");
	cr_expect(!memcmp((void *)(uintptr_t)info.modules[2].start, "probe image", 11));
	cr_expect_str_eq(info.modules[3].name, "other.elf", "the module after the bundle moved up");
	cr_expect_eq(info.modules[3].start, OTHER);
}

Test(boot_bundle, modules_that_are_not_bundles_are_left_alone)
{
	static const char blob[16] = "TESSCFG";
	struct boot_info info = {.nr_modules = 1};

	info.modules[0] = (struct boot_module){(uintptr_t)blob, sizeof(blob), "out/system.blob"};
	cr_assert_eq(boot_bundle_expand(&info, why, sizeof(why)), 0);
	cr_expect_eq(info.nr_modules, 1);
	cr_expect_eq(info.modules[0].start, (uintptr_t)blob);
}

Test(boot_bundle, a_bundle_name_with_a_bad_magic_is_refused)
{
	make_good();
	hdr->magic[0] = 'X';
	expect_refused("bad magic");
}

Test(boot_bundle, a_bad_version_is_refused)
{
	make_good();
	hdr->version = 2;
	reseal();
	expect_refused("version 2");
}

Test(boot_bundle, truncated_bundles_are_refused)
{
	make_good();
	struct boot_info info = info_with_bundle("system.bundle");
	info.modules[0].size = hdr->size - 1;
	cr_assert_eq(boot_bundle_expand(&info, why, sizeof(why)), -1);
	cr_expect(strstr(why, "truncated: the header says"), "%s", why);

	info.modules[0].size = 20;
	cr_assert_eq(boot_bundle_expand(&info, why, sizeof(why)), -1);
	cr_expect(strstr(why, "truncated: 20 bytes"), "%s", why);

	hdr->nr_entries = 16;
	hdr->size = 200; /* the table of 16 entries alone needs 32 + 1280 bytes */
	reseal();
	expect_refused("truncated: the entry table ends at 1312");
}

Test(boot_bundle, a_damaged_table_fails_the_header_checksum)
{
	make_good();
	ent[1].size++;
	expect_refused("header checksum");
}

Test(boot_bundle, a_damaged_payload_fails_its_checksum)
{
	make_good();
	bundle[0x2000] ^= 1;
	expect_refused("entry 'hello.elf': checksum");
}

Test(boot_bundle, overlapping_entries_are_refused)
{
	make_good();
	ent[2].offset = 0x2000; /* on top of hello.elf */
	reseal();
	expect_refused("entry 'probe.elf' at 0x2000 overlaps hello.elf");

	make_good();
	ent[0].offset = 0; /* over the header and table */
	reseal();
	expect_refused("entry 'config.blob' at 0 overlaps the entry table");
}

Test(boot_bundle, entries_past_the_end_or_unaligned_are_refused)
{
	make_good();
	ent[2].size = 0x2000;
	reseal();
	expect_refused("entry 'probe.elf': 0x3000+0x2000 runs past");

	make_good();
	ent[1].offset = 0x2010;
	reseal();
	expect_refused("entry 'hello.elf': offset 0x2010 is not 4096-aligned");

	make_good();
	ent[2].offset = 0xffffffffffff0000ull; /* offset + size wraps around */
	reseal();
	expect_refused("runs past");
}

Test(boot_bundle, bad_names_and_counts_are_refused)
{
	make_good();
	strcpy(ent[1].name, "dir/hello.elf");
	reseal();
	expect_refused("entry 1: the name");

	make_good();
	memset(ent[1].name, 'a', TESSERA_BUNDLE_NAME_LEN); /* no NUL */
	reseal();
	expect_refused("entry 1: the name");

	make_good();
	strcpy(ent[2].name, "hello.elf");
	reseal();
	expect_refused("entry 'hello.elf': two entries have this name");

	make_good();
	hdr->nr_entries = 0;
	reseal();
	expect_refused("0 entries, expected 1..16");
}

Test(boot_bundle, too_many_modules_in_all_are_refused)
{
	make_good();
	struct boot_info info = info_with_bundle("system.bundle");
	info.nr_modules = HV_MAX_BOOT_MODULES - 1; /* the bundle's 3 entries make 17 */
	for (unsigned int i = 1; i < info.nr_modules; i++)
		info.modules[i] = (struct boot_module){OTHER, sizeof(other), "other.elf"};
	cr_assert_eq(boot_bundle_expand(&info, why, sizeof(why)), -1);
	cr_expect(strstr(why, "make 17 boot modules, at most 16"), "%s", why);
}
