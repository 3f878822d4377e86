/*
 * Fatal exceptions in the hypervisor: one dump, kept whole under the console lock when it can be had
 * (vector, registers, control registers, backtrace), then the machine stops with TESSERA_EXIT_FAULT.
 */
#include <tessera/console.h>
#include <tessera/format.h>
#include <tessera/string.h>
#include "cpu.h"
#include "exception.h"

static const char *const vector_names[32][2] = {
	{"DE", "divide error"},
	{"DB", "debug"},
	{"NMI", "non-maskable interrupt"},
	{"BP", "breakpoint"},
	{"OF", "overflow"},
	{"BR", "bound range exceeded"},
	{"UD", "invalid opcode"},
	{"NM", "device not available"},
	{"DF", "double fault"},
	{"CSO", "coprocessor segment overrun"},
	{"TS", "invalid TSS"},
	{"NP", "segment not present"},
	{"SS", "stack-segment fault"},
	{"GP", "general protection fault"},
	{"PF", "page fault"},
	{"RES15", "reserved vector 15"},
	{"MF", "x87 floating-point error"},
	{"AC", "alignment check"},
	{"MC", "machine check"},
	{"XM", "SIMD floating-point error"},
	{"VE", "virtualization exception"},
	{"CP", "control protection"},
	{"RES22", "reserved vector 22"},
	{"RES23", "reserved vector 23"},
	{"RES24", "reserved vector 24"},
	{"RES25", "reserved vector 25"},
	{"RES26", "reserved vector 26"},
	{"RES27", "reserved vector 27"},
	{"HV", "hypervisor injection"},
	{"VC", "VMM communication"},
	{"SX", "security exception"},
	{"RES31", "reserved vector 31"},
};

typedef unsigned long long ull;

const char *x86_vector_mnemonic(unsigned int vector)
{
	return vector < 32 ? vector_names[vector][0] : "INTR";
}

static uint64_t nmi_count;

uint64_t x86_nmi_count(void)
{
	return __atomic_load_n(&nmi_count, __ATOMIC_RELAXED);
}

/*
 * Physical NMIs (a watchdog, a board's NMI button, QEMU's `nmi` command) are intercepted while a cell
 * runs and taken here once the host sets GIF again, or directly when the CPU is in host mode. The
 * hypervisor sends none itself, so there is nothing to act on: count, tell once, return. The report
 * never waits for the console lock, which the interrupted code may hold: it is left for the holder.
 */
void x86_nmi(void)
{
	if (__atomic_fetch_add(&nmi_count, 1, __ATOMIC_RELAXED) == 0) {
		char line[96];
		int n = format_snprintf(
			line, sizeof(line),
			"[cpu%u] NMI taken by the hypervisor: counted and ignored (reported once)\n",
			this_cpu()->id);
		console_write_line_nowait(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	}
}

__noreturn void x86_exception(struct x86_regs *r)
{
	struct x86_cpu *cpu = this_cpu();
	unsigned int id = cpu->id, v = (unsigned int)(r->vector & 31);
	uint64_t cr2 = read_cr2();

	if (__atomic_exchange_n(&cpu->in_fault, 1, __ATOMIC_ACQ_REL)) {
		/* A fault inside the dump itself: the console lock may be ours, so write without it. */
		static const char msg[] = "\nFATAL: nested exception while dumping an exception\n";
		console_write_raw(msg, sizeof(msg) - 1);
		arch_machine_stop(TESSERA_EXIT_FAULT);
	}

	/*
	 * The fault may have hit this CPU while it held the console lock (inside a print): waiting for the
	 * lock would then deadlock. Wait a bounded time and print anyway after it, accepting that the dump
	 * may interleave with another CPU's line rather than never appear.
	 */
	unsigned long flags;
	if (!console_lock_bounded(&flags)) {
		static const char msg[] = "\n(console lock not released: dumping without it)\n";
		console_write_raw(msg, sizeof(msg) - 1);
	}
	console_printf_locked("[cpu%u] FATAL: #%s %s at RIP 0x%llx (error code 0x%llx)", id,
			      vector_names[v][0], vector_names[v][1], (ull)r->rip, (ull)r->error_code);
	if (v == 14)
		console_printf_locked(" CR2 0x%llx", (ull)cr2);
	console_printf_locked("\n");
	console_printf_locked("[cpu%u] RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n", id, (ull)r->rax,
			      (ull)r->rbx, (ull)r->rcx, (ull)r->rdx);
	console_printf_locked("[cpu%u] RSI %016llx RDI %016llx RBP %016llx R8  %016llx\n", id, (ull)r->rsi,
			      (ull)r->rdi, (ull)r->rbp, (ull)r->r8);
	console_printf_locked("[cpu%u] R9  %016llx R10 %016llx R11 %016llx R12 %016llx\n", id, (ull)r->r9,
			      (ull)r->r10, (ull)r->r11, (ull)r->r12);
	console_printf_locked("[cpu%u] R13 %016llx R14 %016llx R15 %016llx\n", id, (ull)r->r13, (ull)r->r14,
			      (ull)r->r15);
	console_printf_locked("[cpu%u] RIP %016llx RSP %016llx RFLAGS %08llx CS %04llx SS %04llx\n", id,
			      (ull)r->rip, (ull)r->rsp, (ull)r->rflags, (ull)r->cs, (ull)r->ss);
	console_printf_locked("[cpu%u] CR0 %016llx CR2 %016llx CR3 %016llx CR4 %016llx\n", id,
			      (ull)read_cr0(), (ull)cr2, (ull)read_cr3(), (ull)read_cr4());
	x86_backtrace_locked(r->rip, r->rbp);
	arch_machine_stop(TESSERA_EXIT_FAULT);
}
