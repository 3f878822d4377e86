/*
 * The hypervisor's hook points, declared once (TESSERA_HOOK_POINTS), and the clients that hook them.
 *
 * A client (statistics, tracing, later fault injection or a research "hypapp") is one struct hook_client
 * with a callback per point it wants, registered at boot before any cell runs (so the list is read
 * without a lock). Registering arms the points it has callbacks for; a client can disarm and re-arm its
 * points at run time (hooks_arm). A point is reached through hook_armed(), one load of the armed mask and
 * a predictable branch: a point no client has armed costs nothing else, so the exit path pays only for
 * what is switched on. Clients of an armed point run in registration order.
 *
 * Points and when they run (the vCPU's own CPU unless said otherwise):
 *   exit        a decoded exit, before the core handles it; a client may consume it (the core then
 *               does not handle it) and may change it
 *   result      the exit once handled: a hypercall's result is in exit->hypercall.result, not yet
 *               seen by the guest (a client may change it there: the arch returns it)
 *   inject      a virtual interrupt or exception about to be written for delivery (every source:
 *               interrupts, NMIs, re-injections, faults); a client may change or drop it
 *   entry       just before the guest resumes (also the first time)
 *   cell_state  a cell changed state (any CPU): every change in cell.c passes it,
 *               with the exit status or error; the cell_state trace event is its client
 *   tick        CPU 0's periodic work: each pass of its idle loop, and every HOOK_TICK_EXITS exits
 *               while CPU 0 runs a vCPU
 *   hw_error    a machine-check record (struct mce_record, mce.h): one per valid bank, from the arch's
 *               #MC handler (any CPU, in #MC context: a client must not wait or take locks) or from
 *               the software path of a fault plan; core/mce.c is the built-in client that acts on it
 *   fail        a named fail point (TESSERA_FAIL_SITES) in a function that can fail: a client may
 *               make it fail with an error code (every site is wired: page_pool_alloc, pgtable_map,
 *               cell_copy_*_guest, the image load, the vCPU reset, cell_start; fault injection's
 *               fail_point model is its client)
 */
#ifndef TESSERA_HOOKS_H
#define TESSERA_HOOKS_H

#include <tessera/compiler.h>

struct vcpu;
struct vcpu_exit;
struct cell;
struct mce_record;

/* X(NAME, name): the hook points. The order is the bit in hooks_armed. */
#define TESSERA_HOOK_POINTS(X)    \
	X(EXIT, exit)             \
	X(RESULT, result)         \
	X(INJECT, inject)         \
	X(ENTRY, entry)           \
	X(CELL_STATE, cell_state) \
	X(TICK, tick)             \
	X(HW_ERROR, hw_error)     \
	X(FAIL, fail)

enum hook_point {
#define HOOK_POINT_ENUM(NAME, name) HOOK_##NAME,
	TESSERA_HOOK_POINTS(HOOK_POINT_ENUM)
#undef HOOK_POINT_ENUM
		HOOK_POINT_COUNT
};

#define HOOK_BIT(p) (1u << (p))

/*
 * Not a point: set in hooks_armed while the built-in trace writer has an event on. The exit path then
 * calls trace/hv.c's exit, result and entry writers directly (tessera/trace.h): through the client list
 * each record paid a list walk, an indirect call and the client's own test, about 40 instructions, as
 * much again as writing it.
 */
#define HOOK_TRACE_BIT (1u << 31)

/* X(NAME, name): the named fail points a `fail` client may make fail. */
#define TESSERA_FAIL_SITES(X)       \
	X(PAGE_ALLOC, page_alloc)   \
	X(PGTABLE_MAP, pgtable_map) \
	X(GUEST_COPY, guest_copy)   \
	X(IMAGE_LOAD, image_load)   \
	X(VCPU_RESET, vcpu_reset)   \
	X(CELL_START, cell_start)

enum fail_site {
#define FAIL_SITE_ENUM(NAME, name) FAIL_##NAME,
	TESSERA_FAIL_SITES(FAIL_SITE_ENUM)
#undef FAIL_SITE_ENUM
		FAIL_SITE_COUNT
};

#define HOOKS_MAX	16
#define HOOK_TICK_EXITS 256

enum hook_result {
	HOOK_CONTINUE = 0, /* pass the exit on (to the next client, then the core) */
	HOOK_CONSUMED = 1, /* the client handled the exit: the core does not */
};

/* A virtual event about to be delivered: arch-encoded (on x86 the EVENTINJ word), and its kind. */
struct hook_inject {
	uint64_t event; /* 0: dropped */
	unsigned int kind;
};

struct hook_client {
	const char *name;
	void *ctx;
	/* Each NULL when the client does not use that point. */
	enum hook_result (*exit)(struct vcpu *v, struct vcpu_exit *exit, void *ctx);
	void (*result)(struct vcpu *v, struct vcpu_exit *exit, void *ctx);
	void (*inject)(struct vcpu *v, struct hook_inject *inj, void *ctx);
	void (*entry)(struct vcpu *v, void *ctx);
	void (*cell_state)(struct cell *c, unsigned int state, int64_t status,
			   void *ctx); /* exit status or error */
	void (*tick)(void *ctx);
	void (*hw_error)(const struct mce_record *r, void *ctx);
	/* 0, or the error to return. c and v: the cell and vCPU the failing work is for, each NULL when the
	 * site does not know it (a page allocation: the client may ask cell_at_work()). */
	int (*fail)(enum fail_site site, struct cell *c, struct vcpu *v, void *ctx);
};

/* Bit p set: at least one client has point p armed. Read on every pass of a point. */
extern uint32_t hooks_armed;

static inline bool hook_armed(enum hook_point p)
{
	return unlikely(__atomic_load_n(&hooks_armed, __ATOMIC_RELAXED) & HOOK_BIT(p));
}

/* The whole mask at once, for a path that passes several points (the exit path loads it once). */
static inline uint32_t hooks_armed_mask(void)
{
	return __atomic_load_n(&hooks_armed, __ATOMIC_RELAXED);
}

/* 0, or -HV_ENOMEM when HOOKS_MAX clients are registered. `client` must stay valid. Arms every point
 * the client has a callback for. */
int hooks_register(const struct hook_client *client);
/* Arm (on) or disarm the points of `points` (HOOK_BIT mask) for one registered client; any CPU. */
void hooks_arm(const struct hook_client *client, uint32_t points, bool on);
/* Set (on) or clear HOOK_TRACE_BIT; any CPU. */
void hooks_arm_trace(bool on);
unsigned int hooks_count(void);
const char *hook_point_name(enum hook_point p);
const char *fail_site_name(enum fail_site s);

/* The walks behind an armed point (call them only after hook_armed()). */
enum hook_result hooks_run_exit(struct vcpu *v, struct vcpu_exit *exit);
void hooks_run_result(struct vcpu *v, struct vcpu_exit *exit);
void hooks_run_inject(struct vcpu *v, struct hook_inject *inj);
void hooks_run_entry(struct vcpu *v);
void hooks_run_cell_state(struct cell *c, unsigned int state, int64_t status);
void hooks_run_tick(void);
void hooks_run_hw_error(const struct mce_record *r);
int hooks_run_fail(enum fail_site site, struct cell *c, struct vcpu *v);

/* The fail point: 0 (go on) unless an armed client makes the site fail. */
static inline int hook_fail(enum fail_site site, struct cell *c, struct vcpu *v)
{
	return hook_armed(HOOK_FAIL) ? hooks_run_fail(site, c, v) : 0;
}

static inline void hook_cell_state(struct cell *c, unsigned int state, int64_t status)
{
	if (hook_armed(HOOK_CELL_STATE))
		hooks_run_cell_state(c, state, status);
}

static inline void hook_hw_error(const struct mce_record *r)
{
	if (hook_armed(HOOK_HW_ERROR))
		hooks_run_hw_error(r);
}

static inline void hook_tick(void)
{
	if (hook_armed(HOOK_TICK))
		hooks_run_tick();
}

#endif
