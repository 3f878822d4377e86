/*
 * The report's model: what `tessera trace report` computes from a trace directory, before any output
 * format (text, JSON, CSV: report.c) prints it.
 *
 * Intervals are taken per CPU (each CPU runs one vCPU of one cell) and never across a loss: when the
 * records' sequence numbers say records were lost right before a record, every interval open on that CPU
 * (an exit waiting for its entry, a guest run waiting for its exit, an injection waiting for the guest)
 * is dropped and counted as excluded, and the time from the last record before the loss to the first
 * after it is "lost time". So every latency in the report is between two records with nothing lost
 * between them.
 *
 * Interrupt latency (report_irq.c) pairs an irq_post (written on the posting CPU) with the target vCPU's
 * next injection of that vector and the entry after it; such an interval spans two CPUs, so it is used
 * only when neither CPU lost a record between its post and its entry.
 */
#ifndef TESSERA_TRACE_REPORT_MODEL_H
#define TESSERA_TRACE_REPORT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "tracedir.h"

/* X(NAME, name, key title): the report's latency tables; each row is one key of one table. */
#define REPORT_TABLES(X)                                                                                 \
	X(EXIT, "exit", "reason")	    /* exit -> entry, by exit reason */                          \
	X(PIO, "pio", "port")		    /* the same, port exits by port */                           \
	X(MSR, "msr", "msr")		    /* the same, MSR exits by MSR (reads and writes) */          \
	X(MMIO, "mmio", "gpa")		    /* the same, nested page faults by guest-physical address */ \
	X(HYPERCALL, "hypercall", "number") /* the same, hypercall exits by hypercall number */          \
	X(IRQ, "irq", "vector")		    /* irq_inject -> the next entry (the guest takes it) */      \
	X(IRQ_POST_INJECT, "irq_post_inject", "vector/source")	   /* irq_post -> its irq_inject */      \
	X(IRQ_INJECT_RESUME, "irq_inject_resume", "vector/source") /* that irq_inject -> the entry */    \
	X(IRQ_POST_RESUME, "irq_post_resume", "vector/source")	   /* irq_post -> the same entry */

enum report_table {
#define REPORT_TABLE_ENUM(NAME, name, key) REPORT_T_##NAME,
	REPORT_TABLES(REPORT_TABLE_ENUM)
#undef REPORT_TABLE_ENUM
		REPORT_T_COUNT
};

#define REPORT_HIST_BUCKETS 40 /* bucket b: latencies in [2^b, 2^(b+1)) ns; bucket 0 also holds 0 */

struct report_row {
	enum report_table table;
	uint64_t key;	/* exit reason, port, MSR, gpa, hypercall number, vector | kind (source) << 8 */
	uint64_t count; /* records seen (paired or not) */
	uint64_t *v;	/* the latencies (ns) of its complete intervals, sorted by report_finish */
	size_t n, cap;	/* n: complete intervals */
	uint64_t total; /* sum of v */
	uint64_t min, median, p99, max;
	double mean, stddev;
	uint64_t hist[REPORT_HIST_BUCKETS];
};

/* One vCPU (a CPU of a cell), or a whole cell (the merge of its vCPUs' rows and times). */
struct report_scope {
	int cell; /* -1: no cell ran on this CPU */
	int cpu;  /* -1 for a whole cell */
	struct report_row *rows;
	size_t nr_rows, cap_rows;
	uint64_t exits, events, violations, hc_errors;
	uint64_t guest_ns, hv_ns, lost_ns; /* complete guest runs, complete exit handling, spans of losses */
	uint64_t excluded;		   /* intervals dropped because a loss fell inside them */
	uint64_t losses, lost_records;	   /* places and records lost on the CPU(s) */
	uint64_t first_ns, last_ns;
};

struct report {
	struct report_scope vcpus[TESSERA_TRACE_MAX_CPUS];
	struct report_scope cells[TESSERA_TRACE_MAX_CELLS];
	uint64_t records, lost;
};

/* The row of key in table t of scope s (created empty if new), and one latency sample into it. */
struct report_row *report_row_get(struct report_scope *s, enum report_table t, uint64_t key);
void report_row_sample(struct report_row *r, uint64_t ns);

/* Builds the model (allocates; free with report_free). */
struct report *report_build(const struct trace_dir *td);
void report_free(struct report *rp);
const char *report_table_name(enum report_table t);
const char *report_table_key_title(enum report_table t);
/* The row's key as text: symbolic reason or hypercall, hex port / MSR / gpa, "vector/kind". */
void report_key_text(enum report_table t, uint64_t key, char *buf, size_t len);

#endif
