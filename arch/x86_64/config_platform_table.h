/*
 * Everything an x86 PC (QEMU's pc machine, the one `tessera run` boots) keeps from every cell, as one
 * table: the config checker refuses any grant that overlaps a row, on the host and in the hypervisor, and
 * docs/config.md shows the same rows (`tessera config platform` prints them; a unit test compares).
 *
 * X(kind, first, last, name, category, reason): kind PORT, MSR or PHYS (physical memory or MMIO), an
 * inclusive range, what it is, the kind of harm a grant could do (a row of X86_KEEP_CATEGORIES) and how.
 * Ranges the machine places at boot (a relocated LAPIC, the IOAPIC ACPI reports, the host channel's
 * BAR, RAM the firmware reserves) are added by x86_config_platform_fill(); the port map was checked with
 * QEMU 7.2's `info mtree` after SeaBIOS ran, the e820 map with SeaBIOS's debug output.
 */
#ifndef TESSERA_X86_CONFIG_PLATFORM_TABLE_H
#define TESSERA_X86_CONFIG_PLATFORM_TABLE_H

/* X(id, text): the categories, in the order the docs list them. */
#define X86_KEEP_CATEGORIES(X)                           \
	X(DMA, "DMA-capable")                            \
	X(LEGACY_DMA, "legacy DMA")                      \
	X(POWER, "machine-wide power or reset")          \
	X(SMI, "SMI/SMM")                                \
	X(NMI, "machine-wide NMI")                       \
	X(CLOCK, "the hypervisor's clock")               \
	X(IRQ, "the hypervisor's interrupt controllers") \
	X(PIC_PIT, "PIC/PIT the hypervisor owns")        \
	X(CONSOLE, "the hypervisor's console and exit")  \
	X(PCI, "PCI configuration")                      \
	X(FIRMWARE, "firmware")                          \
	X(MEMTYPE, "machine-wide memory types")          \
	X(MCE, "machine checks")                         \
	X(CPU, "the CPU's configuration")                \
	X(SVM, "the hypervisor's SVM state")             \
	X(OBSERVE, "would observe the hypervisor")

#define X86_KEEPS(X)                                                                                         \
	/* I/O ports */                                                                                      \
	X(PORT, 0x0000, 0x001f, "DMA controller 1", LEGACY_DMA,                                              \
	  "its channels read and write any memory below 16 MiB")                                             \
	X(PORT, 0x0020, 0x0021, "the master PIC", PIC_PIT,                                                   \
	  "masked by the hypervisor; unmasked, IRQs reach CPU 0")                                            \
	X(PORT, 0x0040, 0x0043, "the PIT", CLOCK, "the hypervisor calibrates its timer with channel 2")      \
	X(PORT, 0x0060, 0x0060, "the keyboard controller's data port", POWER,                                \
	  "after a command at 0x64 it drives the reset and A20 lines")                                       \
	X(PORT, 0x0061, 0x0061, "port 0x61 (NMI status and control)", NMI,                                   \
	  "enables the IOCHK/SERR NMIs and gates the PIT channel the hypervisor calibrates with")            \
	X(PORT, 0x0064, 0x0064, "the keyboard controller's command port", POWER,                             \
	  "command 0xfe resets the machine")                                                                 \
	X(PORT, 0x0070, 0x0071, "the RTC/CMOS index and data", NMI,                                          \
	  "bit 7 of the index masks NMIs for the whole machine")                                             \
	X(PORT, 0x0072, 0x0073, "the upper CMOS bank", FIRMWARE, "the firmware's settings (where decoded)")  \
	X(PORT, 0x0080, 0x008f, "the DMA page registers", LEGACY_DMA,                                        \
	  "the upper address bits of every DMA channel")                                                     \
	X(PORT, 0x0092, 0x0092, "port 0x92 (system control A)", POWER,                                       \
	  "bit 0 resets the machine, bit 1 is A20")                                                          \
	X(PORT, 0x00a0, 0x00a1, "the slave PIC", PIC_PIT,                                                    \
	  "masked by the hypervisor; unmasked, IRQs reach CPU 0")                                            \
	X(PORT, 0x00b2, 0x00b3, "the APM/SMI command port", SMI,                                             \
	  "a write raises an SMI: firmware runs in SMM")                                                     \
	X(PORT, 0x00c0, 0x00df, "DMA controller 2", LEGACY_DMA,                                              \
	  "its channels read and write any memory below 16 MiB")                                             \
	X(PORT, 0x00f4, 0x00f7, "the debug-exit port", CONSOLE,                                              \
	  "a write ends QEMU with a status of its choosing")                                                 \
	X(PORT, 0x03f8, 0x03ff, "the console UART (COM1)", CONSOLE,                                          \
	  "a cell could forge the hypervisor's lines")                                                       \
	X(PORT, 0x04d0, 0x04d1, "the ELCR", PIC_PIT, "sets every legacy IRQ line edge or level")             \
	X(PORT, 0x0510, 0x051b, "fw_cfg", DMA, "QEMU's firmware interface: its DMA port writes any memory")  \
	X(PORT, 0x0600, 0x063f, "the ACPI PM block (pc)", POWER,                                             \
	  "PM1 control powers the machine off or sleeps it")                                                 \
	X(PORT, 0x0640, 0x067f, "the ACPI PM block's upper half (q35)", SMI,                                 \
	  "SMI enables and the TCO watchdog")                                                                \
	X(PORT, 0x0700, 0x073f, "the SMBus controller", POWER,                                               \
	  "reaches the board's SPD, clocks and regulators")                                                  \
	X(PORT, 0x0cc4, 0x0cdb, "ACPI PCI hotplug (q35)", POWER, "ejects PCI devices from the machine")      \
	X(PORT, 0x0cdc, 0x0ce3, "ACPI CPU hotplug (q35)", POWER, "ejects CPUs from the machine")             \
	X(PORT, 0x0cf8, 0x0cff, "PCI configuration and reset control (0xcf9)", PCI,                          \
	  "reaches every device's BARs and bus mastering; 0xcf9 resets the machine")                         \
	X(PORT, 0xae00, 0xae17, "ACPI PCI hotplug (pc)", POWER, "ejects PCI devices from the machine")       \
	X(PORT, 0xaf00, 0xaf1f, "ACPI CPU hotplug (pc)", POWER, "ejects CPUs from the machine")              \
	X(PORT, 0xafe0, 0xafe3, "the ACPI GPE0 block (pc)", POWER, "the machine's ACPI events")              \
	/* Physical memory and MMIO */                                                                       \
	X(PHYS, 0x00000000, 0x000fffff, "the low 1 MiB (firmware)", FIRMWARE,                                \
	  "BIOS data, ACPI/MP tables, VGA, option ROMs, SMP trampoline")                                     \
	X(PHYS, 0xfec00000, 0xfec00fff, "the IOAPIC", IRQ, "it routes every device interrupt to any CPU")    \
	X(PHYS, 0xfed00000, 0xfed00fff, "the HPET", IRQ,                                                     \
	  "its timers interrupt any CPU through the IOAPIC or MSI")                                          \
	X(PHYS, 0xfee00000, 0xfeefffff, "the interrupt-message window (local APIC and MSI)", IRQ,            \
	  "any write there interrupts, INITs or NMIs any CPU")                                               \
	X(PHYS, 0xfffc0000, 0xffffffff, "the firmware ROM", FIRMWARE, "what the machine runs after a reset") \
	/* MSRs (EFER, 0xc0000080, is not here: the hypervisor emulates it for the cell) */                  \
	X(MSR, 0x00000010, 0x00000010, "the TSC", CLOCK, "its timekeeping and trace timestamps")             \
	X(MSR, 0x0000001b, 0x0000001b, "IA32_APIC_BASE", IRQ, "moves or disables the physical local APIC")   \
	X(MSR, 0x0000003b, 0x0000003b, "TSC_ADJUST", CLOCK, "moves the TSC the hypervisor keeps time with")  \
	X(MSR, 0x00000079, 0x00000079, "the microcode update trigger", CPU, "loads microcode into the core") \
	X(MSR, 0x0000008b, 0x0000008b, "the microcode patch level", CPU,                                     \
	  "part of the microcode update interface")                                                          \
	X(MSR, 0x0000009b, 0x0000009b, "SMM_MONITOR_CTL", SMI, "configures the SMM monitor")                 \
	X(MSR, 0x000000c1, 0x000000c8, "the performance counters (PMC0-7)", OBSERVE,                         \
	  "they count the hypervisor")                                                                       \
	X(MSR, 0x000000e7, 0x000000e8, "MPERF/APERF", POWER,                                                 \
	  "the P-state feedback the hypervisor's core shares")                                               \
	X(MSR, 0x000000fe, 0x000000fe, "MTRRcap", MEMTYPE, "part of the MTRR interface")                     \
	X(MSR, 0x00000179, 0x0000017b, "the machine-check globals (MCG_CAP, MCG_STATUS, MCG_CTL)", MCE,      \
	  "machine-check reporting for the core")                                                            \
	X(MSR, 0x00000186, 0x0000018d, "the performance event selects", OBSERVE,                             \
	  "they count the hypervisor")                                                                       \
	X(MSR, 0x00000198, 0x0000019c, "P-state, clock modulation and thermal control", POWER,               \
	  "frequency and throttling of the core")                                                            \
	X(MSR, 0x000001a0, 0x000001a0, "MISC_ENABLE", CPU, "switches CPU features for the core")             \
	X(MSR, 0x000001b0, 0x000001b0, "ENERGY_PERF_BIAS", POWER, "the core's power policy")                 \
	X(MSR, 0x000001d9, 0x000001d9, "DEBUGCTL", OBSERVE, "branch records would show the hypervisor")      \
	X(MSR, 0x000001db, 0x000001de, "the last-branch records", OBSERVE,                                   \
	  "they hold the hypervisor's branches")                                                             \
	X(MSR, 0x00000200, 0x0000026f, "the MTRRs", MEMTYPE, "memory types of all physical memory")          \
	X(MSR, 0x00000280, 0x0000029f, "the machine-check controls (MCi_CTL2)", MCE,                         \
	  "machine-check interrupts")                                                                        \
	X(MSR, 0x000002ff, 0x000002ff, "MTRRdefType", MEMTYPE, "the default memory type of all memory")      \
	X(MSR, 0x00000309, 0x0000030b, "the fixed performance counters", OBSERVE,                            \
	  "they count the hypervisor")                                                                       \
	X(MSR, 0x00000345, 0x00000345, "PERF_CAPABILITIES", OBSERVE,                                         \
	  "part of the performance counter interface")                                                       \
	X(MSR, 0x0000038d, 0x00000390, "the global performance counter controls", OBSERVE,                   \
	  "they count the hypervisor")                                                                       \
	X(MSR, 0x00000400, 0x0000047f, "the machine-check banks", MCE,                                       \
	  "machine-check reporting for the core")                                                            \
	X(MSR, 0x000006e0, 0x000006e0, "TSC_DEADLINE", IRQ, "arms the physical local APIC timer")            \
	X(MSR, 0x00000800, 0x000008ff, "the x2APIC MSRs", IRQ, "the physical local APIC: IPIs, INIT, NMI")   \
	X(MSR, 0xc0000410, 0xc0000410, "MCA_INTR_CFG", MCE, "machine-check interrupt routing")               \
	X(MSR, 0xc0010000, 0xc0010007, "the legacy performance counters", OBSERVE,                           \
	  "they count the hypervisor")                                                                       \
	X(MSR, 0xc0010010, 0xc001001f, "SYSCFG, HWCR, IORRs, TOP_MEM", MEMTYPE,                              \
	  "memory types, the top of memory and CPU-wide switches")                                           \
	X(MSR, 0xc0010020, 0xc0010020, "the microcode patch loader", CPU, "loads microcode into the core")   \
	X(MSR, 0xc0010050, 0xc0010056, "SMI on I/O trap, SMI trigger", SMI, "they raise SMIs")               \
	X(MSR, 0xc0010058, 0xc0010058, "MMIO_CFG_BASE", PCI, "moves PCI configuration space")                \
	X(MSR, 0xc0010061, 0xc001006b, "the P-state MSRs", POWER, "frequency and voltage of the core")       \
	X(MSR, 0xc0010073, 0xc0010074, "the C-state base and CPU watchdog", POWER,                           \
	  "the port that enters C-states; the watchdog resets or machine-checks")                            \
	X(MSR, 0xc0010111, 0xc0010113, "SMM_BASE, SMM_ADDR, SMM_MASK", SMI, "where SMM code runs")           \
	X(MSR, 0xc0010114, 0xc0010115, "VM_CR, IGNNE", SVM, "SVM's lock and disable switch")                 \
	X(MSR, 0xc0010116, 0xc0010116, "SMM_CTL", SMI, "enters and leaves SMM")                              \
	X(MSR, 0xc0010117, 0xc0010118, "VM_HSAVE_PA, SVM_KEY", SVM, "where VMRUN saves the host's state")    \
	X(MSR, 0xc0010200, 0xc001020b, "the core performance counters", OBSERVE,                             \
	  "they count the hypervisor")                                                                       \
	X(MSR, 0xc0010230, 0xc001023f, "the L2 performance counters", OBSERVE, "they count the hypervisor")  \
	X(MSR, 0xc0010240, 0xc0010247, "the data-fabric performance counters", OBSERVE,                      \
	  "they count the whole machine")                                                                    \
	X(MSR, 0xc0011020, 0xc001102f, "the core configuration (LS_CFG, IC_CFG, DC_CFG, DE_CFG)", CPU,       \
	  "cache, speculation and errata settings of the hypervisor's core")

#endif
