/* The x86 platform's reserved ranges for the config checker (config_platform.h). */
#include "config_platform.h"

void x86_config_platform_fill(struct config_platform *p, uint64_t lapic, uint64_t ioapic, uint64_t chan_base,
			      uint64_t chan_size)
{
	*p = (struct config_platform){0};
	/* The whole page: every register of the physical LAPIC, the ICR above all, is the hypervisor's. */
	config_platform_add(p->phys, &p->nr_phys, lapic & ~0xfffULL, 0x1000, "the physical local APIC");
	if (ioapic)
		config_platform_add(p->phys, &p->nr_phys, ioapic & ~0xfffULL, 0x1000, "the physical IOAPIC");
	config_platform_add(p->phys, &p->nr_phys, chan_base, chan_size, "the host channel (ivshmem BAR)");
	config_platform_add(p->guest, &p->nr_guest, X86_GUEST_LAPIC_PAGE, 0x1000, "the local APIC");
}

const struct config_platform *x86_config_platform_default(void)
{
	static struct config_platform p;

	if (!p.nr_phys)
		x86_config_platform_fill(&p, X86_LAPIC_ARCH_BASE, X86_IOAPIC_ARCH_BASE, 0, 0);
	return &p;
}
