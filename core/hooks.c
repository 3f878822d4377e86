/* The hook points and their clients (see hooks.h). */
#include <tessera/error.h>
#include <tessera/hooks.h>
#include <tessera/spinlock.h>

uint32_t hooks_armed;

static const struct hook_client *clients[HOOKS_MAX];
static uint32_t client_armed[HOOKS_MAX]; /* per client: the points it has armed */
static unsigned int nr_clients;
static bool trace_armed; /* HOOK_TRACE_BIT */
static struct spinlock arm_lock = SPINLOCK_INIT;

_Static_assert(HOOK_POINT_COUNT < 31, "the points' bits must stay clear of HOOK_TRACE_BIT");

static const char *const point_names[] = {
#define HOOK_POINT_NAME(NAME, name) #name,
	TESSERA_HOOK_POINTS(HOOK_POINT_NAME)
#undef HOOK_POINT_NAME
};

static const char *const site_names[] = {
#define FAIL_SITE_NAME(NAME, name) #name,
	TESSERA_FAIL_SITES(FAIL_SITE_NAME)
#undef FAIL_SITE_NAME
};

const char *hook_point_name(enum hook_point p)
{
	return (unsigned int)p < HOOK_POINT_COUNT ? point_names[p] : "?";
}

const char *fail_site_name(enum fail_site s)
{
	return (unsigned int)s < FAIL_SITE_COUNT ? site_names[s] : "?";
}

/* The points a client has a callback for. */
static uint32_t client_points(const struct hook_client *c)
{
	return (c->exit ? HOOK_BIT(HOOK_EXIT) : 0) | (c->result ? HOOK_BIT(HOOK_RESULT) : 0) |
	       (c->inject ? HOOK_BIT(HOOK_INJECT) : 0) | (c->entry ? HOOK_BIT(HOOK_ENTRY) : 0) |
	       (c->cell_state ? HOOK_BIT(HOOK_CELL_STATE) : 0) | (c->tick ? HOOK_BIT(HOOK_TICK) : 0) |
	       (c->hw_error ? HOOK_BIT(HOOK_HW_ERROR) : 0) | (c->fail ? HOOK_BIT(HOOK_FAIL) : 0);
}

/* Under arm_lock: the global mask is the OR of the clients'. */
static void recompute(void)
{
	uint32_t any = trace_armed ? HOOK_TRACE_BIT : 0;

	for (unsigned int i = 0; i < nr_clients; i++)
		any |= client_armed[i];
	__atomic_store_n(&hooks_armed, any, __ATOMIC_RELEASE);
}

int hooks_register(const struct hook_client *client)
{
	int ret = 0;

	spin_lock(&arm_lock);
	if (nr_clients >= HOOKS_MAX) {
		ret = -HV_ENOMEM;
	} else {
		client_armed[nr_clients] = client_points(client);
		__atomic_store_n(&clients[nr_clients], client, __ATOMIC_RELEASE);
		__atomic_store_n(&nr_clients, nr_clients + 1, __ATOMIC_RELEASE);
		recompute();
	}
	spin_unlock(&arm_lock);
	return ret;
}

void hooks_arm(const struct hook_client *client, uint32_t points, bool on)
{
	spin_lock(&arm_lock);
	for (unsigned int i = 0; i < nr_clients; i++) {
		if (clients[i] != client)
			continue;
		points &= client_points(client); /* a point without a callback stays disarmed */
		uint32_t m = on ? client_armed[i] | points : client_armed[i] & ~points;
		__atomic_store_n(&client_armed[i], m, __ATOMIC_RELAXED);
	}
	recompute();
	spin_unlock(&arm_lock);
}

void hooks_arm_trace(bool on)
{
	spin_lock(&arm_lock);
	trace_armed = on;
	recompute();
	spin_unlock(&arm_lock);
}

unsigned int hooks_count(void)
{
	return __atomic_load_n(&nr_clients, __ATOMIC_ACQUIRE);
}

/* Client i has point p armed (clients are read without a lock: registered before any cell runs). */
static inline bool armed_at(unsigned int i, enum hook_point p)
{
	return __atomic_load_n(&client_armed[i], __ATOMIC_RELAXED) & HOOK_BIT(p);
}

enum hook_result hooks_run_exit(struct vcpu *v, struct vcpu_exit *exit)
{
	for (unsigned int i = 0, n = hooks_count(); i < n; i++)
		if (armed_at(i, HOOK_EXIT) && clients[i]->exit(v, exit, clients[i]->ctx) == HOOK_CONSUMED)
			return HOOK_CONSUMED;
	return HOOK_CONTINUE;
}

void hooks_run_result(struct vcpu *v, struct vcpu_exit *exit)
{
	for (unsigned int i = 0, n = hooks_count(); i < n; i++)
		if (armed_at(i, HOOK_RESULT))
			clients[i]->result(v, exit, clients[i]->ctx);
}

void hooks_run_inject(struct vcpu *v, struct hook_inject *inj)
{
	for (unsigned int i = 0, n = hooks_count(); i < n; i++)
		if (armed_at(i, HOOK_INJECT))
			clients[i]->inject(v, inj, clients[i]->ctx);
}

void hooks_run_entry(struct vcpu *v)
{
	for (unsigned int i = 0, n = hooks_count(); i < n; i++)
		if (armed_at(i, HOOK_ENTRY))
			clients[i]->entry(v, clients[i]->ctx);
}

void hooks_run_cell_state(struct cell *c, unsigned int state, int64_t status)
{
	for (unsigned int i = 0, n = hooks_count(); i < n; i++)
		if (armed_at(i, HOOK_CELL_STATE))
			clients[i]->cell_state(c, state, status, clients[i]->ctx);
}

void hooks_run_tick(void)
{
	for (unsigned int i = 0, n = hooks_count(); i < n; i++)
		if (armed_at(i, HOOK_TICK))
			clients[i]->tick(clients[i]->ctx);
}

void hooks_run_hw_error(const struct mce_record *r)
{
	for (unsigned int i = 0, n = hooks_count(); i < n; i++)
		if (armed_at(i, HOOK_HW_ERROR))
			clients[i]->hw_error(r, clients[i]->ctx);
}

int hooks_run_fail(enum fail_site site, struct cell *c, struct vcpu *v)
{
	for (unsigned int i = 0, n = hooks_count(); i < n; i++) {
		int err = armed_at(i, HOOK_FAIL) ? clients[i]->fail(site, c, v, clients[i]->ctx) : 0;
		if (err)
			return err;
	}
	return 0;
}
