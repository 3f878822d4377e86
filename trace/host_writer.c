/* Host runtime of the writers, and synthetic traces built with them (see host_writer.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tessera/abi/hypercall.h>

#include "host_writer.h"
#include "probes.h"
#include "tracedir.h"

uint64_t trace_enabled[TESSERA_TRACE_MAX_CELLS + 1];
struct trace_ring *trace_cpu_rings[TESSERA_TRACE_MAX_CPUS];
uint64_t trace_host_clock = 1000000;
uint64_t trace_host_clock_step = 1;

uint64_t trace_clock(void)
{
	return __atomic_fetch_add(&trace_host_clock, trace_host_clock_step, __ATOMIC_RELAXED);
}

static const enum tessera_exit_reason synth_reasons[] = {
	TESSERA_ER_HYPERCALL, TESSERA_ER_PIO,	    TESSERA_ER_MSR_READ,
	TESSERA_ER_CPUID,     TESSERA_ER_HYPERCALL, TESSERA_ER_MMIO,
};

static void synth_round(unsigned int cpu, int cell, unsigned int i, struct trace_synth_stats *st)
{
	enum tessera_exit_reason reason = synth_reasons[(i + cpu) % ARRAY_SIZE(synth_reasons)];
	uint64_t pc = 0x200000 + i * 16;

	if (i % 100 == 99 && cpu == 0)
		trace_host_clock +=
			200000000; /* an idle gap longer than 2^27 ns: trace.dat needs TIME_EXTEND */
	trace_host_clock_step = 7 + (i * 13 + cpu) % 50; /* irregular handler times */
	trace_point(exit, cpu, cell, reason, 0, pc, 0x81, i, 0);
	st->exits_per_cell[cell]++;
	switch (reason) {
	case TESSERA_ER_HYPERCALL:
		trace_point(hypercall, cpu, cell, i % 3 ? TESSERA_HC_CONSOLE_WRITE : TESSERA_HC_NOP, 0, i, 1,
			    0, 0);
		break;
	case TESSERA_ER_PIO: trace_point(pio, cpu, cell, 0x3f8, 1, 1, 0, 0, 'x'); break;
	case TESSERA_ER_MSR_READ: trace_point(msr, cpu, cell, 0xc0000080, 0, 1, 0); break;
	case TESSERA_ER_MMIO:
		trace_point(npf, cpu, cell, 0xfee00000, 0, 1, 0, 0);
		trace_point(violation, cpu, cell, TESSERA_ER_MMIO, 0, pc, 0xfee00000);
		break;
	default: break;
	}
	trace_host_clock_step = 1;
	trace_point(entry, cpu, cell, pc + 2);
}

static int drain_all(unsigned int nr_cpus, struct trace_ring *rings, FILE **files,
		     struct trace_synth_stats *st)
{
	static uint8_t buf[1 << 16];

	for (unsigned int c = 0; c < nr_cpus; c++) {
		struct trace_ring_reader rd = {rings[c].desc, rings[c].data, rings[c].mask + 1};
		uint64_t events = 0, bytes = 0;
		long n;
		while ((n = trace_ring_drain(&rd, buf, sizeof(buf))) > 0) {
			bytes += n;
			for (long off = 0; off < n;
			     off += ((struct tessera_trace_record_header *)(buf + off))->size) {
				const struct tessera_trace_common *cm = (const void *)(buf + off + 16);
				st->events++;
				events++;
				st->per_event[cm->type]++;
			}
			if (fwrite(buf, 1, n, files[c]) != (size_t)n)
				return -1;
		}
		probe_drain_stats(c, events, bytes, rings[c].desc->lost);
		if (n < 0)
			return -1;
	}
	return 0;
}

int trace_synth_write(const char *dir, unsigned int nr_cpus, unsigned int rounds, uint64_t ring_size,
		      unsigned int drain_every, struct trace_synth_stats *st)
{
	struct tessera_trace_ring_desc descs[TESSERA_TRACE_MAX_CPUS];
	struct trace_ring rings[TESSERA_TRACE_MAX_CPUS] = {0};
	FILE *files[TESSERA_TRACE_MAX_CPUS] = {0};
	struct trace_dir td = {0};
	int ret = -1;

	memset(st, 0, sizeof(*st));
	mkdir(dir, 0777);
	for (unsigned int c = 0; c < nr_cpus; c++) {
		trace_ring_init(&rings[c], &descs[c], aligned_alloc(64, ring_size), ring_size, 0);
		trace_cpu_rings[c] = &rings[c];
		files[c] = trace_dir_open_cpu(dir, c, "wb");
		if (!files[c])
			goto out;
	}
	for (unsigned int i = 0; i <= TESSERA_TRACE_MAX_CELLS; i++)
		trace_enabled[i] = ~0ULL;
	trace_host_clock = 1000000;
	td.tsc_offset = trace_host_clock;
	for (unsigned int c = 0; c < nr_cpus && c < 2; c++)
		trace_point(cell_state, c, c, c, TESSERA_CELL_RUNNING, 0, c ? "beta" : "alpha");
	for (unsigned int i = 0; i < rounds; i++) {
		for (unsigned int c = 0; c < nr_cpus; c++)
			synth_round(c, c % 2, i, st);
		if ((i + 1) % (drain_every ? drain_every : 1) == 0 && drain_all(nr_cpus, rings, files, st))
			goto out;
	}
	for (unsigned int c = 0; c < nr_cpus && c < 2; c++)
		trace_point(cell_state, c, c, c, TESSERA_CELL_FINISHED, 0, c ? "beta" : "alpha");
	if (drain_all(nr_cpus, rings, files, st))
		goto out;
	td.catalog_hash = trace_catalog_hash();
	td.tsc_hz = 1000000000; /* 1 tick = 1 ns keeps expected times easy to read */
	td.nr_cpus = nr_cpus;
	td.nr_cells = 2;
	strcpy(td.cell_names[0], "alpha");
	strcpy(td.cell_names[1], "beta");
	for (unsigned int c = 0; c < nr_cpus; c++)
		td.cell_cpus[c % 2] |= 1ULL << c; /* synth_round(c, c % 2, ...) */
	for (unsigned int c = 0; c < nr_cpus; c++) {
		td.produced[c] = descs[c].seq - descs[c].lost;
		td.lost[c] = descs[c].lost;
		memcpy(td.lost_per_event[c], descs[c].lost_per_event, sizeof(td.lost_per_event[c]));
	}
	ret = trace_dir_write_meta(&td, dir);
out:
	for (unsigned int c = 0; c < nr_cpus; c++) {
		if (files[c])
			fclose(files[c]);
		free(rings[c].data);
		trace_cpu_rings[c] = NULL;
	}
	memset(trace_enabled, 0, sizeof(trace_enabled));
	return ret;
}
