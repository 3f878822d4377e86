/*
 * Hooks on the one exit path: every decoded exit passes through the registered hooks, in registration
 * order, before the core handles it. Trace points, fault injection and statistics are hooks. Hooks are
 * registered at boot, before any cell runs, so the list is read without a lock.
 *
 * Two optional points besides: `after` runs once the core has handled the exit (or a hook consumed it),
 * so that a hook sees outcomes such as a hypercall's result; `entry` runs just before the vCPU enters the
 * guest (also the first time), so that a hook sees exactly when the guest resumes.
 */
#ifndef TESSERA_HOOKS_H
#define TESSERA_HOOKS_H

#include <tessera/compiler.h>

struct vcpu;
struct vcpu_exit;

#define HOOKS_MAX 16

enum hook_result {
	HOOK_CONTINUE = 0, /* pass the exit on (to the next hook, then the core) */
	HOOK_CONSUMED = 1, /* the hook handled the exit: the core does not */
};

struct exit_hook {
	const char *name;
	enum hook_result (*fn)(struct vcpu *v, struct vcpu_exit *exit, void *ctx); /* NULL: none */
	void *ctx;
	void (*after)(struct vcpu *v, const struct vcpu_exit *exit, void *ctx); /* NULL: none */
	void (*entry)(struct vcpu *v, void *ctx);				/* NULL: none */
};

/* 0, or -HV_ENOMEM when HOOKS_MAX hooks are registered. `hook` must stay valid. */
int hooks_register(const struct exit_hook *hook);
/* Run every hook; HOOK_CONSUMED as soon as one consumes the exit. */
enum hook_result hooks_run(struct vcpu *v, struct vcpu_exit *exit);
/* Every hook's `after`, then (in vcpu.c, before each guest entry) every hook's `entry`. */
void hooks_run_after(struct vcpu *v, const struct vcpu_exit *exit);
void hooks_run_entry(struct vcpu *v);
unsigned int hooks_count(void);

/* The first hook: per-cell, per-reason exit counters (cell_stats.c). */
void cell_stats_hook_register(void);

#endif
