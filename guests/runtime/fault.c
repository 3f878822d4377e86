/*
 * Exceptions: the IDT, fault_try's recovery, and the register dump for unexpected faults.
 * Handlers run on the faulting CPU's own stack (no IST, no privilege change), which is what lets
 * cpu_current() work here.
 */
#include <guest/fault.h>
#include <guest/mce.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <guest/user.h>
#include <tessera/format.h>

struct exception_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

struct fault_recovery {
	bool armed;
	uint64_t rsp;
	struct fault_info *info;
};

struct idt_entry {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __packed;

extern const char exception_stubs[];
extern const char fault_try_recover[];

static struct idt_entry idt[256] __aligned(16);
static struct fault_recovery recovery[RUNTIME_MAX_CPUS];

static const char *const names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#CSO", "#TS",
	"#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE",  "#CP",
};

const char *fault_name(int vector)
{
	static char other[RUNTIME_MAX_CPUS][16];
	if (vector >= 0 && vector < 32 && names[vector])
		return names[vector];
	char *buf = other[cpu_current()];
	format_snprintf(buf, sizeof(other[0]), "vector %d", vector);
	return buf;
}

/* Called by CPU 0 once; every CPU then loads the same IDT with idt_load(). */
void idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++) {
		uint64_t addr = (uint64_t)(uintptr_t)(exception_stubs + 16 * v);
		idt[v] = (struct idt_entry){
			.offset_low = (uint16_t)addr,
			.selector = 0x08,
			/* present, 64-bit interrupt gate (IF stays clear), DPL 0; DPL 3 for the one
			 * vector that user code may raise with INT: the way back from user_try. */
			.type = v == USER_RETURN_VECTOR ? 0xee : 0x8e,
			.offset_mid = (uint16_t)(addr >> 16),
			.offset_high = (uint32_t)(addr >> 32),
		};
	}
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed idtr = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};
	__asm__ volatile("lidt %0" ::"m"(idtr));
}

/* From fault_try (vectors.S): rsp is where fault_try_recover expects the stack. */
void fault_arm(struct fault_info *info, uint64_t rsp)
{
	struct fault_recovery *r = &recovery[cpu_current()];
	*info = (struct fault_info){.vector = -1};
	r->info = info;
	r->rsp = rsp;
	__atomic_store_n(&r->armed, true, __ATOMIC_SEQ_CST);
}

void fault_disarm(uint64_t value)
{
	struct fault_recovery *r = &recovery[cpu_current()];
	__atomic_store_n(&r->armed, false, __ATOMIC_SEQ_CST);
	r->info->value = value;
}

void irq_dispatch(unsigned int vector);
bool user_recover(uint64_t vector, uint64_t error, uint64_t cr2, uint64_t value, uint64_t *rip, uint64_t *cs,
		  uint64_t *rflags, uint64_t *rsp, uint64_t *ss, uint64_t *rax);
bool irq_nmi_dispatch(void);

static uint64_t read_cr2(void)
{
	uint64_t cr2;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	return cr2;
}

static void __noreturn fault_dump(const struct exception_frame *f, uint64_t cr2)
{
	printf("unexpected %s (vector %lu) error %#lx on CPU %u\n", fault_name((int)f->vector), f->vector,
	       f->error, cpu_current());
	printf("  rip %016lx  rsp %016lx  rflags %016lx  cr2 %016lx\n", f->rip, f->rsp, f->rflags, cr2);
	printf("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	printf("  rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
	printf("  r9  %016lx  r10 %016lx  r11 %016lx  r12 %016lx\n", f->r9, f->r10, f->r11, f->r12);
	printf("  r13 %016lx  r14 %016lx  r15 %016lx  cs %lx ss %lx\n", f->r13, f->r14, f->r15, f->cs, f->ss);
	runtime_exit(RUNTIME_EXIT_FAULT + (int)f->vector);
}

void exception_handle(struct exception_frame *f)
{
	struct fault_recovery *r = &recovery[cpu_current()];
	uint64_t cr2;

	/* From CPL 3: the end of user_try's function, by return or by fault (user.c). */
	if ((f->cs & 3) && (f->vector < 32 || f->vector == USER_RETURN_VECTOR) &&
	    user_recover(f->vector, f->error, read_cr2(), f->rdi, &f->rip, &f->cs, &f->rflags, &f->rsp,
			 &f->ss, &f->rax))
		return;
	if (f->vector >= 32) { /* an interrupt, not an exception (irq.c) */
		irq_dispatch((unsigned int)f->vector);
		return;
	}
	if (f->vector == 2 && irq_nmi_dispatch())
		return; /* an NMI with a handler (irq.h): its IRET ends the NMI blocking */
	if (mce_dispatch((unsigned int)f->vector))
		return; /* a machine check, reported (mce.h) */
	cr2 = read_cr2();
	if (!__atomic_load_n(&r->armed, __ATOMIC_SEQ_CST))
		fault_dump(f, cr2);
	r->armed = false;
	r->info->vector = (int)f->vector;
	r->info->error = f->error;
	r->info->cr2 = cr2;
	r->info->rip = f->rip;
	/* Resume at the end of fault_try, which returns true. */
	f->rip = (uint64_t)(uintptr_t)fault_try_recover;
	f->rsp = r->rsp;
	f->rax = 1;
	/* A single-step #DB saved RFLAGS with TF set: resuming with it would trap again outside fault_try. */
	f->rflags &= ~(1ULL << 8);
}
