/*
 * Hypercall dispatch. The table is generated from the TESSERA_HYPERCALLS X-macro (abi/hypercall.h): one
 * handler per entry, named hc_<NAME>, and the "manager" column decides who may call it. Arguments come
 * from the guest and are never trusted: ids are range-checked, guest buffers go through the cell's
 * second-stage map (cell_copy_*), sizes are capped.
 */
#include <tessera/arch.h>
#include <tessera/cell.h>
#include <tessera/control.h>
#include <tessera/error.h>
#include <tessera/format.h>
#include <tessera/ivc.h>
#include <tessera/results.h>
#include <tessera/string.h>
#include <tessera/trace.h>

#include "../trace/write.h"

#define CONSOLE_WRITE_MAX 4096 /* bytes per call; the runtime splits longer text */

typedef int64_t (*hypercall_fn)(struct vcpu *v, const uint64_t a[4]);

static int64_t hc_NOP(struct vcpu *v, const uint64_t a[4])
{
	(void)v;
	(void)a;
	return 0;
}

static int64_t hc_CONSOLE_WRITE(struct vcpu *v, const uint64_t a[4])
{
	char buf[256];
	uint64_t addr = a[0], left = a[1];

	if (left > CONSOLE_WRITE_MAX)
		return -HV_ERANGE;
	/* All of it or nothing: a buffer that runs off the cell's memory prints not even its first part. */
	int err = cell_check_guest_range(v->cell, addr, left, false);
	if (err)
		return err;
	while (left) {
		size_t chunk = MIN(left, sizeof(buf));
		err = cell_copy_from_guest(v->cell, buf, addr, chunk);
		if (err)
			return err;
		if (addr == a[0] && trace_is_enabled(TESSERA_TRACE_EV_console, (int)v->cell->id)) {
			char text[TESSERA_TRACE_STR_LEN];
			size_t n = MIN(chunk, sizeof(text) - 1);
			memcpy(text, buf, n);
			text[n] = '\0';
			trace_point(console, v->cpu, (int)v->cell->id, (uint32_t)a[1], text);
		}
		cell_console_write(v, buf, chunk);
		addr += chunk;
		left -= chunk;
	}
	return (int64_t)a[1];
}

static int64_t hc_CELL_EXIT(struct vcpu *v, const uint64_t a[4])
{
	int64_t status = (int64_t)a[0];

	cell_console_flush(v);
	v->cell->exit_status = status;
	if (status == 0)
		cell_stop(v->cell, TESSERA_CELL_FINISHED, "exit status 0");
	else
		cell_stop(v->cell, TESSERA_CELL_FAILED, "exit status %lld", (long long)status);
	return 0;
}

static int64_t hc_CELL_INFO(struct vcpu *v, const uint64_t a[4])
{
	return a[0] ? (int64_t)nr_cells : (int64_t)v->cell->id;
}

static bool is_manager(const struct vcpu *v)
{
	return v->cell->cfg->flags & TESSERA_CELL_MANAGER;
}

static int64_t hc_CELL_STATS(struct vcpu *v, const uint64_t a[4])
{
	struct cell *c = cell_get(a[0]);
	struct tessera_cell_stats copy;

	if (!c)
		return -HV_ENOENT;
	if (c != v->cell && !is_manager(v))
		return -HV_EPERM;
	if (a[2] < sizeof(copy.version) + sizeof(copy.nr_reasons))
		return -HV_EINVAL;
	cell_stats_get(c, &copy);
	return cell_copy_to_guest(v->cell, a[1], &copy, MIN(a[2], sizeof(copy))) ?: (int64_t)sizeof(copy);
}

/* A manager may not stop or restart itself through these: it has cell_exit for that. */
static struct cell *other_cell(struct vcpu *v, uint64_t id, int64_t *err)
{
	struct cell *c = cell_get(id);

	*err = !c ? -HV_ENOENT : c == v->cell ? -HV_EINVAL : 0;
	return *err ? NULL : c;
}

static int64_t hc_CELL_START(struct vcpu *v, const uint64_t a[4])
{
	int64_t err;
	struct cell *c = other_cell(v, a[0], &err);

	return c ? cell_start(c) : err;
}

static int64_t hc_CELL_STOP(struct vcpu *v, const uint64_t a[4])
{
	int64_t err;
	struct cell *c = other_cell(v, a[0], &err);

	return c ? cell_stop_by(c, v->cell->name) : err;
}

static int64_t hc_CELL_RESTART(struct vcpu *v, const uint64_t a[4])
{
	int64_t err;
	struct cell *c = other_cell(v, a[0], &err);

	return c ? cell_restart(c, "restart requested by cell '%s'", v->cell->name) : err;
}

static int64_t hc_CELL_SHUTDOWN(struct vcpu *v, const uint64_t a[4])
{
	int64_t err;
	struct cell *c = other_cell(v, a[0], &err);

	return c ? ivc_cell_shutdown(c) : err;
}

static int64_t hc_CELL_STATE(struct vcpu *v, const uint64_t a[4])
{
	struct cell *c = cell_get(a[0]);

	(void)v;
	return c ? (int64_t)READ_ONCE(c->state) : -HV_ENOENT;
}

static int64_t hc_DOORBELL_RING(struct vcpu *v, const uint64_t a[4])
{
	return ivc_doorbell_ring(v, a[0]);
}

static int64_t hc_TRACE_CONTROL(struct vcpu *v, const uint64_t a[4])
{
	(void)v;
	return trace_hv_control((uint32_t)a[0], a[1], a[2]);
}

/* The control ABI's commands, as the host's mailbox sends them (core/control.c). */
static int64_t hc_CONTROL(struct vcpu *v, const uint64_t a[4])
{
	struct tessera_control_request req;

	if (a[2] != sizeof(req))
		return -HV_EINVAL;
	int err = cell_copy_from_guest(v->cell, &req, a[1], sizeof(req));
	if (err)
		return err;
	if (req.payload_size > sizeof(req.payload))
		return -HV_EINVAL;
	int64_t ret = control_run((uint32_t)a[0], &req, v->cell);
	err = cell_copy_to_guest(v->cell, a[1], req.args, sizeof(req.args));
	return err ? err : ret;
}

/* The results page (core/results.c): a record into the calling cell's own ring, nowhere else. */
static int64_t hc_RESULTS_WRITE(struct vcpu *v, const uint64_t a[4])
{
	return results_hv_write(v, a[0], a[1]);
}

static const struct {
	const char *name;
	bool manager_only;
	hypercall_fn fn;
} hypercalls[] = {
#define HC_ENTRY(num, NAME, name, who, desc) [num] = {name, who[0] == 'm', hc_##NAME},
	TESSERA_HYPERCALLS(HC_ENTRY)
#undef HC_ENTRY
};

const char *hypercall_name(uint64_t nr)
{
	return nr < ARRAY_SIZE(hypercalls) && hypercalls[nr].name ? hypercalls[nr].name : "?";
}

/*
 * The one privilege check's refusal (exit.c makes the check, from the privilege level the arch decoded
 * with the exit, before the number is even looked at): a process of the cell's OS (x86: CPL 3) must not
 * stop, start or restart cells, print, or end its own cell. Refused as a violation (counted and
 * reported: it is an attempt past the cell's kernel), with -EPERM.
 */
int64_t hypercall_refuse_user_mode(struct vcpu *v, uint64_t nr)
{
	char what[64];

	format_snprintf(what, sizeof(what), "hypercall %s (%llu) from user mode refused", hypercall_name(nr),
			(unsigned long long)nr);
	cell_violation_count(v, nr, what);
	return -HV_EPERM;
}

/* A hypercall from the cell's kernel (hypercall_refuse_user_mode says who checks that). */
int64_t hypercall_dispatch(struct vcpu *v, uint64_t nr, const uint64_t args[4])
{
	if (nr >= ARRAY_SIZE(hypercalls) || !hypercalls[nr].fn)
		return -HV_EINVAL;
	if (hypercalls[nr].manager_only && !is_manager(v))
		return -HV_EPERM;
	return hypercalls[nr].fn(v, args);
}
