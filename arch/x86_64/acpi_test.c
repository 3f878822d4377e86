/* ACPI discovery on a fake low-memory image: RSDP in the BIOS area or the EBDA, RSDT or XSDT, a MADT. */
#include <criterion/criterion.h>
#include <string.h>
#include <tessera/error.h>
#include "acpi.h"

#define MEM_SIZE 0x100000
static uint8_t *mem;

static void *to_virt(uint64_t pa)
{
	cr_assert_lt(pa, MEM_SIZE, "read outside the fake memory at %#llx", (unsigned long long)pa);
	return mem + pa;
}

static void setup(void)
{
	mem = calloc(1, MEM_SIZE);
}
static void teardown(void)
{
	free(mem);
}
TestSuite(acpi, .init = setup, .fini = teardown);

static void fix_checksum(uint8_t *p, size_t len, size_t at)
{
	uint8_t sum = 0;
	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	p[at] = (uint8_t)-sum;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void sdt_header(uint8_t *p, const char *sig, uint32_t len)
{
	memcpy(p, sig, 4);
	put32(p + 4, len);
	p[8] = 1;
}

/* A MADT at 0x20000: LAPICs 0 (enabled), 2 (enabled), 5 (disabled), 7 (enabled), IOAPIC at 0xfec00000. */
static void build_madt(void)
{
	uint8_t *m = mem + 0x20000;
	uint32_t len = 44;
	put32(m + 36, 0xfee00000);
	const uint8_t apic[][2] = {{0, 1}, {2, 1}, {5, 0}, {7, 1}};
	for (unsigned int i = 0; i < 4; i++) {
		uint8_t *e = m + len;
		e[0] = 0;
		e[1] = 8;
		e[2] = (uint8_t)i;
		e[3] = apic[i][0];
		put32(e + 4, apic[i][1]);
		len += 8;
	}
	uint8_t *io = m + len;
	io[0] = 1;
	io[1] = 12;
	put32(io + 4, 0xfec00000);
	len += 12;
	sdt_header(m, "APIC", len);
	fix_checksum(m, len, 9);
}

static void build_rsdt(uint64_t at, bool xsdt)
{
	uint8_t *r = mem + at;
	/* a decoy table first, then the MADT */
	uint8_t *decoy = mem + 0x21000;
	sdt_header(decoy, "FACP", 36);
	fix_checksum(decoy, 36, 9);
	size_t es = xsdt ? 8 : 4;
	uint64_t ptrs[2] = {0x21000, 0x20000};
	for (int i = 0; i < 2; i++)
		memcpy(r + 36 + i * es, &ptrs[i], es);
	uint32_t len = (uint32_t)(36 + 2 * es);
	sdt_header(r, xsdt ? "XSDT" : "RSDT", len);
	fix_checksum(r, len, 9);
}

static void build_rsdp(uint64_t at, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	uint8_t *p = mem + at;
	memcpy(p, "RSD PTR ", 8);
	p[15] = rev;
	put32(p + 16, rsdt);
	put32(p + 20, 36);
	memcpy(p + 24, &xsdt, 8);
	fix_checksum(p, 20, 8);
	fix_checksum(p, 36, 32);
}

Test(acpi, rsdt_in_bios_area)
{
	build_madt();
	build_rsdt(0x30000, false);
	build_rsdp(0xf5a40, 0, 0x30000, 0);
	struct acpi_platform plat;
	cr_assert_eq(acpi_parse(to_virt, 2, &plat), 0);
	cr_expect_eq(plat.nr_cpus, 3);
	cr_expect_eq(plat.apic_ids[0], 2, "the boot CPU comes first");
	cr_expect_eq(plat.apic_ids[1], 0);
	cr_expect_eq(plat.apic_ids[2], 7);
	cr_expect_eq(plat.lapic_base, 0xfee00000);
	cr_expect_eq(plat.ioapic_base, 0xfec00000);
}

Test(acpi, xsdt_in_ebda)
{
	build_madt();
	build_rsdt(0x30000, true);
	uint16_t seg = 0x9fc0;
	memcpy(mem + 0x40e, &seg, 2);
	build_rsdp(0x9fc00 + 0x40, 2, 0, 0x30000);
	struct acpi_platform plat;
	cr_assert_eq(acpi_parse(to_virt, 0, &plat), 0);
	cr_expect_eq(plat.nr_cpus, 3);
	cr_expect_eq(plat.apic_ids[2], 7);
}

Test(acpi, bad_checksums_are_skipped)
{
	build_madt();
	build_rsdt(0x30000, false);
	build_rsdp(0xe0000, 0, 0x30000, 0);
	mem[0x20000 + 50]++; /* corrupt the MADT */
	struct acpi_platform plat;
	cr_expect_eq(acpi_parse(to_virt, 0, &plat), -HV_ENOENT);
	cr_expect_eq(plat.nr_cpus, 1, "the boot CPU is always there");

	memset(mem, 0, MEM_SIZE);
	build_rsdp(0xe0000, 0, 0x30000, 0);
	mem[0xe0000 + 3]++; /* corrupt the RSDP */
	cr_expect_eq(acpi_parse(to_virt, 0, &plat), -HV_ENOENT);
}
