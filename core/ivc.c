/*
 * Comm regions, doorbells and the watchdog (ivc.h, docs/ivc.md).
 *
 * The watchdog runs on CPU 0, which owns no cell: every period it looks at each watched cell's comm
 * region; an answered heartbeat resets the count, an unanswered one counts as missed; at the configured
 * number of misses the cell is stopped or restarted and the report says how long it had been silent.
 * Then a new heartbeat is posted. The cell's answers are only compared, never trusted further. Each miss
 * and each action is a `watchdog` trace event (on CPU 0's ring, under the watched cell's mask).
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
	r->lapic_timer_hz = arch_vcpu_timer_hz();
	r->wd_period_ms = c->cfg->wd_period_ms;
	r->wd_missed = c->cfg->wd_missed;
	comm_doorbells(c, r);
	c->ivc.wd_alive = arch_timestamp();
	c->ivc.wd_next = c->ivc.wd_alive + arch_timestamp_hz() / 1000 * c->cfg->wd_period_ms;
	c->ivc.wd_missed = 0;
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
		arch_vcpu_post_irq(target->vcpus[0], (uint8_t)d->vector);
		return 0;
	}
	cell_violation_count(v, peer, "doorbell_ring to a cell its config does not list");
	return -HV_EPERM;
}

static void watchdog_check(struct cell *c, uint64_t now, uint64_t hz)
{
	struct tessera_comm_region *r = c->ivc.comm;
	uint64_t period = hz / 1000 * c->cfg->wd_period_ms;
	uint32_t seq = READ_ONCE(r->msg_seq);

	if (READ_ONCE(r->reply_seq) == seq && seq != 0 &&
	    READ_ONCE(r->reply_from_cell) == TESSERA_REPLY_ALIVE) {
		c->ivc.wd_missed = 0;
		c->ivc.wd_alive = now;
	} else if (seq != 0 && ++c->ivc.wd_missed < c->cfg->wd_missed) {
		trace_point(watchdog, arch_cpu_id(), (int)c->id, c->id, c->ivc.wd_missed,
			    (now - c->ivc.wd_alive) * 1000 / hz, TESSERA_TRACE_WD_MISSED, c->name);
	} else if (seq != 0) {
		uint64_t silent_ms = (now - c->ivc.wd_alive) * 1000 / hz;
		bool restart = c->cfg->wd_action == TESSERA_WATCHDOG_RESTART;
		trace_point(watchdog, arch_cpu_id(), (int)c->id, c->id, c->ivc.wd_missed, silent_ms,
			    restart ? TESSERA_TRACE_WD_RESTART : TESSERA_TRACE_WD_STOP, c->name);
		pr_err("WATCHDOG cell '%s' silent for %llu ms (%u heartbeats of %u ms missed): %s", c->name,
		       (unsigned long long)silent_ms, c->ivc.wd_missed, c->cfg->wd_period_ms,
		       restart ? "restarting it" : "stopping it");
		c->ivc.wd_missed = 0;
		if (restart) {
			cell_restart(c);
		} else {
			cell_stop(c, TESSERA_CELL_FAILED, "watchdog: silent for %llu ms",
				  (unsigned long long)silent_ms);
		}
		return;
	}
	r->msg_data = now;
	r->msg_to_cell = TESSERA_MSG_HEARTBEAT;
	__atomic_store_n(&r->msg_seq, seq + 1, __ATOMIC_RELEASE);
	c->ivc.wd_next = now + period;
}

void ivc_watchdog_poll(void)
{
	uint64_t now = arch_timestamp(), hz = arch_timestamp_hz();

	if (!hz)
		return;
	for (unsigned int i = 0; i < nr_cells; i++) {
		struct cell *c = &cells[i];
		if (!c->cfg->wd_period_ms || !c->ivc.comm || READ_ONCE(c->state) != TESSERA_CELL_RUNNING)
			continue;
		/* Only the generation ivc_cell_start prepared: a restart in flight rearms first. */
		if (__atomic_load_n(&c->ivc.wd_gen, __ATOMIC_ACQUIRE) != READ_ONCE(c->generation))
			continue;
		if (now >= c->ivc.wd_next)
			watchdog_check(c, now, hz);
	}
}
