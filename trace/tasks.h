/*
 * Tasks in the trace.dat conversion, so that trace-cmd and KernelShark tell guest time from hypervisor
 * time: each CPU has a hypervisor task "hv/N" (pid TRACE_TASK_HV + N) and each cell one task per vCPU,
 * named after the cell (pid (cell + 1) * TRACE_TASK_CELL + CPU). The exit and entry records of a vCPU
 * carry its task (as KVM's kvm_exit and kvm_entry are the vCPU thread's); every other record is the
 * hypervisor's doing and carries the hypervisor task of its CPU: on the cell's CPU (port, MSR, hypercall,
 * injection records) and elsewhere (CPU 0's watchdog and lifecycle records, which name the cell in a
 * field).
 * sched_switch records are added at each exit (vCPU -> hv) and entry (hv -> vCPU).
 */
#ifndef TESSERA_TRACE_TASKS_H
#define TESSERA_TRACE_TASKS_H

#include "tracedir.h"

#define TRACE_TASK_HV	10  /* hv/N: 10 + N (N < TESSERA_TRACE_MAX_CPUS) */
#define TRACE_TASK_CELL 100 /* a cell's vCPU on CPU n: (cell + 1) * 100 + n */

static inline int trace_task_hv(unsigned int cpu)
{
	return TRACE_TASK_HV + (int)cpu;
}

static inline int trace_task_vcpu(int cell, unsigned int cpu)
{
	return (cell + 1) * TRACE_TASK_CELL + (int)cpu;
}

/* Does CPU `cpu` run cell `cell` (so that its records there are the vCPU's)? */
static inline bool trace_task_on_own_cpu(const struct trace_dir *td, int cell, unsigned int cpu)
{
	if (cell < 0 || cell >= TESSERA_TRACE_MAX_CELLS)
		return false;
	return td->cell_cpus[cell] ? (td->cell_cpus[cell] >> cpu & 1) : cpu != 0;
}

/* The task of a record in the conversion. */
static inline int trace_task_of(const struct trace_dir *td, const struct trace_rec *r)
{
	return trace_task_on_own_cpu(td, r->cell, r->cpu) ? trace_task_vcpu(r->cell, r->cpu)
							  : trace_task_hv(r->cpu);
}

#endif
