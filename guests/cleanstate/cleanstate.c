/*
 * cleanstate: a restarted cell must find the CPU as a reset leaves it. One image, two roles (args):
 *   role=target        checks the state a fresh CPU has (x87, MXCSR, XMM, YMM if AVX is offered, XCR0,
 *                      DR0-DR3/DR6/DR7, CR2, EFER, PAT, the SYSCALL/SYSENTER MSRs, KernelGsBase, FS/GS
 *                      base, TSC_AUX), one TEST line each, then dirties all of it and exits 0. It needs
 *                      those MSRs granted (tests/integration/configs/cleanstate.yaml).
 *   role=manager target=N restarts cell N once it finished, waits for the second run to end, exits 0.
 * The first run checks the boot state, the second what the restart left: before restarts reset the CPU,
 * the second run found the first run's values.
 */
#include <guest/hypercall.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <guest/test.h>

#define CR4_OSXSAVE (1ULL << 18)

/* MSR, reset value (AMD APM vol. 2, "Processor Initialization State"; EFER and PAT as abi/cell_boot.h
 * boots them), the value the first run leaves. */
#define CLEAN_MSRS(X)                                  \
	X(efer, 0xc0000080, 0xd00, 0xd01)              \
	X(star, 0xc0000081, 0, 0x0023001000000000ULL)  \
	X(lstar, 0xc0000082, 0, 0xffff800000401000ULL) \
	X(cstar, 0xc0000083, 0, 0xffff800000402000ULL) \
	X(sfmask, 0xc0000084, 0, 0x4700)               \
	X(fs_base, 0xc0000100, 0, 0x10000)             \
	X(gs_base, 0xc0000101, 0, 0x20000)             \
	X(kernel_gs_base, 0xc0000102, 0, 0x30000)      \
	X(tsc_aux, 0xc0000103, 0, 0x42)                \
	X(sysenter_cs, 0x174, 0, 0x8)                  \
	X(sysenter_esp, 0x175, 0, 0x6000)              \
	X(sysenter_eip, 0x176, 0, 0x7000)              \
	X(pat, 0x277, 0x0007040600070406ULL, 0x0606060606060606ULL)

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static uint64_t read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" ::"r"(v));
}

static bool has_xsave, has_avx;

/* XGETBV and AVX need CR4.OSXSAVE, which a fresh CPU has clear: set it (it is part of the state checked
 * only through XCR0). */
static void enable_xsave(void)
{
	write_cr4(read_cr4() | CR4_OSXSAVE);
}

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

static void check_x87(void)
{
	struct {
		uint32_t fcw, fsw, ftw, rest[4];
	} env;

	__asm__ volatile("fnstenv %0" : "=m"(env));
	test_report("clean_x87",
		    (env.fcw & 0xffff) == 0x37f && (env.fsw & 0xffff) == 0 && (env.ftw & 0xffff) == 0xffff,
		    "FCW %#x FSW %#x FTW %#x, want 0x37f 0 0xffff", env.fcw & 0xffff, env.fsw & 0xffff,
		    env.ftw & 0xffff);
}

static void check_mxcsr(void)
{
	uint32_t mxcsr;

	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	test_report("clean_mxcsr", mxcsr == 0x1f80, "MXCSR %#x, want 0x1f80", mxcsr);
}

#define XMM_STORE(n) "movdqu %%xmm" #n ", 16*" #n "(%0)\n\t"
#define YMM_STORE(n) "vmovdqu %%ymm" #n ", 32*" #n "(%0)\n\t"

static void check_vectors(void)
{
	static uint8_t regs[16 * 32];
	unsigned int dirty = 0;

	__asm__ volatile(XMM_STORE(0) XMM_STORE(1) XMM_STORE(2) XMM_STORE(3) XMM_STORE(4) XMM_STORE(5)
				 XMM_STORE(6) XMM_STORE(7) XMM_STORE(8) XMM_STORE(9) XMM_STORE(10)
					 XMM_STORE(11) XMM_STORE(12) XMM_STORE(13) XMM_STORE(14)
						 XMM_STORE(15)::"r"(regs)
			 : "memory");
	for (unsigned int i = 0; i < 16 * 16; i++)
		dirty += regs[i] != 0;
	test_report("clean_xmm", !dirty, "%u bytes of XMM0-15 not zero", dirty);
	if (!has_avx)
		return;
	__asm__ volatile(YMM_STORE(0) YMM_STORE(1) YMM_STORE(2) YMM_STORE(3) YMM_STORE(4) YMM_STORE(5)
				 YMM_STORE(6) YMM_STORE(7) YMM_STORE(8) YMM_STORE(9) YMM_STORE(10)
					 YMM_STORE(11) YMM_STORE(12) YMM_STORE(13) YMM_STORE(14)
						 YMM_STORE(15)::"r"(regs)
			 : "memory");
	dirty = 0;
	for (unsigned int i = 0; i < 16 * 32; i++)
		dirty += regs[i] != 0;
	test_report("clean_ymm", !dirty, "%u bytes of YMM0-15 not zero", dirty);
}

static void check_debug(void)
{
	uint64_t dr[8];

	__asm__ volatile("mov %%dr0, %0" : "=r"(dr[0]));
	__asm__ volatile("mov %%dr1, %0" : "=r"(dr[1]));
	__asm__ volatile("mov %%dr2, %0" : "=r"(dr[2]));
	__asm__ volatile("mov %%dr3, %0" : "=r"(dr[3]));
	__asm__ volatile("mov %%dr6, %0" : "=r"(dr[6]));
	__asm__ volatile("mov %%dr7, %0" : "=r"(dr[7]));
	test_report("clean_dr0_3", !(dr[0] | dr[1] | dr[2] | dr[3]), "DR0-3 %#lx %#lx %#lx %#lx", dr[0],
		    dr[1], dr[2], dr[3]);
	test_report("clean_dr6", dr[6] == 0xffff0ff0, "DR6 %#lx, want 0xffff0ff0", dr[6]);
	test_report("clean_dr7", dr[7] == 0x400, "DR7 %#lx, want 0x400", dr[7]);
}

static void check(void)
{
	uint64_t cr2, cr4 = read_cr4();

	check_x87();
	check_mxcsr();
	test_report("clean_cr4_osxsave", !(cr4 & CR4_OSXSAVE), "CR4 %#lx has OSXSAVE", cr4);
	if (has_xsave) {
		enable_xsave();
		uint64_t xcr0 = xgetbv0();
		test_report("clean_xcr0", xcr0 == 1, "XCR0 %#lx, want 1", xcr0);
	}
	if (has_avx) /* YMM state is reachable only with XCR0.AVX */
		__asm__ volatile("xsetbv" ::"c"(0), "a"(7), "d"(0));
	check_vectors();
	check_debug();
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	test_report("clean_cr2", cr2 == 0, "CR2 %#lx", cr2);
#define CHECK_MSR(name, index, reset, dirty)                                         \
	{                                                                            \
		uint64_t v = rdmsr(index);                                           \
		test_report("clean_msr_" #name, v == (reset), "%#lx, want %#llx", v, \
			    (unsigned long long)(reset));                            \
	}
	CLEAN_MSRS(CHECK_MSR)
#undef CHECK_MSR
}

static const uint8_t never_executed[16] __aligned(16);

#define XMM_ONES(n) "pcmpeqb %%xmm" #n ", %%xmm" #n "\n\t"
#define YMM_ONES(n) "vcmpps $0xf, %%ymm" #n ", %%ymm" #n ", %%ymm" #n "\n\t"

static void dirty(void)
{
	uint16_t fcw = 0x27f;
	uint32_t mxcsr = 0x3f80;
	uint64_t bp = (uint64_t)(uintptr_t)never_executed;

	__asm__ volatile("fldcw %0; fld1; fld1" ::"m"(fcw));
	__asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
	__asm__ volatile(XMM_ONES(0) XMM_ONES(1) XMM_ONES(2) XMM_ONES(3) XMM_ONES(4) XMM_ONES(5) XMM_ONES(6)
				 XMM_ONES(7) XMM_ONES(8) XMM_ONES(9) XMM_ONES(10) XMM_ONES(11) XMM_ONES(12)
					 XMM_ONES(13) XMM_ONES(14) XMM_ONES(15)::
						 : "memory");
	if (has_avx)
		__asm__ volatile(YMM_ONES(0) YMM_ONES(1) YMM_ONES(2) YMM_ONES(3) YMM_ONES(4) YMM_ONES(5)
					 YMM_ONES(6) YMM_ONES(7) YMM_ONES(8) YMM_ONES(9) YMM_ONES(10)
						 YMM_ONES(11) YMM_ONES(12) YMM_ONES(13) YMM_ONES(14)
							 YMM_ONES(15)::
								 : "memory");
	/* Execution breakpoints on bytes that are never executed: armed, never hit. */
	__asm__ volatile("mov %0, %%dr0; mov %0, %%dr1; mov %0, %%dr2; mov %0, %%dr3" ::"r"(bp));
	__asm__ volatile("mov %0, %%dr7" ::"r"(0x4ffULL));
	__asm__ volatile("mov %0, %%cr2" ::"r"(0x1234000ULL));
#define DIRTY_MSR(name, index, reset, dirty) wrmsr(index, dirty);
	CLEAN_MSRS(DIRTY_MSR)
#undef DIRTY_MSR
	/* Last: XCR0 with every component, as an OS would leave it (CR4.OSXSAVE is set by check()). */
	if (has_xsave)
		__asm__ volatile("xsetbv" ::"c"(0), "a"(has_avx ? 7 : 3), "d"(0));
	printf("cleanstate: state dirtied\n");
}

static int run_target(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	has_xsave = r[2] & (1u << 26);
	has_avx = has_xsave && (r[2] & (1u << 28));
	printf("cleanstate: xsave %s, avx %s\n", has_xsave ? "yes" : "no", has_avx ? "yes" : "no");
	check();
	dirty();
	return test_summary() ? 1 : 0;
}

static int run_manager(void)
{
	uint64_t target = args_number("target", 0);
	int64_t st;

	while ((st = hypercall_cell_state(target)) == TESSERA_CELL_RUNNING)
		cpu_relax();
	printf("cleanstate: target's first run ended (state %ld): restart\n", (long)st);
	int64_t err = hypercall_cell_restart(target);
	if (err < 0) {
		printf("cleanstate: restart failed: %ld\n", (long)err);
		return 1;
	}
	while ((st = hypercall_cell_state(target)) == TESSERA_CELL_RUNNING)
		cpu_relax();
	printf("cleanstate: target's second run ended (state %ld)\n", (long)st);
	return 0;
}

int main(const struct tessera_cell_boot_info *info)
{
	const char *role;
	size_t len;

	(void)info;
	if (args_get("role", &role, &len) && len == 7 && !__builtin_memcmp(role, "manager", 7))
		return run_manager();
	return run_target();
}
