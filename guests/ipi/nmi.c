/*
 * NMIs within the cell (docs/ivc.md, "NMIs"): an NMI sent while the NMI handler runs is held until the
 * handler's IRET, then delivered once; it never nests. The handler counts its depth, stamps entry and exit
 * with a per-CPU clock, and on its first run (nmi_mode) makes the second NMI arrive while it is running:
 *
 * - nmi_self_not_nested: CPU 0 sends itself an NMI (shorthand self); the handler sends itself another and
 *   spins with forced exits (each one a chance to inject it). Exactly 2 handlers, depth never above 1,
 *   the second entered after the first left.
 * - nmi_remote_not_nested: CPU 0 sends an NMI to CPU 1 (physical destination); its handler waits until
 *   CPU 0 has sent two more, then spins with forced exits. The two sent during the handler make one
 *   (the CPU latches one NMI): exactly 2 handlers, depth 1, in sequence.
 */
#include <guest/irq.h>
#include <guest/print.h>
#include <guest/test.h>
#include "ipi.h"

enum { NMI_PLAIN, NMI_SEND_SELF, NMI_WAIT_SENT };

static void nmi_handler(void)
{
	struct ipi_cpu *me = &ipi_cpus[cpu_current()];
	uint32_t n = ++me->nmi_count;
	uint32_t depth = ++me->nmi_depth;

	if (depth > me->nmi_max_depth)
		me->nmi_max_depth = depth;
	if (n <= 4)
		me->nmi_enter[n - 1] = ++me->nmi_clock;
	if (n == 1 && me->nmi_mode == NMI_SEND_SELF) {
		lapic_send_icr(0, LAPIC_ICR_NMI | LAPIC_ICR_SELF);
		ipi_spin_us(2000);
	} else if (n == 1 && me->nmi_mode == NMI_WAIT_SENT) {
		__atomic_store_n(&me->nmi_in_handler, 1, __ATOMIC_RELEASE);
		ipi_wait_eq(&me->nmi_sent, 1, 2000);
		ipi_spin_us(2000);
	}
	if (n <= 4)
		me->nmi_leave[n - 1] = ++me->nmi_clock;
	me->nmi_depth--;
}

/* Wait for the two handlers (and a while longer for a third that must not come), then check. */
static void nmi_check(const char *name, unsigned int cpu, bool setup_ok)
{
	struct ipi_cpu *c = &ipi_cpus[cpu];
	bool ok;

	ipi_wait_eq(&c->nmi_count, 2, 2000);
	ipi_spin_us(20000);
	printf("nmi: cpu%u took %u NMIs, deepest nesting %u, first in %u-%u, second in %u-%u\n", cpu,
	       c->nmi_count, c->nmi_max_depth, c->nmi_enter[0], c->nmi_leave[0], c->nmi_enter[1],
	       c->nmi_leave[1]);
	ok = setup_ok && c->nmi_count == 2 && c->nmi_max_depth == 1 && c->nmi_enter[1] > c->nmi_leave[0];
	test_report(name, ok, "%u NMIs (want 2), nesting %u (want 1), second entered at %u, first left at %u",
		    c->nmi_count, c->nmi_max_depth, c->nmi_enter[1], c->nmi_leave[0]);
}

void nmi_tests(void)
{
	struct ipi_cpu *t = &ipi_cpus[1];
	bool in;

	irq_set_nmi_handler(nmi_handler);

	ipi_cpus[0].nmi_mode = NMI_SEND_SELF;
	lapic_send_icr(0, LAPIC_ICR_NMI | LAPIC_ICR_SELF);
	nmi_check("nmi_self_not_nested", 0, true);

	t->nmi_mode = NMI_WAIT_SENT;
	lapic_send_icr(t->apic_id, LAPIC_ICR_NMI);
	in = ipi_wait_eq(&t->nmi_in_handler, 1, 2000);
	lapic_send_icr(t->apic_id, LAPIC_ICR_NMI);
	lapic_send_icr(t->apic_id, LAPIC_ICR_NMI);
	__atomic_store_n(&t->nmi_sent, 1, __ATOMIC_RELEASE);
	nmi_check("nmi_remote_not_nested", 1, in);
}
