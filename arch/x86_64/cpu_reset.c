/* Resetting the guest state that only the CPU holds (cpu_reset.h). */
#include <tessera/compiler.h>
#include "cpu.h"
#include "cpu_reset.h"
#include "io.h"

#define CR0_TS		(1ULL << 3)
#define CR4_OSFXSR	(1ULL << 9)
#define CR4_OSXSAVE	(1ULL << 18)
#define CPUID1_XSAVE	(1u << 26)
#define MSR_TSC_AUX	0xc0000103
#define MSR_PAT		0x277
#define MSR_XSS		0xda0
#define CPUID_D1_XSAVES (1u << 3)
#define PAT_RESET	0x0007040600070406ULL
#define CPUID81_RDTSCP	(1u << 27)
#define MXCSR_RESET	0x1f80
#define FCW_RESET	0x37f

/*
 * An FXSAVE image of the reset state (the legacy part of an XSAVE area, with the XSAVE header zero after
 * it): FCW 0x37f, every other x87 field zero (an abridged tag word of 0 is "all empty"), MXCSR 0x1f80,
 * the registers zero. XRSTOR with XSTATE_BV = 0 puts every requested component in its init state and
 * reads only MXCSR from here; FXRSTOR (no XSAVE) reads all of it.
 */
static struct {
	uint16_t fcw, fsw;
	uint8_t ftw, reserved0;
	uint16_t fop;
	uint64_t fip, fdp;
	uint32_t mxcsr, mxcsr_mask;
	uint8_t regs[480]; /* ST0-7 (128), XMM0-15 (256), reserved (96) */
	uint64_t xstate_bv, xcomp_bv, header_reserved[6];
} __packed reset_area __aligned(64) = {.fcw = FCW_RESET, .mxcsr = MXCSR_RESET};

_Static_assert(sizeof(reset_area) == 512 + 64, "the legacy area and the XSAVE header");

static void xsetbv0(uint64_t v)
{
	__asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

void x86_cpu_set_xcr0(uint64_t value)
{
	uint64_t cr4 = read_cr4();

	write_cr4(cr4 | CR4_OSXSAVE); /* XSETBV needs it; the hypervisor runs without */
	xsetbv0(value);
	write_cr4(cr4);
}

void x86_cpu_guest_state_reset(void)
{
	uint32_t a, b, c, d;
	uint64_t cr0 = read_cr0(), cr4 = read_cr4();

	cpuid(1, 0, &a, &b, &c, &d);
	bool xsave = c & CPUID1_XSAVE;
	/* The hypervisor runs with these off (it has no FPU state of its own): on just for the reset. */
	write_cr0(cr0 & ~CR0_TS);
	write_cr4(cr4 | CR4_OSFXSR | (xsave ? CR4_OSXSAVE : 0));
	if (xsave) {
		/* Every component the CPU supports, not only those the cell left enabled in XCR0: XMM
		 * registers dirtied under XCR0 = 1 are state too. */
		cpuid(0xd, 0, &a, &b, &c, &d);
		uint64_t all = ((uint64_t)d << 32) | a;
		xsetbv0(all);
		__asm__ volatile("xrstor %0" ::"m"(reset_area), "a"((uint32_t)all), "d"((uint32_t)(all >> 32))
				 : "memory");
		xsetbv0(1); /* XCR0's reset value: x87 only */
		cpuid(0xd, 1, &a, &b, &c, &d);
		if (a & CPUID_D1_XSAVES)
			wrmsr(MSR_XSS, 0); /* the supervisor components' XCR0, a CPU MSR too */
	} else {
		__asm__ volatile("fxrstor %0" ::"m"(reset_area) : "memory");
	}
	write_cr4(cr4);
	write_cr0(cr0);
	/* DR6 and DR7 are in the VMCB; the address registers are not. */
	__asm__ volatile("mov %0, %%dr0; mov %0, %%dr1; mov %0, %%dr2; mov %0, %%dr3" ::"r"(0ULL));
	/* With nested paging the guest's PAT is the VMCB's G_PAT on hardware, but QEMU's TCG lets a granted
	 * PAT write reach the CPU's own PAT (and keeps it across VMRUN): reset it to the power-on value,
	 * which is also the hypervisor's. */
	wrmsr(MSR_PAT, PAT_RESET);
	cpuid(0x80000001, 0, &a, &b, &c, &d);
	if (d & CPUID81_RDTSCP)
		wrmsr(MSR_TSC_AUX, 0); /* a cell granted TSC_AUX writes the CPU's own */
}
