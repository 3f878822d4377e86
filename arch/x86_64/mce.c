/*
 * The hypervisor's #MC handler and the bank reader behind it (docs/machine-checks.md). The #MC vector has
 * its own IST stack (percpu.c, idt.c) and stub (exceptions.S): it is taken on any stack, in any code,
 * including while the CPU sleeps in HLT with interrupts off. Each valid bank becomes one struct
 * mce_record, classified here and passed to the hw_error hook point; the core attributes and acts.
 *
 * The same reader serves the polls: under QEMU's TCG a machine check raised while a guest runs goes
 * through the guest's IDT instead of exiting (docs/machine-checks.md), and a corrected error raises no #MC at
 * all; both wait in the banks until the hypervisor looks. A poll that finds MCG_STATUS.MCIP set knows
 * the #MC was signalled but never reached this handler (which clears MCIP): it went into the guest.
 */
#include <tessera/arch.h>
#include <tessera/console.h>
#include <tessera/error.h>
#include <tessera/hooks.h>
#include <tessera/mce.h>
#include "cpu.h"
#include "exception.h"
#include "io.h"
#include "mce.h"

#define CPUID1_EDX_MCE (1u << 7)
#define CPUID1_EDX_MCA (1u << 14)

static unsigned int nr_banks;
static bool ser;
/* Per CPU: #MC handler entries, so that a poll it interrupted drops the bank the handler took. */
static uint32_t mc_entries[HV_MAX_CPUS];

void x86_mce_init(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	if ((d & (CPUID1_EDX_MCE | CPUID1_EDX_MCA)) != (CPUID1_EDX_MCE | CPUID1_EDX_MCA))
		return;
	uint64_t cap = rdmsr(MSR_MCG_CAP);
	nr_banks = (unsigned int)MIN(cap & MCG_CAP_COUNT, (uint64_t)MCE_MAX_BANKS);
	ser = cap & MCG_SER_P;
}

/* The banks cells see (virtual MCA) and a plan may name: the machine's, or two on a CPU without MCA
 * so that the software path still runs. */
unsigned int x86_mce_banks(void)
{
	return nr_banks ? nr_banks : 2;
}

static uint32_t bank_msr(unsigned int bank, unsigned int reg)
{
	return MSR_MC_BANKS + 4 * bank + reg;
}

/* The record of one bank's contents, classified; false if the bank holds nothing. */
static bool record_build(struct mce_record *r, unsigned int cpu, unsigned int bank, uint64_t status,
			 uint64_t addr, uint64_t misc, uint64_t mcg_status)
{
	int sev = x86_mce_classify(ser, mcg_status, status);

	if (sev == MCE_SEV_NONE)
		return false;
	*r = (struct mce_record){
		.cpu = cpu,
		.bank = bank,
		.status = status,
		.addr = status & MCI_STATUS_ADDRV ? addr : 0,
		.misc = status & MCI_STATUS_MISCV ? misc : 0,
		.mcg_status = mcg_status,
		.severity = (uint8_t)sev,
		.addr_valid = status & MCI_STATUS_ADDRV,
	};
	return true;
}

/* Read, clear and pass on every valid bank of this CPU. `entries`: mc_entries when the caller started,
 * ~0 in the handler itself (nothing can take a bank from under it). */
static unsigned int banks_collect(uint64_t mcg_status, bool in_guest, uint32_t entries)
{
	unsigned int cpu = arch_cpu_id(), n = 0;
	struct mce_record r;

	for (unsigned int b = 0; b < nr_banks; b++) {
		uint64_t status = rdmsr(bank_msr(b, MCE_BANK_STATUS));
		if (!(status & MCI_STATUS_VAL))
			continue;
		uint64_t addr = status & MCI_STATUS_ADDRV ? rdmsr(bank_msr(b, MCE_BANK_ADDR)) : 0;
		uint64_t misc = status & MCI_STATUS_MISCV ? rdmsr(bank_msr(b, MCE_BANK_MISC)) : 0;
		if (entries != ~0u && __atomic_load_n(&mc_entries[cpu], __ATOMIC_ACQUIRE) != entries)
			return n; /* an #MC came meanwhile and took the banks */
		wrmsr(bank_msr(b, MCE_BANK_STATUS), 0);
		if (!record_build(&r, cpu, b, status, addr, misc, mcg_status))
			continue;
		/* Only a signalled uncorrected error can have gone through the guest's IDT. */
		r.in_guest = in_guest && (status & MCI_STATUS_UC);
		hook_hw_error(&r);
		n++;
	}
	return n;
}

/* From the #MC stub (exceptions.S) on the MC IST stack; returns to the interrupted code. */
void x86_machine_check(struct x86_regs *regs)
{
	unsigned int cpu = arch_cpu_id();
	uint64_t mcg_status = nr_banks ? rdmsr(MSR_MCG_STATUS) : 0;

	__atomic_fetch_add(&mc_entries[cpu], 1, __ATOMIC_ACQ_REL);
	banks_collect(mcg_status, false, ~0u);
	if (!(mcg_status & MCG_STATUS_RIPV)) {
		/* The hypervisor code it interrupted cannot go on (the CPU says so). The lock is waited for a
		 * bounded time only: the interrupted code may hold it. */
		unsigned long flags;
		if (!console_lock_bounded(&flags))
			console_printf_locked("\n(console lock not released: reporting without it)\n");
		console_printf_locked("[cpu%u] PANIC: machine check at RIP %#llx with MCG_STATUS %#llx: RIPV "
				      "clear, the interrupted hypervisor code cannot be resumed\n",
				      cpu, (unsigned long long)regs->rip, (unsigned long long)mcg_status);
		arch_machine_stop(TESSERA_EXIT_PANIC);
	}
	/* MCIP cleared: a second machine check while it is set resets the machine. */
	wrmsr(MSR_MCG_STATUS, 0);
}

unsigned int x86_mce_poll(bool intercepted)
{
	if (!nr_banks)
		return 0;
	unsigned int cpu = arch_cpu_id();
	uint32_t entries = __atomic_load_n(&mc_entries[cpu], __ATOMIC_ACQUIRE);
	uint64_t mcg_status = rdmsr(MSR_MCG_STATUS);
	unsigned int n = banks_collect(mcg_status, (mcg_status & MCG_STATUS_MCIP) && !intercepted, entries);

	if (mcg_status & MCG_STATUS_MCIP)
		wrmsr(MSR_MCG_STATUS, 0);
	return n;
}

/*
 * The idle loops' poll (core/vcpu.c, the halted vCPU's wait): corrected errors raise no #MC and wait in
 * the banks, so they are looked for on a period, not on every wake. Reading every bank is a dozen MSR
 * reads; a woken receiver of a doorbell paid them on its way back into the guest (docs/performance.md).
 * An uncorrected error needs no poll: its #MC handler has already queued the records.
 */
#define MCE_POLL_PERIOD_US 10000

static uint64_t next_poll[HV_MAX_CPUS];

void arch_mce_poll(void)
{
	static uint64_t period;
	unsigned int cpu = arch_cpu_id();
	uint64_t now = arch_timestamp();

	if (!nr_banks || now < next_poll[cpu])
		return;
	if (!period)
		period = MAX(arch_timestamp_hz() / 1000000 * MCE_POLL_PERIOD_US, 1);
	next_poll[cpu] = now + period;
	x86_mce_poll(false);
}

int arch_mce_synthesize(unsigned int cpu, unsigned int bank, uint64_t status, uint64_t addr, uint64_t misc,
			uint64_t mcg_status)
{
	struct mce_record r;

	if (cpu >= arch_cpu_count() || bank >= x86_mce_banks())
		return -HV_EINVAL;
	if (!record_build(&r, cpu, bank, status, addr, misc, mcg_status))
		return -HV_EINVAL; /* VAL clear: there is nothing to report */
	r.software = true;
	hook_hw_error(&r);
	mce_drain();
	return 0;
}
