/* ACPI table discovery (see acpi.h). Pure C on top of to_virt(), so that it can run on the host. */
#include <tessera/error.h>
#include <tessera/string.h>
#include "acpi.h"

struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length; /* revision >= 2 */
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} __packed;

struct acpi_sdt {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;

struct acpi_madt {
	struct acpi_sdt header;
	uint32_t lapic_base;
	uint32_t flags;
} __packed;

#define MADT_LAPIC	    0
#define MADT_IOAPIC	    1
#define MADT_LAPIC_OVERRIDE 5
#define MADT_LAPIC_ENABLED  (1u << 0)

static bool checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

static const struct acpi_rsdp *rsdp_scan(const uint8_t *p, size_t len)
{
	for (size_t off = 0; off + 20 <= len; off += 16)
		if (!memcmp(p + off, "RSD PTR ", 8) && checksum_ok(p + off, 20))
			return (const struct acpi_rsdp *)(p + off);
	return NULL;
}

static const struct acpi_rsdp *rsdp_find(void *(*to_virt)(uint64_t pa))
{
	uint16_t ebda_seg = *(const uint16_t *)to_virt(0x40e);
	const struct acpi_rsdp *r = NULL;

	if (ebda_seg)
		r = rsdp_scan(to_virt((uint64_t)ebda_seg << 4), 1024);
	if (!r)
		r = rsdp_scan(to_virt(0xe0000), 0x20000);
	return r;
}

static const struct acpi_sdt *find_table(void *(*to_virt)(uint64_t pa), const struct acpi_rsdp *rsdp,
					 const char sig[4])
{
	bool x = rsdp->revision >= 2 && rsdp->xsdt;
	const struct acpi_sdt *root = to_virt(x ? rsdp->xsdt : rsdp->rsdt);

	if (!checksum_ok(root, root->length))
		return NULL;
	size_t entry = x ? 8 : 4, n = (root->length - sizeof(*root)) / entry;
	const uint8_t *entries = (const uint8_t *)(root + 1);
	for (size_t i = 0; i < n; i++) {
		uint64_t pa = 0;
		memcpy(&pa, entries + i * entry, entry);
		const struct acpi_sdt *t = to_virt(pa);
		if (!memcmp(t->signature, sig, 4) && checksum_ok(t, t->length))
			return t;
	}
	return NULL;
}

static void add_cpu(struct acpi_platform *plat, uint32_t apic_id)
{
	for (unsigned int i = 0; i < plat->nr_cpus; i++)
		if (plat->apic_ids[i] == apic_id)
			return;
	if (plat->nr_cpus < HV_MAX_CPUS)
		plat->apic_ids[plat->nr_cpus++] = apic_id;
	else
		plat->nr_cpus_ignored++;
}

int acpi_parse(void *(*to_virt)(uint64_t pa), uint32_t bsp_apic_id, struct acpi_platform *plat)
{
	memset(plat, 0, sizeof(*plat));
	plat->apic_ids[plat->nr_cpus++] = bsp_apic_id;

	const struct acpi_rsdp *rsdp = rsdp_find(to_virt);
	if (!rsdp)
		return -HV_ENOENT;
	const struct acpi_madt *madt = (const void *)find_table(to_virt, rsdp, "APIC");
	if (!madt)
		return -HV_ENOENT;
	plat->lapic_base = madt->lapic_base;

	const uint8_t *p = (const uint8_t *)(madt + 1), *end = (const uint8_t *)madt + madt->header.length;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		switch (p[0]) {
		case MADT_LAPIC: {
			uint32_t flags;
			memcpy(&flags, p + 4, 4);
			if (flags & MADT_LAPIC_ENABLED)
				add_cpu(plat, p[3]);
			break;
		}
		case MADT_IOAPIC:
			if (!plat->ioapic_base) {
				uint32_t addr;
				memcpy(&addr, p + 4, 4);
				plat->ioapic_base = addr;
			}
			break;
		case MADT_LAPIC_OVERRIDE: memcpy(&plat->lapic_base, p + 4, 8); break;
		}
		p += p[1];
	}
	return 0;
}
