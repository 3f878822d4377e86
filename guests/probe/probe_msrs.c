/*
 * MSRs the cell's config does not grant (MSRs are default-deny), and the local APIC's that it does: the ones that control SVM itself, the
 * machine's memory types and reset-time state, machine checks, time, other CPUs (x2APIC ICR), microcode,
 * performance counters, and MSR numbers that do not exist.
 */
#include <guest/test.h>

#include "probe.h"

struct msr_args {
	uint32_t msr;
	uint64_t value;
};

static uint64_t msr_read(void *arg)
{
	struct msr_args *a = arg;
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(a->msr));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t msr_write(void *arg)
{
	struct msr_args *a = arg;
	__asm__ volatile("wrmsr" ::"c"(a->msr), "a"((uint32_t)a->value), "d"((uint32_t)(a->value >> 32))
			 : "memory");
	return 0;
}

static void try_read(const char *name, uint32_t msr)
{
	struct msr_args a = {msr, 0};
	probe_attempt(name, msr_read, &a);
}

static void try_write(const char *name, uint32_t msr, uint64_t value)
{
	struct msr_args a = {msr, value};
	probe_attempt(name, msr_write, &a);
}

#define EFER_LME  (1ULL << 8)
#define EFER_LMA  (1ULL << 10)
#define EFER_NXE  (1ULL << 11)
#define EFER_SVME (1ULL << 12)

void probe_msrs(struct probe *p)
{
	uint64_t scratch = (uint64_t)(uintptr_t)p->scratch;

	/* SVM control: turning SVM off under the hypervisor, or moving its host save area. */
	try_write("msr_efer_write_clear_svme", 0xc0000080, EFER_LME | EFER_LMA | EFER_NXE);
	try_write("msr_efer_write_set_svme", 0xc0000080, EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME);
	try_read("msr_vm_cr_read", 0xc0010114);
	try_write("msr_vm_cr_write_svmdis", 0xc0010114, 1ULL << 4);
	try_read("msr_vm_hsave_pa_read", 0xc0010117);
	try_write("msr_vm_hsave_pa_write", 0xc0010117, scratch);

	/* The local APIC's MSRs, granted to the probe by configs/default.yaml: still the hypervisor's. A
	 * read gives the virtual APIC's base (enabled, BSP); a write that would disable, move or switch it
	 * to x2APIC is refused; x2APIC MSRs do not exist for the cell. */
	struct msr_args base = {0x1b, 0};
	struct fault_info fi;
	bool faulted = fault_try(msr_read, &base, &fi);
	test_report("msr_apic_base_read_is_virtual", !faulted && fi.value == 0xfee00900,
		    "IA32_APIC_BASE read %s %#lx, want 0xfee00900", faulted ? "faulted," : "gave", fi.value);
	try_write("msr_apic_base_write_disable", 0x1b, 0xfee00100);
	try_write("msr_apic_base_write_move", 0x1b, 0xfed00900);
	try_write("msr_apic_base_write_x2apic", 0x1b, 0xfee00d00);
	try_read("msr_x2apic_id_read", 0x802);

	/* Machine-wide state. */
	try_read("msr_mtrr_def_type_read", 0x2ff);
	try_write("msr_mtrr_def_type_write", 0x2ff, 0);
	try_read("msr_syscfg_read", 0xc0010010);
	try_write("msr_syscfg_write", 0xc0010010, 0);
	try_write("msr_hwcr_write", 0xc0010015, 0);
	try_read("msr_mc0_status_read", 0x401);
	try_write("msr_mc0_status_write", 0x401, 0);
	try_write("msr_tsc_write", 0x10, 0);
	try_write("msr_x2apic_icr_write", 0x830, (1ULL << 18) | 0x40); /* fixed IPI to self, vector 0x40 */
	try_write("msr_perf_ctl0_write", 0xc0010000, 0x430076);	       /* cycles, enabled */

	/* Microcode loaders (Intel's and AMD's numbers). */
	try_write("msr_bios_updt_trig_write", 0x79, scratch);
	try_write("msr_amd_patch_loader_write", 0xc0010020, scratch);

	/* Numbers that do not exist or belong to hypervisors. */
	try_read("msr_undefined_read", 0x12345678);
	try_write("msr_undefined_write", 0x12345678, 0);
	try_read("msr_hypervisor_range_read", 0x40000000);
}
