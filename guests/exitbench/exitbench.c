/*
 * exitbench: how many TSC ticks one exit of a given kind costs, seen from the guest, for `tessera bench
 * exit-cost`. Under `-icount shift=0,sleep=off` the TSC counts instructions, so the ticks are exact and
 * the same in every run. Args: `mode=NAME[,NAME...]` (below; several run one after the other in the
 * order given, one line each), `calls=N` (default 200, at most EXITBENCH_MAX).
 *
 * Each sample is one straight asm sequence: rdtsc, the exiting instruction, rdtsc; the "empty" sequence
 * is the same with the exiting instruction replaced by nothing, and its median is subtracted, as in
 * guests/nullcall. Prints one line
 *
 *	exitbench: mode=NAME calls=N call_median=A empty_median=B net=C loop_check=D
 *
 * Modes (the exiting instruction):
 *   hypercall  VMMCALL with TESSERA_HC_NOP
 *   cpuid      CPUID leaf 0 (emulated: filtered host answer)
 *   msr        RDMSR of EFER (granted by the config; the hypervisor always emulates it)
 *   apic_read  a 32-bit load of the virtual LAPIC's version register (emulated MMIO)
 *   apic_icr   a 32-bit store to the virtual LAPIC's ICR: a fixed self-IPI with interrupts off (emulated
 *              MMIO, the IPI decided and posted; the vector stays pending, never taken)
 *   ipi        the same ICR store with interrupts on, vector 0xe1: the IPI is delivered at once and its
 *              (empty) handler runs; "empty" is `int $0xe1`, the same handler and EOI without the IPI
 *   timer      the vLAPIC timer, periodic at 10 kHz (vector 0xe2): a tight loop reads the TSC, a gap is
 *              one timer interrupt (the physical timer's exit, the decision, the injection, the re-arm)
 *              plus the guest's handler and EOI, which `int $0xe2` measures and is subtracted
 *   port       OUTB to port 0x80, denied; the config's `inject` policy raises #GP, caught by fault_try
 *   mem        a load from guest-physical 256 MiB, outside the cell: #PF injected, caught likewise
 * For port and mem the "empty" sequence is the same fault_try around UD2, a fault the guest takes by
 * itself without an exit: the difference is the hypervisor's part (the exit, the violation, the
 * injection) plus the small difference between delivering an injected and a native exception.
 *
 *   doorbell   `role=send|recv peer=NAME`: two cells, one rings the other (doorbell.c); the guest
 *              measures nothing, the bench counts each side from QEMU's instruction log
 *
 * `hammer=N` (with mode=port): N denied writes, then "exitbench: hammer=N faults=F" (the console
 * rate limit test: every one is counted, few are printed).
 */
#include <guest/fault.h>
#include <guest/hypercall.h>
#include <guest/irq.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <tessera/cmdline.h>
#include <tessera/string.h>

#include "bench/nullcall_stats.h"
#include "exitbench.h"

#define EXITBENCH_MAX	  1024
#define EXITBENCH_DEFAULT 200
#define LOOP_ITER	  (NULLCALL_LOOP_INSNS / 2)
#define APIC_PAGE	  0xfee00000UL
#define APIC_VERSION_REG  0x030
#define APIC_ICR_LO_REG	  0x300
#define MSR_EFER	  0xc0000080u
#define ICR_SELF_FIXED	  ((1u << 18) | 0x4000u | 0xe0u) /* self, fixed, vector 0xe0 */

static uint64_t call_ticks[EXITBENCH_MAX], empty_ticks[EXITBENCH_MAX];

#define TSC0 "lfence\n\trdtsc\n\tlfence\n\tmov %%eax, %%r8d\n\tmov %%edx, %%r9d\n\t"
#define TSC1                                                                                           \
	"lfence\n\trdtsc\n\tlfence\n\tshl $32, %%rdx\n\tor %%rdx, %%rax\n\tshl $32, %%r9\n\tor %%r9, " \
	"%%r8\n\tsub %%r8, %%rax\n\t"

/* rdtsc; OP; rdtsc, with OP's inputs in rax/rcx/rsi set before the first time stamp. */
#define SAMPLE(op, rax_in, rcx_in, rsi_in)                                                      \
	({                                                                                      \
		uint64_t t_, a_ = (rax_in), c_ = (rcx_in), s_ = (rsi_in);                       \
		__asm__ volatile("mov %1, %%r10\n\t" TSC0 "mov %%r10, %%rax\n\t" op "\n\t" TSC1 \
				 : "=a"(t_), "+c"(c_), "+S"(s_)                                 \
				 : "r"(a_)                                                      \
				 : "rdx", "rdi", "rbx", "r8", "r9", "r10", "r11", "memory");    \
		t_;                                                                             \
	})

enum mode { M_HYPERCALL, M_CPUID, M_MSR, M_APIC_READ, M_APIC_ICR, M_PORT, M_MEM, M_IPI, M_TIMER, M_COUNT };
static const char *const mode_names[M_COUNT] = {"hypercall", "cpuid", "msr", "apic_read", "apic_icr",
						"port",	     "mem",   "ipi", "timer"};

#define IPI_VECTOR   0xe1u
#define TIMER_VECTOR 0xe2u
#define TIMER_HZ     10000
#define ICR_SELF_IPI ((1u << 18) | 0x4000u | IPI_VECTOR)

static volatile uint64_t handled;

static void count_irq(unsigned int vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	handled++;
}

static uint64_t denied_port(void *arg)
{
	(void)arg;
	__asm__ volatile("outb %%al, $0x80" ::"a"(0) : "memory");
	return 0;
}

static uint64_t denied_mem(void *arg)
{
	(void)arg;
	return *(volatile uint32_t *)0x10000000UL;
}

static uint64_t native_ud(void *arg)
{
	(void)arg;
	__asm__ volatile("ud2" ::: "memory");
	return 0;
}

static uint64_t tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* rdtsc, fault_try(fn), rdtsc: 0 if fn did not fault as expected. */
static uint64_t sample_fault(fault_fn fn, int vector)
{
	struct fault_info fi;
	uint64_t t0 = tsc();
	bool faulted = fault_try(fn, NULL, &fi);
	uint64_t t1 = tsc();

	return faulted && fi.vector == vector ? t1 - t0 : 0;
}

static uint64_t sample(enum mode m, bool empty)
{
	switch (m) {
	case M_HYPERCALL:
		return empty ? SAMPLE("", TESSERA_HC_NOP, 0, 0) : SAMPLE("vmmcall", TESSERA_HC_NOP, 0, 0);
	case M_CPUID: return empty ? SAMPLE("", 0, 0, 0) : SAMPLE("cpuid", 0, 0, 0);
	case M_MSR: return empty ? SAMPLE("", 0, MSR_EFER, 0) : SAMPLE("rdmsr", 0, MSR_EFER, 0);
	case M_APIC_READ:
		return empty ? SAMPLE("", 0, 0, APIC_PAGE + APIC_VERSION_REG)
			     : SAMPLE("mov (%%rsi), %%ecx", 0, 0, APIC_PAGE + APIC_VERSION_REG);
	case M_APIC_ICR:
		return empty ? SAMPLE("", 0, ICR_SELF_FIXED, APIC_PAGE + APIC_ICR_LO_REG)
			     : SAMPLE("mov %%ecx, (%%rsi)", 0, ICR_SELF_FIXED, APIC_PAGE + APIC_ICR_LO_REG);
	case M_IPI:
		return empty ? SAMPLE("int $0xe1", 0, 0, 0)
			     : SAMPLE("mov %%ecx, (%%rsi)", 0, ICR_SELF_IPI, APIC_PAGE + APIC_ICR_LO_REG);
	case M_PORT: return empty ? sample_fault(native_ud, VEC_UD) : sample_fault(denied_port, VEC_GP);
	case M_MEM: return empty ? sample_fault(native_ud, VEC_UD) : sample_fault(denied_mem, VEC_PF);
	default: return 0;
	}
}

/* rdtsc around `iter` rounds of (dec, jnz): the TSC counts instructions exactly if the difference of
 * two such loops is 2 per round. */
static uint64_t sample_loop(uint32_t iter)
{
	uint32_t lo0, hi0, lo1, hi1;

	__asm__ volatile("lfence\n\trdtsc\n\tlfence\n\tmov %%eax, %0\n\tmov %%edx, %1\n\t"
			 "mov %4, %%ecx\n\t"
			 "1: dec %%ecx\n\t"
			 "jnz 1b\n\t"
			 "lfence\n\trdtsc\n\tlfence\n\tmov %%eax, %2\n\tmov %%edx, %3\n\t"
			 : "=&r"(lo0), "=&r"(hi0), "=&r"(lo1), "=&r"(hi1)
			 : "r"(iter)
			 : "rax", "rcx", "rdx", "memory");
	return ((((uint64_t)hi1 << 32) | lo1) - (((uint64_t)hi0 << 32) | lo0));
}

/*
 * Timer mode: the loop's usual step (interrupts off), then n gaps in the same tight TSC-reading loop
 * with the timer on (a step far above the usual one took a timer interrupt) into call_ticks; the
 * usual step and the handler's own cost (int $vector, with its EOI) are taken off the gaps' median.
 */
static int run_timer(uint64_t n)
{
	static uint64_t handler_ticks[EXITBENCH_MAX];
	uint64_t got = 0, steps = 0, normal = 0, prev, before;

	irq_set_handler(TIMER_VECTOR, count_irq, NULL);
	SAMPLE("int $0xe2", 0, 0, 0); /* warm-up */
	for (uint64_t i = 0; i < n; i++)
		handler_ticks[i] = SAMPLE("int $0xe2", 0, 0, 0) - SAMPLE("", 0, 0, 0);
	/* The loop's usual step, with interrupts off; a step far above it took an interrupt. */
	prev = rdtsc();
	while (normal < 256) {
		uint64_t t = rdtsc();
		empty_ticks[normal++] = t - prev;
		prev = t;
	}
	struct nullcall_summary e = nullcall_summarize(empty_ticks, normal);
	uint64_t threshold = e.median + 100; /* an interrupt costs hundreds: no step in between */
	timer_start_periodic(TIMER_HZ, TIMER_VECTOR);
	irq_enable();
	before = handled;
	prev = rdtsc();
	while (got < n) {
		uint64_t t = rdtsc(), d = t - prev;
		prev = t;
		if (d > threshold && steps++ > 0) /* the first may have come mid-setup */
			call_ticks[got++] = d;
	}
	irq_disable();
	timer_stop();
	struct nullcall_summary g = nullcall_summarize(call_ticks, n);
	struct nullcall_summary h = nullcall_summarize(handler_ticks, n);
	uint64_t guest = e.median + h.median;
	uint64_t loop_check = sample_loop(LOOP_ITER + 1) - sample_loop(1);
	if (handled - before < n) {
		printf("exitbench: mode=timer: %lu gaps but %lu interrupts handled\n", n, handled - before);
		return 1;
	}
	printf("exitbench: mode=timer calls=%lu call_median=%lu empty_median=%lu net=%lu loop_check=%lu\n", n,
	       g.median, guest, nullcall_net(g.median, guest), loop_check);
	return 0;
}

static int run_mode(enum mode m, uint64_t n)
{
	if (m == M_IPI || m == M_TIMER) {
		irq_cpu_init();
		/* apic_icr, if it ran before, left its vector pending: taken at the first STI */
		irq_set_handler(ICR_SELF_FIXED & 0xff, count_irq, NULL);
	}
	if (m == M_TIMER)
		return run_timer(n);
	if (m == M_IPI) {
		irq_set_handler(IPI_VECTOR, count_irq, NULL);
		irq_enable();
	}
	if (m == M_APIC_ICR || m == M_APIC_READ)
		irq_cpu_init(); /* a software-enabled APIC: the IPI is decided and posted, not dropped */
	/* Warm-up: the first touches of code and data pages may cost extra (TLB fills). */
	sample(m, false);
	sample(m, true);
	for (uint64_t i = 0; i < n; i++) {
		call_ticks[i] = sample(m, false);
		empty_ticks[i] = sample(m, true);
		if (!call_ticks[i] || !empty_ticks[i]) {
			printf("exitbench: mode=%s: no fault where one was expected\n", mode_names[m]);
			return 1;
		}
	}
	uint64_t loop_check = sample_loop(LOOP_ITER + 1) - sample_loop(1);
	struct nullcall_summary c = nullcall_summarize(call_ticks, n);
	struct nullcall_summary e = nullcall_summarize(empty_ticks, n);
	if (m == M_IPI)
		irq_disable();
	printf("exitbench: mode=%s calls=%lu call_median=%lu empty_median=%lu net=%lu loop_check=%lu\n",
	       mode_names[m], n, c.median, e.median, nullcall_net(c.median, e.median), loop_check);
	return 0;
}

static enum mode mode_of(const char *v, size_t len)
{
	for (unsigned int i = 0; i < M_COUNT; i++)
		if (strlen(mode_names[i]) == len && !strncmp(mode_names[i], v, len))
			return (enum mode)i;
	return M_COUNT;
}

int main(const struct tessera_cell_boot_info *info)
{
	const char *v;
	size_t len;
	uint64_t n = args_number("calls", EXITBENCH_DEFAULT);
	enum mode modes[M_COUNT];
	unsigned int nr = 0;

	(void)info;
	if (args_get("mode", &v, &len) && len == 8 && !memcmp(v, "doorbell", 8))
		return n >= 1 && n <= EXITBENCH_MAX ? exitbench_doorbell(n) : 2;
	if (args_get("mode", &v, &len))
		while (len && nr < M_COUNT) {
			size_t k = 0;
			while (k < len && v[k] != ',')
				k++;
			modes[nr] = mode_of(v, k);
			if (modes[nr++] == M_COUNT)
				nr = M_COUNT + 1;
			v += k < len ? k + 1 : k;
			len -= k < len ? k + 1 : k;
		}
	if (!nr || nr > M_COUNT || len || n < 1 || n > EXITBENCH_MAX) {
		printf("exitbench: bad mode or calls "
		       "(mode=hypercall|cpuid|msr|apic_read|apic_icr|port|mem|ipi|timer"
		       "[,...], calls<=%u)\n",
		       EXITBENCH_MAX);
		return 2;
	}
	uint64_t hammer = args_number("hammer", 0);
	if (hammer) {
		struct fault_info fi;
		uint64_t faults = 0;
		for (uint64_t i = 0; i < hammer; i++)
			faults += fault_try(denied_port, NULL, &fi) && fi.vector == VEC_GP;
		printf("exitbench: hammer=%lu faults=%lu\n", hammer, faults);
		return faults == hammer ? 0 : 1;
	}
	for (unsigned int i = 0; i < nr; i++)
		if (run_mode(modes[i], n))
			return 1;
	return 0;
}
