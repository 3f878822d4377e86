/* The x86 platform's reserved ranges for the config checker (config_platform.h). */
#include "config_platform.h"

void x86_config_platform_fill(struct config_platform *p, uint64_t lapic, uint64_t ioapic, uint64_t chan_base,
			      uint64_t chan_size)
{
	*p = (struct config_platform){0};
	/*
	 * The whole interrupt-message window 0xfee00000-0xfeefffff, not only the LAPIC's page: a write anywhere
	 * in it is an MSI (destination from address bits 19:12, vector and delivery mode from the data), so a
	 * cell holding any page of it could send any interrupt, INIT or NMI to any CPU. QEMU decodes the whole
	 * megabyte this way, as the chipset does on real machines.
	 */
	config_platform_add(p->phys, &p->nr_phys, X86_MSI_WINDOW_BASE, X86_MSI_WINDOW_SIZE,
			    "the interrupt-message window (local APIC and MSI)");
	if ((lapic & ~0xfffULL) != X86_MSI_WINDOW_BASE) /* a relocated LAPIC: its page too */
		config_platform_add(p->phys, &p->nr_phys, lapic & ~0xfffULL, 0x1000,
				    "the physical local APIC");
	if (ioapic)
		config_platform_add(p->phys, &p->nr_phys, ioapic & ~0xfffULL, 0x1000, "the physical IOAPIC");
	config_platform_add(p->phys, &p->nr_phys, chan_base, chan_size, "the host channel (ivshmem BAR)");
	config_platform_add(p->guest, &p->nr_guest, X86_GUEST_LAPIC_PAGE, 0x1000, "the local APIC");
	/* Real-mode memory: BIOS data, the firmware's tables (MP, parts of ACPI), video memory, option ROMs
	 * and the hypervisor's SMP trampoline. The hypervisor's memory map refuses it too (not free RAM). */
	config_platform_add(p->phys, &p->nr_phys, 0, X86_LOW_MEMORY, "the low 1 MiB (firmware)");

	/* Ports: the console the hypervisor prints on (a cell could forge its lines), the QEMU debug-exit
	 * port (a cell could end the machine with any status) and every way to reset the machine. */
	config_platform_add(p->ports, &p->nr_ports, 0x3f8, 8, "the console UART (COM1)");
	config_platform_add(p->ports, &p->nr_ports, 0xf4, 4, "the debug-exit port");
	config_platform_add(p->ports, &p->nr_ports, 0x64, 1, "the keyboard controller (reset)");
	config_platform_add(p->ports, &p->nr_ports, 0x92, 1, "port 0x92 (fast reset, A20)");
	config_platform_add(p->ports, &p->nr_ports, 0xcf8, 8, "PCI configuration (reset 0xcf9)");

	/* MSRs the hypervisor keeps: they act on the whole machine or on the hypervisor itself. EFER is not
	 * here: the hypervisor emulates it for the cell (svm_vcpu.c) and validates every write. */
	config_platform_add(p->msrs, &p->nr_msrs, 0x10, 1,
			    "the TSC (the hypervisor's clock and trace timestamps)");
	config_platform_add(p->msrs, &p->nr_msrs, 0x1b, 1, "IA32_APIC_BASE");
	config_platform_add(p->msrs, &p->nr_msrs, 0x1d9, 1,
			    "DEBUGCTL (branch records would show the hypervisor)");
	config_platform_add(p->msrs, &p->nr_msrs, 0x79, 1, "the microcode update trigger");
	config_platform_add(p->msrs, &p->nr_msrs, 0x8b, 1, "the microcode patch level");
	config_platform_add(p->msrs, &p->nr_msrs, 0xfe, 1, "MTRRcap");
	config_platform_add(p->msrs, &p->nr_msrs, 0x179, 3, "the machine-check globals");
	config_platform_add(p->msrs, &p->nr_msrs, 0x200, 0x70, "the MTRRs");
	config_platform_add(p->msrs, &p->nr_msrs, 0x2ff, 1, "MTRRdefType");
	config_platform_add(p->msrs, &p->nr_msrs, 0x400, 0x80, "the machine-check banks");
	config_platform_add(p->msrs, &p->nr_msrs, 0x800, 0x100, "the x2APIC MSRs");
	config_platform_add(p->msrs, &p->nr_msrs, 0xc0010000, 8,
			    "the performance counters (they count the hypervisor)");
	config_platform_add(p->msrs, &p->nr_msrs, 0xc0010010, 0x10, "SYSCFG, HWCR, IORRs, TOP_MEM");
	config_platform_add(p->msrs, &p->nr_msrs, 0xc0010058, 1,
			    "MMIO_CFG_BASE (moves PCI configuration space)");
	config_platform_add(p->msrs, &p->nr_msrs, 0xc0010111, 3, "SMM_BASE, SMM_ADDR, SMM_MASK");
	config_platform_add(p->msrs, &p->nr_msrs, 0xc0010200, 0xc, "the core performance counters");
	config_platform_add(p->msrs, &p->nr_msrs, 0xc0010020, 1, "the microcode patch loader");
	config_platform_add(p->msrs, &p->nr_msrs, 0xc0010114, 5, "VM_CR, VM_HSAVE_PA (SVM)");

	/* What the SVM MSR permission map covers (svm_msrpm_bit): every other MSR always exits. */
	config_platform_add(p->msr_grantable, &p->nr_msr_grantable, 0, 0x2000, "0-0x1fff");
	config_platform_add(p->msr_grantable, &p->nr_msr_grantable, 0xc0000000, 0x2000,
			    "0xc0000000-0xc0001fff");
	config_platform_add(p->msr_grantable, &p->nr_msr_grantable, 0xc0010000, 0x2000,
			    "0xc0010000-0xc0011fff");
}

const struct config_platform *x86_config_platform_default(void)
{
	static struct config_platform p;

	if (!p.nr_phys)
		x86_config_platform_fill(&p, X86_LAPIC_ARCH_BASE, X86_IOAPIC_ARCH_BASE, 0, 0);
	return &p;
}
