/*
 * nullcall: how many TSC ticks one null hypercall (VMMCALL with TESSERA_HC_NOP) costs, seen from the guest.
 * Under `-icount shift=0,sleep=off` QEMU's TSC is virtual time and virtual time is the instruction count,
 * so the ticks are instructions, the same in every run. Prints one line (bench/nullcall_stats.h says what
 * each value is) and exits 0. Args: `calls=N` (default 1000, at most NULLCALL_MAX).
 *
 * Each sample is one straight asm sequence, so that the compiler cannot put anything of its own between
 * the two time stamps; the "empty" sequence is the same without the VMMCALL, and subtracting its median
 * leaves the hypervisor's part. LFENCE keeps RDTSC in order on real hardware; under TCG it is one more
 * instruction, in both sequences alike.
 */
#include <guest/hypercall.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <tessera/cmdline.h>

#include "bench/nullcall_stats.h"

#define NULLCALL_MAX	   4096
#define NULLCALL_DEFAULT   1000
#define NULLCALL_LOOP_ITER (NULLCALL_LOOP_INSNS / 2)

static uint64_t call_ticks[NULLCALL_MAX], empty_ticks[NULLCALL_MAX];

#define TSC_READ(lo, hi) "lfence\n\trdtsc\n\tlfence\n\tmov %%eax, %" lo "\n\tmov %%edx, %" hi "\n\t"

static inline uint64_t ticks(uint32_t lo0, uint32_t hi0, uint32_t lo1, uint32_t hi1)
{
	return (((uint64_t)hi1 << 32) | lo1) - (((uint64_t)hi0 << 32) | lo0);
}

/* rdtsc, VMMCALL(NOP), rdtsc. The hypervisor preserves every register but RAX (the result). */
static uint64_t sample_call(void)
{
	uint32_t lo0, hi0, lo1, hi1;

	__asm__ volatile(TSC_READ("0", "1") "mov %4, %%eax\n\t"
					    "vmmcall\n\t" TSC_READ("2", "3")
			 : "=&r"(lo0), "=&r"(hi0), "=&r"(lo1), "=&r"(hi1)
			 : "i"(TESSERA_HC_NOP)
			 : "rax", "rdx", "memory");
	return ticks(lo0, hi0, lo1, hi1);
}

/* The same sequence without the VMMCALL. */
static uint64_t sample_empty(void)
{
	uint32_t lo0, hi0, lo1, hi1;

	__asm__ volatile(TSC_READ("0", "1") "mov %4, %%eax\n\t" TSC_READ("2", "3")
			 : "=&r"(lo0), "=&r"(hi0), "=&r"(lo1), "=&r"(hi1)
			 : "i"(TESSERA_HC_NOP)
			 : "rax", "rdx", "memory");
	return ticks(lo0, hi0, lo1, hi1);
}

/* rdtsc around `iter` rounds of (dec, jnz): 2 * iter + 1 instructions besides the time stamps. */
static uint64_t sample_loop(uint32_t iter)
{
	uint32_t lo0, hi0, lo1, hi1;

	__asm__ volatile(TSC_READ("0", "1") "mov %4, %%ecx\n\t"
					    "1: dec %%ecx\n\t"
					    "jnz 1b\n\t" TSC_READ("2", "3")
			 : "=&r"(lo0), "=&r"(hi0), "=&r"(lo1), "=&r"(hi1)
			 : "r"(iter)
			 : "rax", "rcx", "rdx", "memory");
	return ticks(lo0, hi0, lo1, hi1);
}

static uint64_t tsc_now(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t arg_calls(void)
{
	const char *v;
	size_t len;
	bool ok;

	if (!args_get("calls", &v, &len))
		return NULLCALL_DEFAULT;
	uint64_t n = cmdline_parse_size(v, len, &ok);
	return ok && n >= 1 && n <= NULLCALL_MAX ? n : NULLCALL_DEFAULT;
}

int main(const struct tessera_cell_boot_info *info)
{
	uint64_t n = arg_calls();
	struct nullcall_result r = {.calls = n};

	(void)info;
	/* One warm-up of each: the first touches of code and data pages may cost extra (TLB fills). */
	sample_call();
	sample_empty();
	for (uint64_t i = 0; i < n; i++) {
		call_ticks[i] = sample_call();
		empty_ticks[i] = sample_empty();
	}
	/* loop(1) runs 3 instructions besides the time stamps, loop(N + 1) runs 2 N + 3. */
	r.loop_check = sample_loop(NULLCALL_LOOP_ITER + 1) - sample_loop(1);

	uint64_t t0 = tsc_now();
	for (uint64_t i = 0; i < n; i++)
		hypercall_nop();
	r.total = tsc_now() - t0;

	struct nullcall_summary c = nullcall_summarize(call_ticks, n);
	struct nullcall_summary e = nullcall_summarize(empty_ticks, n);
	r.call_min = c.min;
	r.call_median = c.median;
	r.empty_min = e.min;
	r.empty_median = e.median;
	r.net = nullcall_net(c.median, e.median);
	printf("nullcall: calls=%lu call_min=%lu call_median=%lu empty_min=%lu empty_median=%lu net=%lu "
	       "total=%lu loop_check=%lu\n",
	       r.calls, r.call_min, r.call_median, r.empty_min, r.empty_median, r.net, r.total, r.loop_check);
	return 0;
}
