/* The x86 platform's reserved ranges for the config checker (config_platform.h). */
#include "config_platform.h"

#define X86_KEEP_ROW(kind, first, last, what, category, reason) \
	{X86_KEEP_##kind, first, last, what, X86_KEEP_##category, reason},

const struct x86_keep x86_keeps[] = {X86_KEEPS(X86_KEEP_ROW)};
const unsigned int x86_nr_keeps = sizeof(x86_keeps) / sizeof(x86_keeps[0]);

const char *x86_keep_category_text(enum x86_keep_category c)
{
#define X86_KEEP_CATEGORY_TEXT(id, text) [X86_KEEP_##id] = text,
	static const char *const text[] = {X86_KEEP_CATEGORIES(X86_KEEP_CATEGORY_TEXT)};
#undef X86_KEEP_CATEGORY_TEXT

	return (unsigned int)c < X86_KEEP_NR_CATEGORIES ? text[c] : "?";
}

void x86_config_platform_fill(struct config_platform *p, uint64_t lapic, uint64_t ioapic, uint64_t chan_base,
			      uint64_t chan_size)
{
	*p = (struct config_platform){0};
	for (unsigned int i = 0; i < x86_nr_keeps; i++) {
		const struct x86_keep *k = &x86_keeps[i];
		struct config_reserved *list = k->kind == X86_KEEP_PORT	 ? p->ports
					       : k->kind == X86_KEEP_MSR ? p->msrs
									 : p->phys;
		unsigned int *nr = k->kind == X86_KEEP_PORT  ? &p->nr_ports
				   : k->kind == X86_KEEP_MSR ? &p->nr_msrs
							     : &p->nr_phys;
		config_platform_add(list, nr, k->first, k->last - k->first + 1, k->what,
				    x86_keep_category_text(k->category), k->reason);
	}
	/* What boot found, where it differs from the architectural addresses of the table. */
	if ((lapic & ~0xfffULL) != X86_LAPIC_ARCH_BASE)
		config_platform_add(p->phys, &p->nr_phys, lapic & ~0xfffULL, 0x1000,
				    "the physical local APIC", x86_keep_category_text(X86_KEEP_IRQ),
				    "IPIs, INIT and NMI to any CPU");
	if (ioapic && (ioapic & ~0xfffULL) != X86_IOAPIC_ARCH_BASE)
		config_platform_add(p->phys, &p->nr_phys, ioapic & ~0xfffULL, 0x1000, "the physical IOAPIC",
				    x86_keep_category_text(X86_KEEP_IRQ),
				    "it routes every device interrupt to any CPU");
	config_platform_add(p->phys, &p->nr_phys, chan_base, chan_size, "the host channel (ivshmem BAR)",
			    x86_keep_category_text(X86_KEEP_CONSOLE),
			    "the hypervisor's trace rings and commands");
	config_platform_add(p->guest, &p->nr_guest, X86_GUEST_LAPIC_PAGE, 0x1000, "the local APIC", NULL,
			    NULL);

	/* What the SVM MSR permission map covers (svm_msrpm_bit): every other MSR always exits. */
	config_platform_add(p->msr_grantable, &p->nr_msr_grantable, 0, 0x2000, "0-0x1fff", NULL, NULL);
	config_platform_add(p->msr_grantable, &p->nr_msr_grantable, 0xc0000000, 0x2000,
			    "0xc0000000-0xc0001fff", NULL, NULL);
	config_platform_add(p->msr_grantable, &p->nr_msr_grantable, 0xc0010000, 0x2000,
			    "0xc0010000-0xc0011fff", NULL, NULL);
}

const struct config_platform *x86_config_platform_default(void)
{
	static struct config_platform p;

	if (!p.nr_phys)
		x86_config_platform_fill(&p, X86_LAPIC_ARCH_BASE, X86_IOAPIC_ARCH_BASE, 0, 0);
	return &p;
}

void x86_config_platform_add_firmware_ram(struct config_platform *p, uint64_t base, uint64_t size)
{
	config_platform_add(p->phys, &p->nr_phys, base, size, "memory the firmware reserves (e820)",
			    x86_keep_category_text(X86_KEEP_FIRMWARE), "the firmware's own tables and data");
}

uint64_t x86_qemu_pc_low_ram_end(uint64_t ram_size)
{
	return ram_size >= X86_QEMU_PC_SPLIT_AT ? X86_QEMU_PC_LOW_RAM_MAX : ram_size;
}

void x86_config_platform_add_qemu_pc_ram(struct config_platform *p, uint64_t ram_size)
{
	uint64_t low_end = x86_qemu_pc_low_ram_end(ram_size);

	if (low_end > X86_LOW_MEMORY + X86_QEMU_PC_FW_RESERVED)
		x86_config_platform_add_firmware_ram(p, low_end - X86_QEMU_PC_FW_RESERVED,
						     X86_QEMU_PC_FW_RESERVED);
	/* -m of 3.5 GiB or more: the addresses from 3 GiB to 4 GiB are the PCI hole, not RAM. */
	if (low_end < ram_size)
		config_platform_add(p->phys, &p->nr_phys, low_end, X86_QEMU_PC_HIGH_RAM_BASE - low_end,
				    "the PCI hole below 4 GiB (no RAM there)",
				    x86_keep_category_text(X86_KEEP_PCI),
				    "QEMU's pc machine maps RAM above -m 3.5 GiB at 4 GiB instead");
}
