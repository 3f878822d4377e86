/*
 * ipi: interrupts among the CPUs of one cell, end to end (docs/ivc.md, "Inmates and tests"). CPU 0 runs
 * the tests (ipi.c, nmi.c); the other CPUs serve (server.c): they count every interrupt they take and run
 * the commands CPU 0 gives them. Every counter is written only by the CPU that took the interrupt.
 */
#ifndef GUESTS_IPI_H
#define GUESTS_IPI_H

#include <guest/runtime.h>

#define V_WAKE	  0x40 /* wakes a serving CPU to look at its command */
#define V_FIXED	  0x50 /* test (a): fixed IPIs to one CPU */
#define V_SELF	  0x58 /* test (d): shorthand self */
#define V_PHYS	  0x57 /* test (d): fixed, physical destination = own APIC ID */
#define V_OTHERS  0x59 /* test (d): shorthand all excluding self */
#define V_ALL	  0x5a /* test (d): shorthand all including self */
#define V_TPR_LOW 0x45 /* test (c): class 4, below TPR 0x50 */
#define V_TPR_EQ  0x55 /* test (c): class 5, the TPR's own class: held too */
#define V_TPR_HI  0x65 /* test (c): class 6, above it */
#define ORDER_MAX 32

enum ipi_cmd {
	CMD_NONE,
	CMD_IF_OFF, /* test (b): interrupts off until released, then on: log the order */
	CMD_TPR,    /* test (c): TPR 0x50, interrupts on, then lower it in two steps */
};

struct ipi_cpu {
	volatile uint32_t hits[256];	   /* interrupts taken, per vector */
	volatile uint8_t order[ORDER_MAX]; /* vectors in the order taken (reset by the commands) */
	volatile uint32_t nr_order;
	uint32_t apic_id;
	volatile uint32_t cmd, cmd_seq, done_seq; /* CPU 0 writes cmd and cmd_seq, the server done_seq */
	volatile uint32_t stage;		  /* how far the server got in the command */
	volatile uint32_t release;		  /* CPU 0: go on */
	/* results of CMD_IF_OFF */
	uint32_t hits_before_sti;
	/* results of CMD_TPR: hits of LOW/EQ/HI at each TPR, IRR bits while held */
	uint32_t tpr_hits[3][3];
	bool tpr_irr_low, tpr_irr_eq;
	/* NMIs (nmi.c) */
	volatile uint32_t nmi_count, nmi_depth, nmi_max_depth, nmi_clock;
	volatile uint32_t nmi_enter[4], nmi_leave[4]; /* nmi_clock at entry and exit of the first 4 */
	volatile uint32_t nmi_mode;		      /* what the first handler does (nmi.c) */
	volatile uint32_t nmi_in_handler, nmi_sent;
};

extern struct ipi_cpu ipi_cpus[RUNTIME_MAX_CPUS];
extern unsigned int ipi_nr_cpus;

/* Counts the interrupt on this CPU (the handler of every test vector). */
void ipi_count(unsigned int vector, void *ctx);
/* Spin until *p == want or `ms` of TSC time have passed; true if it got there. */
bool ipi_wait_eq(volatile uint32_t *p, uint32_t want, uint64_t ms);
/* Spin for `us` of TSC time, forcing exits (APIC reads) so that the hypervisor can inject meanwhile. */
void ipi_spin_us(uint64_t us);
/* Have server `cpu` run `cmd` (woken by V_WAKE). */
void ipi_command(unsigned int cpu, enum ipi_cmd cmd);
bool ipi_command_done(unsigned int cpu, uint64_t ms);

void nmi_tests(void);

#endif
