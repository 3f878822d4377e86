/*
 * Faults on purpose (boot option test_fault=KIND), to show that the exception path works. Inline assembly,
 * so that the compiler cannot turn the "undefined behaviour" into something else.
 */
#include <tessera/console.h>
#include <tessera/string.h>
#include "cpu.h"

static void fault_page(void)
{
	uint64_t v, addr = 0; /* page 0 is never mapped */
	__asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	(void)v;
}

static void fault_divide(void)
{
	__asm__ volatile("xorl %%eax, %%eax\n\t"
			 "xorl %%edx, %%edx\n\t"
			 "xorl %%ecx, %%ecx\n\t"
			 "divl %%ecx"
			 :
			 :
			 : "rax", "rcx", "rdx");
}

static void fault_ud(void)
{
	__asm__ volatile("ud2");
}

/* W^X: the text is mapped read-only, data non-executable. Both must give a #PF. */
static void fault_write_text(void)
{
	uintptr_t text = (uintptr_t)fault_write_text;
	__asm__ volatile("movb $0xc3, (%0)" : : "r"(text) : "memory");
}

static uint8_t data_ret[16] = {0xc3}; /* a "ret" in RW- data */

static void fault_exec_data(void)
{
	__asm__ volatile("call *%0" : : "r"(data_ret) : "memory");
}

/* Push until the stack runs into its guard page: #PF cannot be delivered on that stack, so #DF (IST). */
static void fault_stack(void)
{
	__asm__ volatile("1: pushq $0\n\t"
			 "jmp 1b"
			 :
			 :
			 : "memory");
}

/* The dump must appear even when the fault hits while this CPU holds the console lock (fault.c). */
static void fault_console_locked(void)
{
	console_lock();
	fault_page();
}

/*
 * Touch the page below the NMI IST stack of the last CPU online (an AP when there are several: its IST
 * stacks come from the page pool): it must be an unmapped guard page. The page tables are shared, so the
 * boot CPU sees the AP's guard exactly as the AP would.
 */
static void fault_ist_guard(void)
{
	uint64_t v, addr = x86_cpu_get(arch_cpu_count() - 1)->ist_lo[0] - 8;
	__asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	(void)v;
}

void arch_test_fault(const char *kind)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} kinds[] = {
		{"pagefault", fault_page},
		{"divide", fault_divide},
		{"ud", fault_ud},
		{"stack", fault_stack},
		{"write_text", fault_write_text},
		{"exec_data", fault_exec_data},
		{"console_locked", fault_console_locked},
		{"ist_guard", fault_ist_guard},
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(kind, kinds[i].name)) {
			kinds[i].fn();
			return;
		}
	pr_err("test_fault: unknown kind '%s' (pagefault, divide, ud, stack, write_text, exec_data, "
	       "console_locked, ist_guard)",
	       kind);
}
