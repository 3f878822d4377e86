/* User mode for tests (guest/user.h): per-CPU TSS and user stack, and the way back to CPL 0. */
#include <guest/runtime.h>
#include <guest/user.h>
#include <tessera/string.h>

#define USER_STACK_SIZE 4096

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

struct user_recovery {
	bool armed;
	uint64_t rsp, rflags;
	struct fault_info *info;
};

extern const char user_try_recover[];

static struct tss64 tss[RUNTIME_MAX_CPUS] __aligned(16);
static bool tss_loaded[RUNTIME_MAX_CPUS];
static struct user_recovery recovery[RUNTIME_MAX_CPUS];
static uint8_t user_stacks[RUNTIME_MAX_CPUS][USER_STACK_SIZE] __aligned(16);

/* The TSS only gives the kernel stack for exceptions from CPL 3. An I/O map base past the limit means no
 * I/O permission map: with IOPL 0 every port access at CPL 3 is a #GP, as on a real OS. */
static void tss_load(unsigned int cpu)
{
	uint64_t base = (uint64_t)(uintptr_t)&tss[cpu], limit = sizeof(tss[cpu]) - 1;
	unsigned int entry = RUNTIME_GDT_TSS + 2 * cpu;

	tss[cpu].iomap_base = sizeof(tss[cpu]);
	runtime_gdt[entry] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
			     (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	runtime_gdt[entry + 1] = base >> 32;
	__asm__ volatile("ltr %w0" ::"r"(entry * 8) : "memory");
	tss_loaded[cpu] = true;
}

/* From user_try (user_entry.S) with the kernel stack pointer to resume with; returns the user stack's top. */
uint64_t user_arm(struct fault_info *info, uint64_t rsp)
{
	unsigned int cpu = cpu_current();
	struct user_recovery *r = &recovery[cpu];
	uint64_t rflags;

	if (!tss_loaded[cpu])
		tss_load(cpu);
	__asm__ volatile("pushfq; pop %0" : "=r"(rflags));
	*info = (struct fault_info){.vector = -1};
	tss[cpu].rsp[0] = rsp;
	*r = (struct user_recovery){.rsp = rsp, .rflags = rflags, .info = info};
	__atomic_store_n(&r->armed, true, __ATOMIC_SEQ_CST);
	return (uint64_t)(uintptr_t)(user_stacks[cpu] + USER_STACK_SIZE);
}

/*
 * From exception_handle for an exception or USER_RETURN_VECTOR that came from CPL 3: end the user_try
 * that is running (true), resuming at user_try_recover at CPL 0. False when none is (the caller reports
 * it as unexpected).
 */
bool user_recover(uint64_t vector, uint64_t error, uint64_t cr2, uint64_t value, uint64_t *rip, uint64_t *cs,
		  uint64_t *rflags, uint64_t *rsp, uint64_t *ss, uint64_t *rax)
{
	struct user_recovery *r = &recovery[cpu_current()];

	if (!__atomic_load_n(&r->armed, __ATOMIC_SEQ_CST))
		return false;
	r->armed = false;
	if (vector == USER_RETURN_VECTOR) {
		r->info->value = value;
		*rax = 0;
	} else {
		r->info->vector = (int)vector;
		r->info->error = error;
		r->info->cr2 = cr2;
		r->info->rip = *rip;
		*rax = 1;
	}
	*rip = (uint64_t)(uintptr_t)user_try_recover;
	*cs = 0x08;
	*ss = 0x10;
	*rsp = r->rsp;
	*rflags = r->rflags;
	return true;
}
