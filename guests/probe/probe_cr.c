/*
 * Control registers and XCR0: writes the CPU refuses must get the CPU's #GP in the cell (the hypervisor
 * validates them, arch/x86_64/svm/cr.c), not reach VMRUN (which would stop the cell) nor be taken as QEMU
 * takes them (clearing CR0.PG in 64-bit code would leave long mode under the cell's feet). Not violations:
 * no counter may rise. Valid writes must still work, CR4.MCE cleared included (the cell reads back what it
 * wrote; the hypervisor keeps MCE set underneath).
 */
#include "probe.h"
#include <guest/hypercall.h>
#include <guest/print.h>
#include <guest/test.h>
#include <guest/user.h>

#define CR0_TS	    (1UL << 3)
#define CR0_NW	    (1UL << 29)
#define CR0_PE	    (1UL << 0)
#define CR0_PG	    (1UL << 31)
#define CR4_PAE	    (1UL << 5)
#define CR4_MCE	    (1UL << 6)
#define CR4_LA57    (1UL << 12)
#define CR4_VMXE    (1UL << 13)
#define CR4_PCIDE   (1UL << 17)
#define CR4_OSXSAVE (1UL << 18)

static uint64_t read_cr0(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static uint64_t read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

/* Each writes a value derived from the current one; on the #GP it must get, nothing changed. */
static uint64_t cr0_set(void *arg)
{
	__asm__ volatile("mov %0, %%cr0" ::"r"(read_cr0() ^ (uint64_t)(uintptr_t)arg) : "memory");
	return 0;
}

static uint64_t cr4_set(void *arg)
{
	__asm__ volatile("mov %0, %%cr4" ::"r"(read_cr4() ^ (uint64_t)(uintptr_t)arg) : "memory");
	return 0;
}

struct xsetbv_args {
	uint32_t index;
	uint64_t value;
};

static uint64_t do_xsetbv(void *arg)
{
	const struct xsetbv_args *x = arg;
	__asm__ volatile("xsetbv" ::"c"(x->index), "a"((uint32_t)x->value), "d"((uint32_t)(x->value >> 32))
			 : "memory");
	return 0;
}

/* PCIDE with CR3[11:0] != 0: CR3 gets PCID 1 for the attempt, and back. */
static uint64_t pcide_with_pcid(void *arg)
{
	uint64_t cr3 = read_cr3();
	(void)arg;
	__asm__ volatile("mov %0, %%cr3" ::"r"(cr3 | 1) : "memory");
	__asm__ volatile("mov %0, %%cr4; mov %1, %%cr3" ::"r"(read_cr4() | CR4_PCIDE), "r"(cr3) : "memory");
	return 0;
}

static bool violations(const struct probe *p, uint64_t *count)
{
	struct tessera_cell_stats stats;

	if (hypercall_cell_stats((uint64_t)p->cell_id, &stats, sizeof(stats)) < 0)
		return false;
	*count = stats.violations;
	return true;
}

static void expect_gp(const struct probe *p, const char *name, fault_fn fn, void *arg)
{
	struct fault_info fi;
	uint64_t before = 0, after = 0;
	bool counted = violations(p, &before);
	bool faulted = fault_try(fn, arg, &fi);

	counted = counted && violations(p, &after) && after > before;
	test_report(name, faulted && fi.vector == VEC_GP && !counted, "%s%s%s",
		    faulted ? "raised " : "no fault", faulted ? fault_name(fi.vector) : "",
		    counted ? ", counted as a violation" : "");
}

static void valid_writes(void)
{
	struct fault_info fi;
	uint64_t cr4 = read_cr4(), cr0 = read_cr0(), got;

	bool f = fault_try(cr4_set, (void *)(uintptr_t)CR4_MCE, &fi);
	got = read_cr4();
	test_report("cr4_mce_clear_reads_back", !f && got == (cr4 & ~CR4_MCE),
		    "%s, CR4 %#lx after writing %#lx", f ? fault_name(fi.vector) : "no fault", got,
		    cr4 & ~CR4_MCE);
	fault_try(cr4_set, (void *)(uintptr_t)CR4_MCE, &fi);
	got = read_cr4();
	test_report("cr4_mce_set_again", got == cr4, "CR4 %#lx, want %#lx", got, cr4);

	f = fault_try(cr0_set, (void *)(uintptr_t)CR0_TS, &fi);
	got = read_cr0();
	__asm__ volatile("clts");
	test_report("cr0_ts_set_and_clts", !f && got == (cr0 | CR0_TS) && read_cr0() == cr0,
		    "%s, CR0 %#lx then %#lx", f ? fault_name(fi.vector) : "no fault", got, read_cr0());
}

void probe_cr(struct probe *p)
{
	uint32_t eax, ebx, ecx, edx;

	valid_writes();
	expect_gp(p, "cr0_nw_without_cd", cr0_set, (void *)(uintptr_t)CR0_NW);
	expect_gp(p, "cr0_paging_off_in_long_mode", cr0_set, (void *)(uintptr_t)CR0_PG);
	expect_gp(p, "cr0_pg_without_pe", cr0_set, (void *)(uintptr_t)CR0_PE);
	expect_gp(p, "cr0_bit32", cr0_set, (void *)(uintptr_t)(1ULL << 32));
	expect_gp(p, "cr4_vmxe", cr4_set, (void *)(uintptr_t)CR4_VMXE);
	expect_gp(p, "cr4_bit32", cr4_set, (void *)(uintptr_t)(1ULL << 32));
	expect_gp(p, "cr4_pae_off_in_long_mode", cr4_set, (void *)(uintptr_t)CR4_PAE);
	expect_gp(p, "cr4_la57_in_long_mode", cr4_set, (void *)(uintptr_t)CR4_LA57);
	expect_gp(p, "cr4_pcide_with_pcid", pcide_with_pcid, NULL);

	__asm__ volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(1), "c"(0));
	if (!(ecx & (1u << 26)))
		return; /* no XSAVE: XSETBV is #UD, and CR4.OSXSAVE reserved (cr4_* above) */
	struct fault_info fi;
	bool f = fault_try(cr4_set, (void *)(uintptr_t)CR4_OSXSAVE, &fi);
	struct xsetbv_args sse = {0, 3};
	bool f2 = f || fault_try(do_xsetbv, &sse, &fi);
	uint64_t xcr0 = f2 ? 0 : xgetbv0();
	test_report("xsetbv_valid", !f2 && xcr0 == 3, "%s, XCR0 %#lx",
		    f2 ? fault_name(fi.vector) : "no fault", xcr0);
	struct xsetbv_args bad[] = {{0, 2}, {0, 5}, {0, 1ULL << 62}, {1, 1}};
	expect_gp(p, "xsetbv_x87_clear", do_xsetbv, &bad[0]);
	expect_gp(p, "xsetbv_avx_without_sse", do_xsetbv, &bad[1]);
	expect_gp(p, "xsetbv_unsupported_bit", do_xsetbv, &bad[2]);
	expect_gp(p, "xsetbv_xcr1", do_xsetbv, &bad[3]);
	/* At CPL 3 with CR4.OSXSAVE set: the CPU's #GP (the CPL check comes before any intercept). */
	struct xsetbv_args sse_user = {0, 3};
	f = user_try(do_xsetbv, &sse_user, &fi);
	test_report("xsetbv_cpl3", f && fi.vector == VEC_GP, "%s", f ? fault_name(fi.vector) : "no fault");
	struct xsetbv_args x87 = {0, 1};
	fault_try(do_xsetbv, &x87, &fi);
	fault_try(cr4_set, (void *)(uintptr_t)CR4_OSXSAVE, &fi);
}
