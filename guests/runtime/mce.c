/* The runtime's #MC handler (guest/mce.h). */
#include <stdarg.h>
#include <guest/fault.h>
#include <guest/hypercall.h>
#include <guest/mce.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <tessera/format.h>

#define MSR_MCG_CAP	 0x179
#define MSR_MCG_STATUS	 0x17a
#define MSR_MC_STATUS(b) (0x401 + 4 * (b))
#define MSR_MC_ADDR(b)	 (0x402 + 4 * (b))
#define MSR_MC_MISC(b)	 (0x403 + 4 * (b))
#define MCG_RIPV	 1ULL
#define MCI_VAL		 (1ULL << 63)

static mce_handler_fn handler;

/*
 * A whole line straight to the console, not through printf's per-CPU line buffer: the #MC may have come
 * while the interrupted code was in printf, between its write and its emptying the buffer, and the
 * buffer would be written twice.
 */
static void __printf(1, 2) mce_print(const char *fmt, ...)
{
	char line[192];
	va_list ap;

	va_start(ap, fmt);
	int n = format_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	hypercall_console_write(line, n < 0 ? 0 : MIN((size_t)n, sizeof(line) - 1));
}
static unsigned int seen;

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static uint64_t read_mcg_cap(void *arg)
{
	(void)arg;
	return rdmsr(MSR_MCG_CAP);
}

void mce_set_handler(mce_handler_fn fn)
{
	__atomic_store_n(&handler, fn, __ATOMIC_RELEASE);
}

unsigned int mce_seen_count(void)
{
	return __atomic_load_n(&seen, __ATOMIC_ACQUIRE);
}

bool mce_dispatch(unsigned int vector)
{
	struct fault_info fi;

	if (vector != VEC_MC)
		return false;
	/* Without virtual MCA the first RDMSR faults: say so rather than dump a #GP inside the #MC. */
	if (fault_try(read_mcg_cap, NULL, &fi)) {
		mce_print("MCE seen: cpu %u, but the cell has no machine-check MSRs (on_machine_check is not "
			  "forward)\n",
			  cpu_current());
		runtime_exit(RUNTIME_EXIT_FAULT + VEC_MC);
	}
	unsigned int banks = (unsigned int)(fi.value & 0xff);
	uint64_t mcg = rdmsr(MSR_MCG_STATUS);
	for (unsigned int b = 0; b < banks; b++) {
		uint64_t status = rdmsr(MSR_MC_STATUS(b));
		if (!(status & MCI_VAL))
			continue;
		struct mce_seen m = {
			.cpu = cpu_current(),
			.bank = b,
			.status = status,
			.addr = rdmsr(MSR_MC_ADDR(b)),
			.misc = rdmsr(MSR_MC_MISC(b)),
			.mcg_status = mcg,
		};
		mce_print("MCE seen: cpu %u bank %u status %#lx addr %#lx misc %#lx mcg_status %#lx\n", m.cpu,
			  m.bank, m.status, m.addr, m.misc, m.mcg_status);
		wrmsr(MSR_MC_STATUS(b), 0);
		__atomic_fetch_add(&seen, 1, __ATOMIC_ACQ_REL);
		mce_handler_fn fn = __atomic_load_n(&handler, __ATOMIC_ACQUIRE);
		if (fn)
			fn(&m);
	}
	wrmsr(MSR_MCG_STATUS, 0); /* MCIP clear: the next one can be taken */
	if (!(mcg & MCG_RIPV)) {
		mce_print("MCE: MCG_STATUS %#lx has RIPV clear: the interrupted code cannot go on\n", mcg);
		runtime_exit(RUNTIME_EXIT_FAULT + VEC_MC);
	}
	return true;
}
