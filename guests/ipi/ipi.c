/*
 * ipi: interrupts among the CPUs of one cell, end to end, through the emulated xAPIC (docs/ivc.md).
 * Needs 2 or more CPUs (configs/ipi.yaml gives 3); args: n=N fixed IPIs per serving CPU (default 2000).
 *
 * - ipi_fixed_cpuK: N fixed IPIs (V_FIXED) to CPU K's APIC ID, each waited for: CPU K took exactly N,
 *   every other CPU (CPU 0, the sender, included, with interrupts on) none.
 * - ipi_pending_once_in_priority_order: 0x52, 0x51, 0x53, 0x52, 0x5f sent to CPU 1 while it has
 *   interrupts off: nothing is taken before it enables them; then each vector exactly once, highest first
 *   (0x5f 0x53 0x52 0x51). "Once" is the APIC's IRR: one bit per vector, so 0x52 sent twice before it is
 *   taken is one pending interrupt, as on hardware; a vector sent after it was taken would be taken again.
 * - ipi_tpr_masks_class / ipi_tpr_lowered_delivers: CPU 1 at TPR 0x50 takes 0x65 but holds 0x45 and 0x55
 *   (both still in its IRR); TPR 0x40 delivers 0x55 only, TPR 0 then 0x45; each exactly once.
 * - ipi_self_shorthand, ipi_self_physical: a self-IPI by the "self" shorthand and by the own APIC ID
 *   reaches CPU 0 once and no other CPU.
 * - ipi_all_but_self_shorthand, ipi_all_shorthand: every other CPU once, CPU 0 not / every CPU once.
 * - NMIs: nmi.c.
 */
#include <guest/irq.h>
#include <guest/print.h>
#include <guest/test.h>
#include <tessera/format.h>
#include "ipi.h"

#define WAIT_MS 2000 /* for one interrupt: far beyond what it takes, even under TCG on a loaded host */

static const unsigned int test_vectors[] = {V_WAKE, V_FIXED,  0x51,  0x52,	0x53,	  0x5f,	   V_PHYS,
					    V_SELF, V_OTHERS, V_ALL, V_TPR_LOW, V_TPR_EQ, V_TPR_HI};

static bool servers_up(void)
{
	for (unsigned int c = 1; c < ipi_nr_cpus; c++)
		if (!ipi_wait_eq(&ipi_cpus[c].stage, 0xff, 5000))
			return false;
	return true;
}

/* (a) N fixed IPIs to CPU `t`, each waited for; CPU 0 keeps interrupts on so a stray one would count. */
static void fixed_to_one_cpu(unsigned int t, uint32_t n)
{
	uint32_t before[RUNTIME_MAX_CPUS], got, strays = 0;
	char name[32];

	for (unsigned int c = 0; c < ipi_nr_cpus; c++)
		before[c] = ipi_cpus[c].hits[V_FIXED];
	irq_enable();
	for (uint32_t i = 0; i < n; i++) {
		uint32_t next = ipi_cpus[t].hits[V_FIXED] + 1;
		lapic_send_ipi(ipi_cpus[t].apic_id, V_FIXED);
		if (!ipi_wait_eq(&ipi_cpus[t].hits[V_FIXED], next, WAIT_MS))
			break; /* lost (or doubled): the count below tells */
	}
	ipi_spin_us(10000);
	irq_disable();
	got = ipi_cpus[t].hits[V_FIXED] - before[t];
	for (unsigned int c = 0; c < ipi_nr_cpus; c++)
		if (c != t)
			strays += ipi_cpus[c].hits[V_FIXED] - before[c];
	printf("ipi: cpu%u (APIC %u) took %u of %u fixed IPIs %#x; other CPUs took %u\n", t,
	       ipi_cpus[t].apic_id, got, n, V_FIXED, strays);
	format_snprintf(name, sizeof(name), "ipi_fixed_cpu%u", t);
	test_report(name, got == n && strays == 0, "cpu%u took %u of %u, other CPUs %u", t, got, n, strays);
}

/* (b) several vectors while the target has interrupts off */
static void pending_once_in_order(void)
{
	static const uint8_t sent[] = {0x52, 0x51, 0x53, 0x52, 0x5f}, want[] = {0x5f, 0x53, 0x52, 0x51};
	struct ipi_cpu *t = &ipi_cpus[1];
	bool ok;

	ipi_command(1, CMD_IF_OFF);
	ok = ipi_wait_eq(&t->stage, 1, 5000);
	for (unsigned int i = 0; i < sizeof(sent); i++)
		lapic_send_ipi(t->apic_id, sent[i]);
	__atomic_store_n(&t->release, 1, __ATOMIC_RELEASE);
	ok = ipi_command_done(1, 10000) && ok;
	printf("ipi: sent 0x52 0x51 0x53 0x52 0x5f with interrupts off on cpu1: %u taken before STI, then "
	       "0x51 x%u 0x52 x%u 0x53 x%u 0x5f x%u, order:",
	       t->hits_before_sti, t->hits[0x51], t->hits[0x52], t->hits[0x53], t->hits[0x5f]);
	for (uint32_t i = 0; i < t->nr_order; i++)
		printf(" %#x", t->order[i]);
	printf("\n");
	ok = ok && t->hits_before_sti == 0 && t->nr_order == sizeof(want);
	for (unsigned int i = 0; ok && i < sizeof(want); i++)
		ok = t->order[i] == want[i] && t->hits[want[i]] == 1;
	test_report("ipi_pending_once_in_priority_order", ok,
		    "%u before STI, %u taken after (want 0 then 4: 0x5f 0x53 0x52 0x51)", t->hits_before_sti,
		    t->nr_order);
}

/* (c) TPR masking on CPU 1 */
static void tpr_masking(void)
{
	struct ipi_cpu *t = &ipi_cpus[1];
	uint32_t(*h)[3] = t->tpr_hits;
	bool done;

	ipi_command(1, CMD_TPR);
	done = ipi_wait_eq(&t->stage, 1, 5000);
	lapic_send_ipi(t->apic_id, V_TPR_LOW);
	lapic_send_ipi(t->apic_id, V_TPR_EQ);
	lapic_send_ipi(t->apic_id, V_TPR_HI);
	__atomic_store_n(&t->release, 1, __ATOMIC_RELEASE);
	done = ipi_command_done(1, 10000) && done;
	printf("ipi: cpu1 took 0x45/0x55/0x65: %u/%u/%u at TPR 0x50 (IRR 0x45 %d 0x55 %d), %u/%u/%u at "
	       "TPR 0x40, %u/%u/%u at TPR 0\n",
	       h[0][0], h[0][1], h[0][2], t->tpr_irr_low, t->tpr_irr_eq, h[1][0], h[1][1], h[1][2], h[2][0],
	       h[2][1], h[2][2]);
	test_report("ipi_tpr_masks_class",
		    done && h[0][0] == 0 && h[0][1] == 0 && h[0][2] == 1 && t->tpr_irr_low && t->tpr_irr_eq,
		    "at TPR 0x50: 0x45 x%u 0x55 x%u 0x65 x%u (want 0 0 1, 0x45 and 0x55 pending)", h[0][0],
		    h[0][1], h[0][2]);
	test_report("ipi_tpr_lowered_delivers",
		    done && h[1][0] == 0 && h[1][1] == 1 && h[2][0] == 1 && h[2][1] == 1 && h[2][2] == 1,
		    "TPR 0x40: 0x45 x%u 0x55 x%u (want 0 1); TPR 0: 0x45 x%u (want 1)", h[1][0], h[1][1],
		    h[2][0]);
}

/* (d) Send `icr_lo` from CPU 0 with interrupts on, then check that exactly the CPUs in `want` took it once. */
static void shorthand(const char *name, uint32_t dest, uint32_t icr_lo, uint64_t want)
{
	unsigned int vector = icr_lo & 0xff;
	uint32_t before[RUNTIME_MAX_CPUS];
	bool ok = true;

	for (unsigned int c = 0; c < ipi_nr_cpus; c++)
		before[c] = ipi_cpus[c].hits[vector];
	irq_enable();
	lapic_send_icr(dest, icr_lo);
	for (unsigned int c = 0; c < ipi_nr_cpus; c++)
		if (want & (1ULL << c))
			ipi_wait_eq(&ipi_cpus[c].hits[vector], before[c] + 1, WAIT_MS);
	ipi_spin_us(10000);
	irq_disable();
	printf("ipi: %s (vector %#x) taken by CPUs:", name, vector);
	for (unsigned int c = 0; c < ipi_nr_cpus; c++) {
		uint32_t got = ipi_cpus[c].hits[vector] - before[c];
		printf(" cpu%u x%u", c, got);
		ok = ok && got == ((want & (1ULL << c)) ? 1 : 0);
	}
	printf("\n");
	test_report(name, ok, "the wrong CPUs or counts (see the line above)");
}

int main(const struct tessera_cell_boot_info *info)
{
	uint32_t n = (uint32_t)args_number("n", 2000);
	uint64_t all = (1ULL << info->nr_cpus) - 1;

	ipi_nr_cpus = info->nr_cpus;
	irq_cpu_init();
	for (unsigned int i = 0; i < sizeof(test_vectors) / sizeof(test_vectors[0]); i++)
		irq_set_handler(test_vectors[i], ipi_count, NULL);
	ipi_cpus[0].apic_id = lapic_id();
	if (ipi_nr_cpus < 2 ||
	    !test_report("ipi_servers_up", servers_up(), "a CPU of the cell did not start")) {
		printf("ipi: needs 2 or more CPUs, has %u\n", ipi_nr_cpus);
		return test_summary() ? 1 : 2;
	}
	for (unsigned int c = 1; c < ipi_nr_cpus; c++)
		fixed_to_one_cpu(c, n);
	pending_once_in_order();
	tpr_masking();
	shorthand("ipi_self_shorthand", 0, LAPIC_ICR_FIXED | LAPIC_ICR_SELF | V_SELF, 1);
	shorthand("ipi_self_physical", ipi_cpus[0].apic_id, LAPIC_ICR_FIXED | V_PHYS, 1);
	shorthand("ipi_all_but_self_shorthand", 0, LAPIC_ICR_FIXED | LAPIC_ICR_ALL_BUT_SELF | V_OTHERS,
		  all & ~1ULL);
	shorthand("ipi_all_shorthand", 0, LAPIC_ICR_FIXED | LAPIC_ICR_ALL | V_ALL, all);
	nmi_tests();
	return test_summary() ? 1 : 0;
}
