/*
 * The one exit path (principle 3, docs/architecture.md): arch code decodes every exit of a vCPU into a struct vcpu_exit,
 * core passes it through the hooks list (hooks.h), then handles it (exit.c).
 */
#ifndef TESSERA_EXIT_H
#define TESSERA_EXIT_H

#include <tessera/compiler.h>
#include <tessera/abi/cell_stats.h>

struct vcpu;

struct vcpu_exit {
	enum tessera_exit_reason reason;
	uint64_t pc;	  /* guest instruction pointer at the exit */
	uint64_t next_pc; /* the instruction after it, 0 if the exit has no such notion */
	union {
		struct {
			uint64_t nr;
			/* The guest's privilege level at the call, 0 the most privileged (x86: its CPL):
			 * only a call from level 0 is dispatched (arch_vcpu_kernel_mode's answer, decoded
			 * with the exit so that the check costs no call). */
			uint8_t priv_level;
			/* The four arguments, read-only: they point at the guest's own argument registers,
			 * which a hypercall leaves unchanged. */
			const uint64_t *args;
			/* The result: before the next entry the arch returns it to the guest and resumes
			 * after the call (in its loop: no call for it). The core sets it once dispatched; a
			 * client that consumes the exit sets it (it starts as the guest's RAX). */
			int64_t result;
		} hypercall;
		struct {
			uint16_t port;
			uint8_t size; /* bytes: 1, 2, 4 */
			bool write;
			bool string;	/* INS/OUTS (never emulated: always a violation or passthrough) */
			uint32_t value; /* written value (write) */
		} pio;
		struct {
			uint64_t gpa; /* guest-physical address */
			uint64_t gla; /* guest-linear address when known */
			bool gla_valid;
			bool write, exec;
			bool present; /* mapped, but not with the access tried */
			bool in_walk; /* during the guest's own page walk */
		} mem;
		struct {
			uint32_t index;
			uint64_t value; /* written value (MSR_WRITE) */
		} msr;
		struct {
			uint32_t leaf, subleaf;
		} cpuid;
		struct {
			bool irq_enabled;
		} halt;
		struct {
			uint8_t vector;
			bool has_error;
			uint32_t error;
		} exception;
		struct {
			const char *name; /* the instruction, e.g. "vmrun" */
		} virt_insn;
	};
	/* The raw arch exit, for reports: code and two info words, and a short name. */
	uint64_t raw_code, raw_info1, raw_info2;
	const char *raw_name;
};

/* Each exit is handled by vcpu_exit() (arch.h, exit.c): counters, hook points, the core's handler. */

#endif
