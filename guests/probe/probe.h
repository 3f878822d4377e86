/* The isolation probe's parts: each probe_*.c runs one family of attempts through probe_attempt(). */
#ifndef PROBE_H
#define PROBE_H

#include <guest/fault.h>
#include <tessera/abi/cell_boot.h>

#define PROBE_MAX_TARGETS 8

struct probe {
	const struct tessera_cell_boot_info *info;
	int64_t cell_id, nr_cells;
	uint64_t targets
		[PROBE_MAX_TARGETS]; /* from args `targets=0x..,0x..`: others' memory, the hypervisor's */
	unsigned int nr_targets;
	uint64_t ram_end; /* end of the cell's highest memory region */
	uint8_t *scratch; /* a page of the cell's own memory */
};

/* Runs fn(arg): PASS when it raised an exception or the cell's violation counter went up. */
bool probe_attempt(const char *name, fault_fn fn, void *arg);
/* Runs fn(arg): PASS when it did not fault and returned (as int64_t) a negative error (or exactly `want`
 * when want != 0). For hypercalls that must refuse. */
bool probe_expect_error(const char *name, fault_fn fn, void *arg, int64_t want);
/* PASS when the bad hypercall was refused, by an error or by a fault. */
bool probe_expect_refused(const char *name, fault_fn fn, void *arg);
bool probe_own_memory(const struct probe *p, uint64_t addr, uint64_t size);

void probe_cpuid(struct probe *p);
void probe_cr(struct probe *p);
void probe_hypercalls(struct probe *p);
void probe_ivc(struct probe *p);
void probe_memory(struct probe *p);
void probe_msrs(struct probe *p);
void probe_svm(struct probe *p);
void probe_user(struct probe *p);
void probe_ports(struct probe *p);

#endif
