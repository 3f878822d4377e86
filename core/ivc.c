/*
 * Comm regions, doorbells and the watchdog (ivc.h, docs/ivc.md).
 *
 * The watchdog runs on CPU 0, which the config checker keeps free of cells when any cell has a
 * watchdog. About every millisecond CPU 0 looks at each comm region and notes when an answer to the
 * current request first appears; every period it posts a heartbeat, and an unanswered one counts as
 * missed. At the configured number of misses the cell is stopped or restarted, and the report says how
 * long it had been silent: since the hypervisor first saw its last answer (or since its start). A
 * manager's shutdown request is posted the same way and settled by its answer or by the limit. The
 * request sequence number is the hypervisor's own; the cell's fields are only compared with it. Each
 * miss and each action is a `watchdog` trace event (on CPU 0's ring, under the watched cell's mask).
 */
#include <tessera/arch.h>
#include <tessera/cell.h>
#include <tessera/config_check.h>
#include <tessera/console.h>
#include <tessera/error.h>
#include <tessera/format.h>
#include <tessera/ivc.h>
#include <tessera/page_pool.h>
#include <tessera/string.h>
#include <tessera/abi/comm_region.h>

#include "../trace/write.h"

static const struct tessera_config_header *config_blob; /* checked at boot, never changes */

static const struct tessera_config_header *blob_of(const struct cell *c)
{
	(void)c;
	return config_blob;
}

int ivc_cell_create(struct cell *c, const struct tessera_config_header *blob, char *why, size_t why_len)
{
	int err;

	config_blob = blob;
	if (!c->cfg->comm_region)
		return 0;
	c->ivc.comm = page_pool_alloc(&hv_page_pool, 1, 1);
	if (!c->ivc.comm) {
		format_snprintf(why, why_len, "cell '%s': no memory for its comm region", c->name);
		return -HV_ENOMEM;
	}
	err = pgtable_map(&c->stage2, c->cfg->comm_region, (uintptr_t)c->ivc.comm, PAGE_SIZE,
			  arch_stage2_flags(cell_memory_pgflags(TESSERA_MEM_READ | TESSERA_MEM_WRITE)));
	if (err)
		format_snprintf(why, why_len, "cell '%s': cannot map its comm region: %s", c->name,
				hv_strerror(err));
	return err;
}

static void comm_doorbells(struct cell *c, struct tessera_comm_region *r)
{
	const struct tessera_config_header *hdr = blob_of(c);
	const struct tessera_config_doorbell *db = config_doorbells(hdr);

	for (uint32_t k = 0; k < c->cfg->doorbell_count && r->nr_db_out < TESSERA_COMM_MAX_DB; k++) {
		const struct tessera_config_doorbell *d = &db[c->cfg->doorbell_first + k];
		struct tessera_comm_doorbell *o = &r->db_out[r->nr_db_out++];
		o->cell_id = (uint32_t)config_cell_index(hdr, d->peer);
		o->vector = d->vector;
		format_snprintf(o->name, sizeof(o->name), "%s", d->peer);
	}
	for (unsigned int i = 0; i < nr_cells; i++) {
		const struct tessera_config_cell *oc = cells[i].cfg;
		for (uint32_t k = 0; k < oc->doorbell_count && r->nr_db_in < TESSERA_COMM_MAX_DB; k++) {
			const struct tessera_config_doorbell *d = &db[oc->doorbell_first + k];
			if (strcmp(d->peer, c->name) != 0)
				continue;
			struct tessera_comm_doorbell *in = &r->db_in[r->nr_db_in++];
			in->cell_id = i;
			in->vector = d->vector;
			format_snprintf(in->name, sizeof(in->name), "%s", cells[i].name);
		}
	}
}

void ivc_cell_start(struct cell *c)
{
	struct tessera_comm_region *r = c->ivc.comm;

	if (!r)
		return;
	memset(r, 0, PAGE_SIZE);
	r->magic = TESSERA_COMM_MAGIC;
	r->version = TESSERA_COMM_VERSION;
	r->cell_id = c->id;
	r->tsc_hz = arch_timestamp_hz();
	r->timer_hz = arch_vcpu_timer_hz();
	r->wd_period_ms = c->cfg->wd_period_ms;
	r->wd_missed = c->cfg->wd_missed;
	comm_doorbells(c, r);
	c->ivc.wd_alive = arch_timestamp();
	c->ivc.wd_next = c->ivc.wd_alive + arch_timestamp_hz() / 1000 * c->cfg->wd_period_ms;
	c->ivc.wd_missed = 0;
	c->ivc.seq = c->ivc.answered = c->ivc.reply = 0;
	c->ivc.shutdown = false;
	__atomic_store_n(&c->ivc.shutdown_asked, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&c->ivc.wd_gen, c->generation + 1, __ATOMIC_RELEASE);
}

int64_t ivc_doorbell_ring(struct vcpu *v, uint64_t peer)
{
	const struct cell *c = v->cell;
	const struct tessera_config_doorbell *db = config_doorbells(blob_of(c));
	struct cell *target = cell_get(peer);

	for (uint32_t k = 0; target && k < c->cfg->doorbell_count; k++) {
		const struct tessera_config_doorbell *d = &db[c->cfg->doorbell_first + k];
		if (strcmp(d->peer, target->name) != 0)
			continue;
		if (READ_ONCE(target->state) != TESSERA_CELL_RUNNING)
			return -HV_EBUSY; /* not running: nobody to wake */
		arch_vcpu_post_irq(target->vcpus[0], (uint8_t)d->vector, TESSERA_TRACE_IRQ_SRC_DOORBELL);
		return 0;
	}
	cell_violation_count(v, peer, "doorbell_ring to a cell its config does not list");
	return -HV_EPERM;
}

/* Post a request: data, kind, then the sequence number (release), from the hypervisor's own copy. */
static void comm_post(struct cell *c, uint32_t msg, uint64_t data)
{
	struct tessera_comm_region *r = c->ivc.comm;

	c->ivc.seq++;
	if (!c->ivc.seq)
		c->ivc.seq = 1; /* 0 means "no request yet" */
	r->msg_data = data;
	r->msg_to_cell = msg;
	__atomic_store_n(&r->msg_seq, c->ivc.seq, __ATOMIC_RELEASE);
}

/* Note the answer to the current request the moment it is first seen (CPU 0 polls about every ms). */
static void comm_see_answer(struct cell *c, uint64_t now)
{
	struct tessera_comm_region *r = c->ivc.comm;

	if (!c->ivc.seq || c->ivc.answered == c->ivc.seq ||
	    __atomic_load_n(&r->reply_seq, __ATOMIC_ACQUIRE) != c->ivc.seq)
		return;
	c->ivc.answered = c->ivc.seq;
	c->ivc.reply = READ_ONCE(r->reply_from_cell);
	c->ivc.wd_alive = now;
}

static uint64_t ms_of(uint64_t ticks, uint64_t hz)
{
	return ticks * 1000 / hz;
}

/* The watchdog's action: stop (failed) or restart, per the cell's config, reported by the caller. */
static void watchdog_act(struct cell *c, uint64_t silent_ms, const char *what)
{
	bool restart = c->cfg->wd_action == TESSERA_WATCHDOG_RESTART;

	trace_point(watchdog, arch_cpu_id(), (int)c->id, c->id, c->ivc.wd_missed, silent_ms,
		    restart ? TESSERA_TRACE_WD_RESTART : TESSERA_TRACE_WD_STOP, c->name);
	c->ivc.wd_missed = 0;
	c->ivc.shutdown = false;
	if (restart)
		cell_restart(c, "watchdog: %s, silent for %llu ms", what, (unsigned long long)silent_ms);
	else
		cell_stop(c, TESSERA_CELL_FAILED, "watchdog: %s, silent for %llu ms", what,
			  (unsigned long long)silent_ms);
}

static const char *action_name(const struct cell *c)
{
	return c->cfg->wd_action == TESSERA_WATCHDOG_RESTART ? "restarting it" : "stopping it";
}

static void watchdog_check(struct cell *c, uint64_t now, uint64_t hz)
{
	uint64_t period = hz / 1000 * c->cfg->wd_period_ms;

	if (!c->ivc.seq || (c->ivc.answered == c->ivc.seq && c->ivc.reply == TESSERA_REPLY_ALIVE)) {
		c->ivc.wd_missed = 0;
	} else if (++c->ivc.wd_missed < c->cfg->wd_missed) {
		trace_point(watchdog, arch_cpu_id(), (int)c->id, c->id, c->ivc.wd_missed,
			    ms_of(now - c->ivc.wd_alive, hz), TESSERA_TRACE_WD_MISSED, c->name);
	} else {
		uint64_t silent_ms = ms_of(now - c->ivc.wd_alive, hz);
		pr_err("WATCHDOG cell '%s' silent for %llu ms (%u heartbeats of %u ms missed): %s", c->name,
		       (unsigned long long)silent_ms, c->ivc.wd_missed, c->cfg->wd_period_ms, action_name(c));
		watchdog_act(c, silent_ms, "heartbeats missed");
		return;
	}
	comm_post(c, TESSERA_MSG_HEARTBEAT, now);
	c->ivc.wd_next = now + period;
}

/* How long a cell has to answer a shutdown request (and to exit after accepting it). */
#define SHUTDOWN_DEFAULT_MS 1000 /* for a cell without a watchdog */

static uint64_t shutdown_limit_ms(const struct cell *c)
{
	return c->cfg->wd_period_ms ? (uint64_t)c->cfg->wd_period_ms * c->cfg->wd_missed
				    : SHUTDOWN_DEFAULT_MS;
}

/*
 * A posted shutdown request: accepted (the cell exits by itself; if it is still running at the limit,
 * the watchdog acts), denied (reported; heartbeats resume), or unanswered at the limit (the watchdog
 * acts: stop or restart per the cell's config; stop for a cell without a watchdog).
 */
static void shutdown_check(struct cell *c, uint64_t now, uint64_t hz)
{
	uint64_t limit = shutdown_limit_ms(c);
	bool answered = c->ivc.answered == c->ivc.seq;

	if (answered && c->ivc.reply == TESSERA_REPLY_SHUTDOWN_DENIED) {
		pr_info("cell '%s' denied the shutdown request", c->name);
		c->ivc.shutdown = false;
		c->ivc.wd_next = now;
		return;
	}
	if (ms_of(now - c->ivc.shutdown_at, hz) < limit)
		return;
	uint64_t silent_ms = ms_of(now - c->ivc.wd_alive, hz);
	if (answered && c->ivc.reply == TESSERA_REPLY_SHUTDOWN_OK) {
		pr_err("WATCHDOG cell '%s' accepted the shutdown request but still runs after %llu ms: %s",
		       c->name, (unsigned long long)limit, action_name(c));
		watchdog_act(c, silent_ms, "did not exit after accepting a shutdown");
		return;
	}
	pr_err("WATCHDOG cell '%s' silent for %llu ms (shutdown request unanswered for %llu ms): %s", c->name,
	       (unsigned long long)silent_ms, (unsigned long long)limit, action_name(c));
	watchdog_act(c, silent_ms, "shutdown request unanswered");
}

int64_t ivc_cell_shutdown(struct cell *c)
{
	if (!c->ivc.comm)
		return -HV_ENOTSUP; /* nowhere to post it: use cell_stop */
	if (READ_ONCE(c->state) != TESSERA_CELL_RUNNING)
		return -HV_EBUSY;
	__atomic_store_n(&c->ivc.shutdown_asked, 1, __ATOMIC_RELEASE);
	return 0;
}

void ivc_watchdog_poll(void)
{
	uint64_t now = arch_timestamp(), hz = arch_timestamp_hz();

	if (!hz)
		return;
	for (unsigned int i = 0; i < nr_cells; i++) {
		struct cell *c = &cells[i];
		if (!c->ivc.comm || READ_ONCE(c->state) != TESSERA_CELL_RUNNING)
			continue;
		/* Only the generation ivc_cell_start prepared: a restart in flight rearms first. */
		if (__atomic_load_n(&c->ivc.wd_gen, __ATOMIC_ACQUIRE) != READ_ONCE(c->generation))
			continue;
		comm_see_answer(c, now);
		if (__atomic_exchange_n(&c->ivc.shutdown_asked, 0, __ATOMIC_ACQ_REL) && !c->ivc.shutdown) {
			pr_info("cell '%s': shutdown requested (it has %llu ms to answer and exit)", c->name,
				(unsigned long long)shutdown_limit_ms(c));
			c->ivc.shutdown = true;
			c->ivc.shutdown_at = now;
			comm_post(c, TESSERA_MSG_SHUTDOWN, 0);
		}
		if (c->ivc.shutdown)
			shutdown_check(c, now, hz);
		else if (c->cfg->wd_period_ms && now >= c->ivc.wd_next)
			watchdog_check(c, now, hz);
	}
}
