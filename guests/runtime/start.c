/* From the boot stub to main(): descriptor tables, page tables, then main or secondary_main. */
#include <guest/hypercall.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <tessera/cmdline.h>

void idt_init(void);
void idt_load(void);
void paging_init(void);
void paging_load(void);
void runtime_start(const struct tessera_cell_boot_info *info, uint64_t cpu);

uint8_t runtime_stacks[RUNTIME_MAX_CPUS][RUNTIME_STACK_SIZE] __aligned(4096);

/*
 * Kernel code and data, then user data and code (guest/user.h), then one 16-byte TSS descriptor per CPU,
 * filled by user.c the first time a CPU enters user mode (a TSS descriptor is marked busy by LTR, so the
 * CPUs cannot share one).
 */
uint64_t runtime_gdt[RUNTIME_GDT_ENTRIES] __aligned(16) = {
	0,
	0x00af9a000000ffffULL, /* 0x08: 64-bit code, DPL 0 */
	0x00cf92000000ffffULL, /* 0x10: flat data, DPL 0 */
	0x00cff2000000ffffULL, /* 0x18: flat data, DPL 3 (USER_DS) */
	0x00affa000000ffffULL, /* 0x20: 64-bit code, DPL 3 (USER_CS) */
};

static const struct tessera_cell_boot_info *boot_info;
static bool init_done;

const struct tessera_cell_boot_info *runtime_boot_info(void)
{
	return boot_info;
}

unsigned int cpu_current(void)
{
	uintptr_t rsp = (uintptr_t)__builtin_frame_address(0);
	return (unsigned int)((rsp - (uintptr_t)runtime_stacks) / RUNTIME_STACK_SIZE);
}

/* Needed by core/spinlock.c, which core:lib brings in. */
void arch_cpu_relax(void)
{
	cpu_relax();
}

void __noreturn cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

void __noreturn runtime_exit(int status)
{
	print_flush();
	hypercall_cell_exit(status);
	/* cell_exit stops every CPU of the cell; if it returned, something is wrong: stay put. */
	cpu_halt_forever();
}

bool args_get(const char *key, const char **value, size_t *len)
{
	return boot_info && cmdline_get(boot_info->args, key, value, len);
}

uint64_t args_number(const char *key, uint64_t def)
{
	const char *v;
	size_t len;
	bool ok;

	if (!args_get(key, &v, &len))
		return def;
	uint64_t n = cmdline_parse_size(v, len, &ok);
	return ok ? n : def;
}

__attribute__((weak)) void secondary_main(unsigned int cpu)
{
	(void)cpu;
	cpu_halt_forever();
}

static void gdt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed gdtr = {sizeof(runtime_gdt) - 1, (uint64_t)(uintptr_t)runtime_gdt};
	__asm__ volatile("lgdt %0\n\t"
			 "pushq $0x08\n\t"
			 "lea 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov $0x10, %%eax\n\t"
			 "mov %%eax, %%ds\n\t"
			 "mov %%eax, %%es\n\t"
			 "mov %%eax, %%ss\n\t"
			 "mov %%eax, %%fs\n\t"
			 "mov %%eax, %%gs"
			 :
			 : "m"(gdtr)
			 : "rax", "memory");
}

void __noreturn runtime_start(const struct tessera_cell_boot_info *info, uint64_t cpu)
{
	gdt_load();
	if (cpu == 0) {
		boot_info = info;
		idt_init();
		paging_init();
		__atomic_store_n(&init_done, true, __ATOMIC_RELEASE);
	} else {
		while (!__atomic_load_n(&init_done, __ATOMIC_ACQUIRE))
			cpu_relax();
	}
	idt_load();
	paging_load();
	if (cpu != 0) {
		secondary_main((unsigned int)cpu);
		cpu_halt_forever();
	}
	runtime_exit(main(info));
}
