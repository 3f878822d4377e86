/*
 * The x86 platform data the config checker enforces: every list fits (config_platform_add drops what does
 * not fit, which would silently un-reserve something), and the ranges the isolation reviews found
 * grantable are reserved.
 */
#include <criterion/criterion.h>

#include "config_platform.h"

static bool covers(const struct config_reserved *list, unsigned int nr, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < nr; i++)
		if (list[i].base <= base && base + size <= list[i].base + list[i].size)
			return true;
	return false;
}

Test(x86_platform, no_list_is_full)
{
	const struct config_platform *p = x86_config_platform_default();

	cr_expect_lt(p->nr_phys, CONFIG_PLATFORM_MAX_RANGES);
	cr_expect_lt(p->nr_guest, CONFIG_PLATFORM_MAX_RANGES);
	cr_expect_lt(p->nr_ports, CONFIG_PLATFORM_MAX_RANGES);
	cr_expect_lt(p->nr_msrs, CONFIG_PLATFORM_MAX_RANGES);
	cr_expect_lt(p->nr_msr_grantable, CONFIG_PLATFORM_MAX_RANGES);
}

/* Any page of 0xfee00000-0xfeefffff sends interrupt messages (MSI) to any CPU. */
Test(x86_platform, the_whole_interrupt_message_window_is_reserved)
{
	const struct config_platform *p = x86_config_platform_default();

	for (uint64_t a = 0xfee00000; a < 0xfef00000; a += 0x1000)
		cr_assert(covers(p->phys, p->nr_phys, a, 0x1000), "page %#llx of the MSI window is grantable",
			  (unsigned long long)a);
}

Test(x86_platform, machine_wide_msrs_are_reserved)
{
	const struct config_platform *p = x86_config_platform_default();
	/* TSC, APIC_BASE, TSC_ADJUST, microcode, PMCs, MPERF, MCG_CAP, DEBUGCTL, MTRRs, MC banks,
	 * TSC_DEADLINE, x2APIC, SYSCFG, MMIO_CFG_BASE, SMI trap, P-states, C-state base, SMM, VM_CR,
	 * VM_HSAVE_PA, perf counters, DE_CFG */
	static const uint32_t msrs[] = {
		0x10,	    0x1b,	0x3b,	    0x79,	0x8b,	    0xc1,	0xe7,
		0x179,	    0x17b,	0x186,	    0x199,	0x1a0,	    0x1d9,	0x1db,
		0x200,	    0x26f,	0x280,	    0x2ff,	0x38f,	    0x400,	0x47f,
		0x6e0,	    0x800,	0x8ff,	    0xc0010000, 0xc0010010, 0xc0010015, 0xc0010020,
		0xc0010055, 0xc0010058, 0xc0010062, 0xc0010073, 0xc0010111, 0xc0010113, 0xc0010114,
		0xc0010116, 0xc0010117, 0xc0010200, 0xc001020b, 0xc0011029};

	for (unsigned int i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++)
		cr_expect(covers(p->msrs, p->nr_msrs, msrs[i], 1), "MSR %#x is grantable", msrs[i]);
}

/* The ports that reach past a cell (DMA, power, reset, SMI, NMI, the hypervisor's own devices). */
Test(x86_platform, machine_wide_ports_are_reserved)
{
	const struct config_platform *p = x86_config_platform_default();
	static const uint32_t ports[] = {0x00,	0x1f,  0x20,  0x21,   0x40,   0x43,  0x60,  0x61,  0x64,
					 0x70,	0x71,  0x72,  0x73,   0x80,   0x8f,  0x92,  0xa0,  0xa1,
					 0xb2,	0xb3,  0xc0,  0xdf,   0xf4,   0x3f8, 0x3ff, 0x4d0, 0x4d1,
					 0x510, 0x514, 0x51b, 0x600,  0x604,  0x63f, 0x67f, 0x700, 0xcd8,
					 0xcf8, 0xcf9, 0xcff, 0xae00, 0xaf00, 0xafe0};

	for (unsigned int i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		cr_expect(covers(p->ports, p->nr_ports, ports[i], 1), "port %#x is grantable", ports[i]);
	/* Devices a cell may own: COM2, VGA, the IDE channels (none of them the hypervisor's). */
	cr_expect(!covers(p->ports, p->nr_ports, 0x2f8, 8));
	cr_expect(!covers(p->ports, p->nr_ports, 0x3c0, 0x10));
	cr_expect(!covers(p->ports, p->nr_ports, 0x1f0, 8));
}

Test(x86_platform, machine_wide_mmio_is_reserved)
{
	const struct config_platform *p = x86_config_platform_default();

	cr_expect(covers(p->phys, p->nr_phys, 0xfed00000, 0x1000), "the HPET");
	cr_expect(covers(p->phys, p->nr_phys, 0xfec00000, 0x1000), "the IOAPIC");
	cr_expect(covers(p->phys, p->nr_phys, 0xfffc0000, 0x40000), "the firmware ROM");
	cr_expect(covers(p->phys, p->nr_phys, 0, 0x100000), "the low 1 MiB");
}

/* One reason per resource: rows of one kind never overlap, and every row has its strings. */
Test(x86_platform, table_rows_do_not_overlap_and_say_why)
{
	for (unsigned int i = 0; i < x86_nr_keeps; i++) {
		const struct x86_keep *a = &x86_keeps[i];
		cr_expect(a->first <= a->last && a->what && a->what[0] && a->reason && a->reason[0], "row %u",
			  i);
		cr_expect_lt((unsigned int)a->category, X86_KEEP_NR_CATEGORIES, "row %u", i);
		for (unsigned int j = 0; j < i; j++) {
			const struct x86_keep *b = &x86_keeps[j];
			cr_expect(a->kind != b->kind || a->last < b->first || b->last < a->first,
				  "rows '%s' and '%s' overlap", a->what, b->what);
		}
	}
}

/* SeaBIOS's e820 map under QEMU 7.2 (measured): the top 128 KiB of low RAM, and low RAM ends at 3 GiB
 * once -m reaches 3.5 GiB. */
Test(x86_platform, qemu_pc_firmware_ram)
{
	struct config_platform p = *x86_config_platform_default();
	unsigned int before = p.nr_phys;

	x86_config_platform_add_qemu_pc_ram(&p, 256ULL << 20);
	cr_assert_eq(p.nr_phys, before + 1);
	cr_expect_eq(p.phys[before].base, 0xffe0000);
	cr_expect_eq(p.phys[before].size, 0x20000);
	cr_expect_eq(x86_qemu_pc_low_ram_end(3ULL << 30), 3ULL << 30);
	cr_expect_eq(x86_qemu_pc_low_ram_end(3584ULL << 20), 3ULL << 30);

	p = *x86_config_platform_default();
	x86_config_platform_add_qemu_pc_ram(&p, 4ULL << 30);
	cr_assert_eq(p.nr_phys, before + 2);
	cr_expect_eq(p.phys[before].base, 0xbffe0000);
	cr_expect_eq(p.phys[before + 1].base, 0xc0000000);
	cr_expect_eq(p.phys[before + 1].size, 0x40000000);
}
