/*
 * Hooks on the one exit path: every decoded exit passes through the registered hooks, in registration
 * order, before the core handles it. Trace points, fault injection and statistics are hooks. Hooks are
 * registered at boot, before any cell runs, so the list is read without a lock.
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
	enum hook_result (*fn)(struct vcpu *v, struct vcpu_exit *exit, void *ctx);
	void *ctx;
};

/* 0, or -HV_ENOMEM when HOOKS_MAX hooks are registered. `hook` must stay valid. */
int hooks_register(const struct exit_hook *hook);
/* Run every hook; HOOK_CONSUMED as soon as one consumes the exit. */
enum hook_result hooks_run(struct vcpu *v, struct vcpu_exit *exit);
unsigned int hooks_count(void);

/* The first hook: per-cell, per-reason exit counters (cell_stats.c). */
void cell_stats_hook_register(void);

#endif
