/*
 * User mode (CPL 3) for tests of what a cell's OS processes can and cannot do: user_try() runs fn(arg) at
 * CPL 3 on a small per-CPU user stack, with the runtime's user segments (USER_CS, USER_DS) and IOPL 0, and
 * comes back to CPL 0 either when fn returns (through a DPL-3 interrupt gate, USER_RETURN_VECTOR, as a
 * system call would) or when fn raises an exception. It returns true in the second case, with the vector,
 * error code, CR2 and RIP in *info like fault_try (guest/fault.h); otherwise info->value is fn's result.
 * Interrupts taken at CPL 3 are handled as usual and return to fn.
 *
 * Every page of the runtime's identity map is user-accessible (guest/paging.h), so fn may be any function
 * of the image; it must not call what needs CPL 0 (printing does: it is a hypercall). The CPU switches to
 * the kernel stack for exceptions through this CPU's TSS (loaded on its first user_try).
 */
#ifndef GUEST_USER_H
#define GUEST_USER_H

#include <guest/fault.h>

#define USER_DS		   (0x18 | 3)
#define USER_CS		   (0x20 | 3)
#define USER_RETURN_VECTOR 0xf1

bool user_try(fault_fn fn, void *arg, struct fault_info *info);

#endif
