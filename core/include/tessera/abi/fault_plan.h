/*
 * A compiled fault-injection plan (layout version 1): the blob `tessera run --faults PLAN.yaml` hands the
 * hypervisor as the boot module `faults.blob`, and the record a live injection carries (the control
 * mailbox's FI_INJECT payload, the fault_control hypercall's buffer). docs/faultinj.md describes the
 * models; faultinj/models.h is their one table (model ids, parameters and what each parameter slot means).
 *
 * Layout rules: little-endian, fixed-width fields, every struct a multiple of 8 bytes with explicit
 * padding, no pointers. The blob is
 *
 *   struct tessera_fault_plan_header
 *   struct tessera_fault             faults[nr_faults]   (at faults_offset)
 *
 * `checksum` is the CRC-32 (as core/crc32.c computes it) of the whole blob with the checksum field taken
 * as zero; `catalog_hash` is faultinj/catalog.c's hash of the model table, so a blob written for another
 * table of models is refused. A reader refuses a blob whose magic, version, size, checksum or catalog
 * hash is wrong before it looks at anything else; the shared checker (faultinj/plan_check.h) then checks
 * every fault against the system config, on the host and again in the hypervisor.
 */
#ifndef TESSERA_ABI_FAULT_PLAN_H
#define TESSERA_ABI_FAULT_PLAN_H

#include <stdint.h>

#define TESSERA_FAULT_PLAN_MAGIC   "TESSFLT" /* 8 bytes with the NUL */
#define TESSERA_FAULT_PLAN_VERSION 1
#define TESSERA_FAULT_PLAN_MODULE  "faults.blob" /* the boot module's base name */
#define TESSERA_FAULT_MAX	   32		 /* faults per plan, and armed at once */
#define TESSERA_FAULT_PARAMS	   8		 /* parameter slots per fault */

/*
 * X(number, NAME, name, description): when a fault fires. "Passes" are what the model watches: calls of
 * a fail point, interrupts of a source, hypercalls; "exits" are the target's exits (every model may use
 * the exit, icount and tsc triggers, which are checked at the target's exits).
 */
#define TESSERA_FAULT_TRIGGERS(X)                                                                         \
	X(0, NOW, "now", "at the target's next exit (or the model's next pass) after the fault is armed") \
	X(1, EXIT, "exit", "the k-th exit of the target after arming, of `reason` if given, else of any") \
	X(2, ICOUNT, "icount",                                                                            \
	  "the first exit after N instructions from the target's start (from arming when it already "     \
	  "runs; the TSC counts instructions under QEMU's -icount shift=0, machine-wide)")                \
	X(3, TSC, "tsc", "the first exit after T TSC ticks from the target's start (or arming, later)")   \
	X(4, NTH, "nth", "the n-th pass (fail-nth), and the `times - 1` passes after it")                 \
	X(5, EVERY, "every", "every n-th pass")                                                           \
	X(6, PROBABILITY, "probability", "each pass with probability p, drawn from the plan's seeded PRNG")

enum tessera_fault_trigger_kind {
#define TESSERA_FT_ENUM(num, NAME, name, desc) TESSERA_FT_##NAME = num,
	TESSERA_FAULT_TRIGGERS(TESSERA_FT_ENUM)
#undef TESSERA_FT_ENUM
		TESSERA_FT_COUNT
};

/* probability: value is p * 2^32 (1.0 is 2^32: every pass). */
#define TESSERA_FAULT_PROB_ONE (1ULL << 32)

struct tessera_fault_trigger {
	uint32_t kind;	 /* enum tessera_fault_trigger_kind */
	uint32_t reason; /* EXIT: enum tessera_exit_reason + 1, 0 = any */
	uint64_t value;	 /* EXIT: k; ICOUNT: instructions; TSC: ticks; NTH, EVERY: n; PROBABILITY: p */
	uint64_t times;	 /* at most this many injections, 0 = no limit (NTH: 0 means 1) */
};

#define TESSERA_FAULT_ANY (-1) /* cell or vcpu: any */

struct tessera_fault {
	uint32_t model; /* faultinj/models.h id */
	uint32_t flags; /* none defined yet: 0 */
	int32_t cell;	/* index in the system config; TESSERA_FAULT_ANY only where the model allows it */
	int32_t vcpu;	/* index in the cell's CPUs, TESSERA_FAULT_ANY = any of them */
	struct tessera_fault_trigger trigger;
	uint64_t
		params[TESSERA_FAULT_PARAMS]; /* the model's parameters, in faultinj/models/<model>.h order */
};

struct tessera_fault_plan_header {
	char magic[8];	     /* TESSERA_FAULT_PLAN_MAGIC */
	uint32_t version;    /* TESSERA_FAULT_PLAN_VERSION */
	uint32_t total_size; /* bytes, header included */
	uint32_t checksum;   /* see above */
	uint32_t flags;	     /* none defined yet: must be 0 */
	uint64_t seed;	     /* the PRNG seed of every probability trigger and random choice */
	uint64_t catalog_hash;
	uint32_t nr_faults, faults_offset;
};

static inline const struct tessera_fault *fault_plan_faults(const struct tessera_fault_plan_header *h)
{
	return (const struct tessera_fault *)((const char *)h + h->faults_offset);
}

#endif
