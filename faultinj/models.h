/*
 * The fault models, the one table of them (principle 4): X(id, NAME, name, triggers, description), each
 * with its parameters in faultinj/models/<name>.h as TESSERA_FAULT_PARAMS_<name>(P), P(model, name, TYPE,
 * required, default, description) in slot order (struct tessera_fault.params[]). From it come the plan
 * parser's keys and checks (faultinj/plan/), the shared plan checker, the engine's parameter slots
 * (FP_<model>_<param>), the trace's model names and the table in docs/faultinj.md.
 *
 * Adding a model: one file in models/, one line here, its engine in faultinj/ (hypervisor side). Ids are
 * ABI (in compiled plans and traces): never reuse one.
 * `triggers` is a mask of the trigger kinds (abi/fault_plan.h) the model accepts.
 */
#ifndef TESSERA_FAULTINJ_MODELS_H
#define TESSERA_FAULTINJ_MODELS_H

#include <tessera/abi/fault_plan.h>
#include <tessera/compiler.h>

#include "models/fail_point.h"
#include "models/hv_data_flip.h"
#include "models/hypercall.h"
#include "models/interrupt.h"
#include "models/machine_check.h"
#include "models/memory_fault.h"
#include "models/memory_flip.h"
#include "models/register_flip.h"

#define FT_BIT(k)    (1u << TESSERA_FT_##k)
#define FT_AT_EXITS  (FT_BIT(NOW) | FT_BIT(EXIT) | FT_BIT(ICOUNT) | FT_BIT(TSC))
#define FT_ON_PASSES (FT_BIT(NTH) | FT_BIT(EVERY) | FT_BIT(PROBABILITY))
#define FT_ANY_KIND  (FT_AT_EXITS | FT_ON_PASSES)

#define TESSERA_FAULT_MODELS(X)                                                                             \
	X(1, FAIL_POINT, fail_point, FT_ON_PASSES, "a named fail point in the hypervisor returns an error") \
	X(2, INTERRUPT, interrupt, FT_ANY_KIND,                                                             \
	  "a virtual interrupt (timer, doorbell, IPI) is dropped, delayed, duplicated, or a spurious one "  \
	  "raised")                                                                                         \
	X(3, HYPERCALL, hypercall, FT_ANY_KIND,                                                             \
	  "a hypercall fails, or an argument or its result is corrupted")                                   \
	X(4, REGISTER_FLIP, register_flip, FT_AT_EXITS, "a bit of a guest register flips")                  \
	X(5, MEMORY_FAULT, memory_fault, FT_AT_EXITS,                                                       \
	  "a guest page becomes not-present or read-only for a while, then is restored")                    \
	X(6, MACHINE_CHECK, machine_check, FT_AT_EXITS,                                                     \
	  "a machine check is synthesized and handled as a hardware one (docs/machine-checks.md)")          \
	X(7, MEMORY_FLIP, memory_flip, FT_AT_EXITS, "a bit of guest memory flips")                          \
	X(8, HV_DATA_FLIP, hv_data_flip, FT_AT_EXITS,                                                       \
	  "HYPERVISOR DATA: a bit of the hypervisor's own per-cell state flips")

enum fault_model {
#define FAULT_MODEL_ENUM(id, NAME, name, triggers, desc) FAULT_##NAME = id,
	TESSERA_FAULT_MODELS(FAULT_MODEL_ENUM)
#undef FAULT_MODEL_ENUM
};

/* FP_<model>_<param>: the parameter's slot in struct tessera_fault.params[]. */
#define FAULT_PARAM_SLOT(model, name, type, req, dflt, doc) FP_##model##_##name,
#define FAULT_MODEL_SLOTS(id, NAME, name, triggers, desc) \
	enum { TESSERA_FAULT_PARAMS_##name(FAULT_PARAM_SLOT) FP_##name##_COUNT };
TESSERA_FAULT_MODELS(FAULT_MODEL_SLOTS)
#undef FAULT_MODEL_SLOTS
#undef FAULT_PARAM_SLOT

/*
 * The kinds of parameter, each with how its value is written in a plan: T(NAME, what it accepts). Words
 * come from the tables that own them: fail sites (hooks.h), errors (error.h), registers (guest_reg.h),
 * hypercalls (abi/hypercall.h), and the small word lists below.
 */
#define TESSERA_FAULT_PARAM_TYPES(T)                                  \
	T(NUM, "a number")                                            \
	T(BIT, "a bit number")                                        \
	T(SITE, "a fail site name")                                   \
	T(ERROR, "an error name (ENOMEM, EINVAL, ...)")               \
	T(REG, "a guest register name")                               \
	T(VECTOR, "a vector 0..255")                                  \
	T(HYPERCALL, "a hypercall name")                              \
	T(IRQ_ACTION, "drop, delay, duplicate or spurious")           \
	T(IRQ_SOURCE, "timer, doorbell, ipi or any")                  \
	T(HC_ACTION, "fail, corrupt_arg or corrupt_result")           \
	T(MEM_MODE, "not_present or read_only")                       \
	T(GPA, "a guest-physical address in the cell's writable RAM") \
	T(HV_FIELD, "a per-cell hypervisor field (exit_status, generation, halted, boot_area)")

enum fault_param_type {
#define FAULT_PARAM_TYPE_ENUM(NAME, what) FPT_##NAME,
	TESSERA_FAULT_PARAM_TYPES(FAULT_PARAM_TYPE_ENUM)
#undef FAULT_PARAM_TYPE_ENUM
		FPT_COUNT
};

#define HYPERCALL_ANY 0xffffffffu

/* X(NAME, name) word lists of the small enums. */
#define TESSERA_FAULT_IRQ_ACTIONS(X) \
	X(DROP, drop) X(DELAY, delay) X(DUPLICATE, duplicate) X(SPURIOUS, spurious)
#define TESSERA_FAULT_IRQ_SOURCES(X) X(ANY, any) X(TIMER, timer) X(DOORBELL, doorbell) X(IPI, ipi)
#define TESSERA_FAULT_HC_ACTIONS(X) \
	X(FAIL, fail) X(CORRUPT_ARG, corrupt_arg) X(CORRUPT_RESULT, corrupt_result)
#define TESSERA_FAULT_MEM_MODES(X) X(NOT_PRESENT, not_present) X(READ_ONLY, read_only)
#define TESSERA_FAULT_HV_FIELDS(X) \
	X(EXIT_STATUS, exit_status) X(GENERATION, generation) X(HALTED, halted) X(BOOT_AREA, boot_area)

#define FAULT_WORD_ENUM(NAME, name) NAME,
enum fault_irq_action { TESSERA_FAULT_IRQ_ACTIONS(FAULT_WORD_ENUM) };
enum fault_irq_source { TESSERA_FAULT_IRQ_SOURCES(FAULT_WORD_ENUM) };
#undef FAULT_WORD_ENUM
#define FAULT_WORD_ENUM(NAME, name) HC_##NAME,
enum fault_hc_action { TESSERA_FAULT_HC_ACTIONS(FAULT_WORD_ENUM) };
#undef FAULT_WORD_ENUM
#define FAULT_WORD_ENUM(NAME, name) MEM_##NAME,
enum fault_mem_mode { TESSERA_FAULT_MEM_MODES(FAULT_WORD_ENUM) };
#undef FAULT_WORD_ENUM
#define FAULT_WORD_ENUM(NAME, name) HVF_##NAME,
enum fault_hv_field { TESSERA_FAULT_HV_FIELDS(FAULT_WORD_ENUM) HVF_COUNT };
#undef FAULT_WORD_ENUM

struct fault_param_desc {
	const char *name;
	enum fault_param_type type;
	bool required;
	uint64_t dflt;
	const char *doc;
};

struct fault_model_desc {
	uint32_t id;
	const char *name;
	uint32_t triggers; /* FT_BIT mask */
	const char *doc;
	const struct fault_param_desc *params;
	unsigned int nr_params;
};

/* The table (faultinj/catalog.c, built for the host and the hypervisor). */
const struct fault_model_desc *fault_model_by_id(uint32_t id);
const struct fault_model_desc *fault_model_at(unsigned int i); /* NULL past the end */
const char *fault_model_name(uint32_t id);		       /* "?" when unknown */
const char *fault_trigger_name(uint32_t kind);
const char *fault_param_type_what(enum fault_param_type t);
/* FNV-1a of the table's layout (ids, names, slots, types): the plan blob's catalog_hash. */
uint64_t fault_catalog_hash(void);

/* A word of a word-valued parameter type: its value, or -1 when it is not one. */
int64_t fault_param_word_value(enum fault_param_type t, const char *word, size_t len);
/* The word of a value, or NULL (a NUM, or a value out of range). */
const char *fault_param_word(enum fault_param_type t, uint64_t value);
/* The largest valid value of a numeric type (BIT: 63, VECTOR: 255, NUM: ~0). */
uint64_t fault_param_max(enum fault_param_type t);

#endif
