/*
 * The writers' runtime on the host (trace_enabled, trace_cpu_rings, trace_clock), for tests and for
 * synthetic traces: the same writers and rings the hypervisor uses, driven by a settable clock.
 */
#ifndef TESSERA_TRACE_HOST_WRITER_H
#define TESSERA_TRACE_HOST_WRITER_H

#include <stdint.h>

#include "write.h"

/* The value trace_clock() returns next; it then advances by trace_host_clock_step. */
extern uint64_t trace_host_clock;
extern uint64_t trace_host_clock_step;

/* Expected numbers of a synthetic trace, for tests to compare with what the readers find. */
struct trace_synth_stats {
	uint64_t events;			      /* records written */
	uint64_t per_event[TESSERA_TRACE_MAX_EVENTS]; /* by id */
	uint64_t exits_per_cell[TESSERA_TRACE_MAX_CELLS];
};

/*
 * Writes a synthetic trace to DIR (created if needed): `nr_cpus` CPUs, CPU n running cell n % 2 ("alpha",
 * "beta"), `rounds` exits per CPU with their entries, hypercalls, port and MSR events, and cell lifecycle
 * events, drained through real rings of `ring_size` bytes after every `drain_every` rounds. 0 or -1.
 */
int trace_synth_write(const char *dir, unsigned int nr_cpus, unsigned int rounds, uint64_t ring_size,
		      unsigned int drain_every, struct trace_synth_stats *st);

#endif
