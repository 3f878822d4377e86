/*
 * Recoverable faults for probing: fault_try() runs fn(arg); if fn raises an exception, the exception handler
 * resumes execution at the end of fault_try (stack and callee-saved registers as they were when fault_try was
 * entered) and fault_try returns true with the vector, error code and CR2 in *info.
 * Outside fault_try, every exception is unexpected: the runtime prints a register dump and exits the cell
 * with status RUNTIME_EXIT_FAULT + vector.
 */
#ifndef GUEST_FAULT_H
#define GUEST_FAULT_H

#include <tessera/compiler.h>

#define VEC_DE 0
#define VEC_DB 1
#define VEC_UD 6
#define VEC_DF 8
#define VEC_GP 13
#define VEC_PF 14

struct fault_info {
	int vector;	/* -1 if fn returned normally */
	uint64_t error; /* error code, 0 for vectors without one */
	uint64_t cr2;	/* CR2 at the time of the fault (meaningful for #PF) */
	uint64_t rip;	/* where it faulted */
	uint64_t value; /* fn's return value when it did not fault */
};

typedef uint64_t (*fault_fn)(void *arg);

bool fault_try(fault_fn fn, void *arg, struct fault_info *info);
/* "#GP", "#PF", ... or "vector N". */
const char *fault_name(int vector);

#endif
