/*
 * hostile: an inmate that abuses what its config grants, one attack per word in its args, so that
 * integration tests (tests/integration/hostile_test.c) can check that the hypervisor holds:
 *   straddle  console_write of a buffer that runs 100 bytes past the end of the cell's lowest region:
 *             nothing may be printed, the call must fail
 *   stats     cell_stats into a buffer that runs past that end: nothing may be written
 *   doorbell  ring a cell the config does not list (a violation reported with the RIP)
 *   efer      write EFER with a reserved bit (needs EFER write granted): must raise #GP in the cell
 *   debug     single-step one instruction with RFLAGS.TF: the #DB must come back to the cell
 *   badcr0    set CR0.NW without CD: the CPU's answer is #GP, which the cell must get (it used to reach
 *             the VMCB, and VMRUN refused it)
 *   badcs     run on a code segment with both L and D set, a state VMRUN refuses (QEMU loads it): the
 *             cell is stopped and the report must keep the RIP
 *   idt_outside    point the IDT outside the cell's memory, then raise #UD: every delivery faults again
 *             (#UD, #PF, #DF): the hypervisor must escalate to a triple fault and fail the cell alone
 *   stack_outside  the same with the stack pointer outside the cell (the delivery's pushes fault)
 *   apic_idt  the IDT in the emulated local APIC page: a delivery's access is not emulated, same ending
 *   nomce     clear CR4.MCE (before wait=N): the cell must read it back clear, while the hypervisor keeps
 *             it set underneath, so that a machine check QEMU delivers into the cell does not reset the
 *             whole machine
 *   wait=N    spin about N million iterations (for a test to act meanwhile, e.g. send an NMI)
 * Every check prints "hostile: <name>: ok" or "hostile: <name>: BAD ..."; main returns 0.
 */
#include <guest/fault.h>
#include <guest/hypercall.h>
#include <guest/print.h>
#include <guest/runtime.h>

#define MSR_EFER	0xc0000080u
#define EFER_RESERVED20 (1u << 20)

static uint64_t region_end(const struct tessera_cell_boot_info *info)
{
	return info->regions[0].guest_addr + info->regions[0].size;
}

static void attack_straddle(const struct tessera_cell_boot_info *info)
{
	char *buf = (char *)(uintptr_t)(region_end(info) - 300);

	for (int i = 0; i < 300; i++)
		buf[i] = (i % 60 == 59) ? '\n' : 'Z';
	int64_t r = hypercall_console_write(buf, 400);
	printf("hostile: straddle: %s (console_write returned %ld)\n", r < 0 ? "ok" : "BAD", (long)r);
}

static void attack_stats(const struct tessera_cell_boot_info *info)
{
	volatile uint8_t *tail = (volatile uint8_t *)(uintptr_t)(region_end(info) - 8);
	bool untouched = true;

	for (int i = 0; i < 8; i++)
		tail[i] = 0xa5;
	int64_t r = hypercall_cell_stats((uint64_t)hypercall_cell_id(), (void *)(uintptr_t)tail,
					 sizeof(struct tessera_cell_stats));
	for (int i = 0; i < 8; i++)
		untouched &= tail[i] == 0xa5;
	printf("hostile: stats: %s (cell_stats returned %ld, the 8 bytes in the cell %s)\n",
	       r < 0 && untouched ? "ok" : "BAD", (long)r, untouched ? "untouched" : "overwritten");
}

static uint64_t write_bad_efer(void *arg)
{
	uint32_t lo, hi;

	(void)arg;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_EFER));
	__asm__ volatile("wrmsr" : : "a"(lo | EFER_RESERVED20), "d"(hi), "c"(MSR_EFER));
	return 0;
}

static void attack_efer(void)
{
	struct fault_info fi;

	bool faulted = fault_try(write_bad_efer, NULL, &fi);
	printf("hostile: efer: %s (%s)\n", faulted && fi.vector == VEC_GP ? "ok" : "BAD",
	       faulted ? fault_name(fi.vector) : "no fault");
}

static uint64_t single_step(void *arg)
{
	(void)arg;
	/* Set TF: the instruction after POPF completes, then #DB. */
	__asm__ volatile("pushfq; orq $0x100, (%%rsp); popfq; nop; nop" ::: "memory", "cc");
	return 0;
}

static void attack_debug(void)
{
	struct fault_info fi;

	bool faulted = fault_try(single_step, NULL, &fi);
	/* The handler resumes with the flags fault_try was entered with: TF is clear again. */
	printf("hostile: debug: %s (%s)\n", faulted && fi.vector == VEC_DB ? "ok" : "BAD",
	       faulted ? fault_name(fi.vector) : "no fault");
}

static uint64_t set_nw(void *arg)
{
	uint64_t cr0;

	(void)arg;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | 1ULL << 29));
	return 0;
}

static void attack_badcr0(void)
{
	struct fault_info fi;

	bool faulted = fault_try(set_nw, NULL, &fi);
	printf("hostile: badcr0: %s (%s)\n", faulted && fi.vector == VEC_GP ? "ok" : "BAD",
	       faulted ? fault_name(fi.vector) : "no fault");
}

/* The runtime's user code descriptor (0x20) becomes DPL-0 code with L and D set; CS is loaded with it. */
static void attack_badcs(void)
{
	printf("hostile: badcs: CS with L and D\n");
	print_flush();
	runtime_gdt[4] = 0x00ef9a000000ffffULL;
	__asm__ volatile("pushq $0x20; lea 1f(%%rip), %%rax; pushq %%rax; lretq; 1:" ::: "rax", "memory");
	hypercall_nop();
	printf("hostile: badcs: BAD, still running\n");
}

/* Loads an IDT at `base` and raises #UD: never returns if the hypervisor escalates as it must. */
static void attack_idt_at(const char *name, uint64_t base)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed idtr = {0xfff, base};

	printf("hostile: %s: IDT at %#lx, then ud2\n", name, base);
	print_flush();
	__asm__ volatile("lidt %0; ud2" ::"m"(idtr) : "memory");
	printf("hostile: %s: BAD, still running\n", name);
}

static void attack_stack_outside(uint64_t sp)
{
	printf("hostile: stack_outside: RSP at %#lx, then ud2\n", sp);
	print_flush();
	__asm__ volatile("mov %0, %%rsp; ud2" ::"r"(sp) : "memory");
	printf("hostile: stack_outside: BAD, still running\n");
}

int main(const struct tessera_cell_boot_info *info)
{
	if (args_get("straddle", NULL, NULL))
		attack_straddle(info);
	if (args_get("stats", NULL, NULL))
		attack_stats(info);
	if (args_get("doorbell", NULL, NULL))
		printf("hostile: doorbell: returned %ld\n",
		       (long)hypercall(TESSERA_HC_DOORBELL_RING, 0, 0, 0, 0));
	if (args_get("efer", NULL, NULL))
		attack_efer();
	if (args_get("debug", NULL, NULL))
		attack_debug();
	if (args_get("nomce", NULL, NULL)) {
		uint64_t cr4;
		__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
		__asm__ volatile("mov %0, %%cr4" ::"r"(cr4 & ~(1ULL << 6)));
		__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
		printf("hostile: nomce: %s (CR4 %#lx)\n", cr4 & (1ULL << 6) ? "BAD" : "ok", cr4);
	}
	uint64_t wait = args_number("wait", 0);
	if (wait) {
		printf("hostile: waiting\n");
		print_flush();
		for (uint64_t i = 0; i < wait * 1000000; i++)
			cpu_relax();
		printf("hostile: waited\n");
	}
	if (args_get("badcr0", NULL, NULL))
		attack_badcr0();
	if (args_get("badcs", NULL, NULL))
		attack_badcs();
	/* 1 GiB: inside the runtime's identity map, far outside the cell's RAM (a test config keeps it so). */
	if (args_get("idt_outside", NULL, NULL))
		attack_idt_at("idt_outside", 0x40000000);
	if (args_get("apic_idt", NULL, NULL))
		attack_idt_at("apic_idt", 0xfee00000);
	if (args_get("stack_outside", NULL, NULL))
		attack_stack_outside(0x40001000);
	printf("hostile: done\n");
	return 0;
}
