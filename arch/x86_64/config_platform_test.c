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
	static const uint32_t msrs[] = {0x10,	    0x1b,	0x79,	    0x1d9,
					0x2ff,	    0x400,	0x800,	    0xc0010000,
					0xc0010010, 0xc0010058, 0xc0010111, 0xc0010113,
					0xc0010114, 0xc0010117, 0xc0010200, 0xc001020b};

	for (unsigned int i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++)
		cr_expect(covers(p->msrs, p->nr_msrs, msrs[i], 1), "MSR %#x is grantable", msrs[i]);
}
