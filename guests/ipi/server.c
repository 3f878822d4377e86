/*
 * The serving CPUs of the ipi inmate and the helpers CPU 0 drives them with (ipi.h). A server halts with
 * interrupts enabled (cpu_wait_for_interrupt), so every interrupt it takes is counted by ipi_count on its
 * own CPU; CPU 0 wakes it with V_WAKE when it has a command for it.
 */
#include <guest/irq.h>
#include "ipi.h"

#define APIC_TPR 0x080
#define APIC_IRR 0x200

struct ipi_cpu ipi_cpus[RUNTIME_MAX_CPUS];
unsigned int ipi_nr_cpus;

void ipi_count(unsigned int vector, void *ctx)
{
	struct ipi_cpu *me = &ipi_cpus[cpu_current()];

	(void)ctx;
	me->hits[vector]++;
	if (me->nr_order < ORDER_MAX)
		me->order[me->nr_order++] = (uint8_t)vector;
}

bool ipi_wait_eq(volatile uint32_t *p, uint32_t want, uint64_t ms)
{
	uint64_t t0 = rdtsc(), limit = tsc_hz() / 1000 * ms;

	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != want)
		if (rdtsc() - t0 > limit)
			return false;
		else
			cpu_relax();
	return true;
}

void ipi_spin_us(uint64_t us)
{
	uint64_t t0 = rdtsc(), limit = tsc_hz() / 1000000 * us;

	while (rdtsc() - t0 < limit)
		(void)lapic_read(
			APIC_TPR); /* an exit: the hypervisor injects whatever it may before resuming */
}

void ipi_command(unsigned int cpu, enum ipi_cmd cmd)
{
	struct ipi_cpu *c = &ipi_cpus[cpu];

	c->stage = 0;
	c->release = 0;
	c->cmd = cmd;
	__atomic_store_n(&c->cmd_seq, c->cmd_seq + 1, __ATOMIC_RELEASE);
	lapic_send_ipi(c->apic_id, V_WAKE);
}

bool ipi_command_done(unsigned int cpu, uint64_t ms)
{
	return ipi_wait_eq(&ipi_cpus[cpu].done_seq, ipi_cpus[cpu].cmd_seq, ms);
}

static bool irr_has(unsigned int vector)
{
	return lapic_read(APIC_IRR + vector / 32 * 0x10) & (1u << (vector % 32));
}

/* Test (b): IPIs arrive while interrupts are off; once they are on, each pending vector is taken once. */
static void cmd_if_off(struct ipi_cpu *me)
{
	me->nr_order = 0;
	__atomic_store_n(&me->stage, 1, __ATOMIC_RELEASE); /* interrupts are off (since the wait) */
	ipi_wait_eq(&me->release, 1, 5000);
	me->hits_before_sti = me->hits[0x51] + me->hits[0x52] + me->hits[0x53] + me->hits[0x5f];
	irq_enable();
	ipi_spin_us(20000); /* time for all of them, and for a duplicate if there were one */
	irq_disable();
}

static void tpr_snapshot(struct ipi_cpu *me, unsigned int step)
{
	me->tpr_hits[step][0] = me->hits[V_TPR_LOW];
	me->tpr_hits[step][1] = me->hits[V_TPR_EQ];
	me->tpr_hits[step][2] = me->hits[V_TPR_HI];
}

/*
 * Test (c): with TPR 0x50 and interrupts on, CPU 0 sends LOW (class 4), EQ (class 5) and HI (class 6).
 * HI is taken; LOW and EQ wait in IRR. TPR 0x40 lets EQ in, TPR 0 then LOW.
 */
static void cmd_tpr(struct ipi_cpu *me)
{
	lapic_write(APIC_TPR, 0x50);
	irq_enable();
	__atomic_store_n(&me->stage, 1, __ATOMIC_RELEASE);
	ipi_wait_eq(&me->release, 1, 5000); /* CPU 0 has sent all three */
	ipi_wait_eq(&me->hits[V_TPR_HI], 1, 2000);
	ipi_spin_us(5000);
	tpr_snapshot(me, 0);
	me->tpr_irr_low = irr_has(V_TPR_LOW);
	me->tpr_irr_eq = irr_has(V_TPR_EQ);
	lapic_write(APIC_TPR, 0x40);
	ipi_spin_us(5000);
	tpr_snapshot(me, 1);
	lapic_write(APIC_TPR, 0);
	ipi_spin_us(5000);
	tpr_snapshot(me, 2);
	irq_disable();
}

void secondary_main(unsigned int cpu)
{
	struct ipi_cpu *me = &ipi_cpus[cpu];

	irq_cpu_init();
	me->apic_id = lapic_id();
	__atomic_store_n(&me->done_seq, me->cmd_seq, __ATOMIC_RELEASE);
	__atomic_store_n(&me->stage, 0xff, __ATOMIC_RELEASE); /* up */
	for (;;) {
		uint32_t seq;

		irq_disable();
		while ((seq = __atomic_load_n(&me->cmd_seq, __ATOMIC_ACQUIRE)) == me->done_seq)
			cpu_wait_for_interrupt();
		switch (me->cmd) {
		case CMD_IF_OFF: cmd_if_off(me); break;
		case CMD_TPR: cmd_tpr(me); break;
		default: break;
		}
		__atomic_store_n(&me->done_seq, seq, __ATOMIC_RELEASE);
	}
}
