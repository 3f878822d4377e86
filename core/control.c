/*
 * The control ABI's dispatcher (tessera/control.h). The mailbox has one consumer, CPU 0: in its idle loop
 * and, when it runs a cell, at its tick (every HOOK_TICK_EXITS exits), so a command is carried out within
 * about a millisecond either way. A manager's `control` hypercall runs the same commands on its own CPU.
 */
#include <tessera/arch.h>
#include <tessera/cell.h>
#include <tessera/abi/fault_plan.h>
#include <tessera/console.h>
#include <tessera/control.h>
#include <tessera/error.h>
#include <tessera/faultinj.h>
#include <tessera/hooks.h>
#include <tessera/string.h>
#include <tessera/trace.h>

static struct tessera_control_mailbox *mailbox;
/* The host's hold (SYS_HOLD): the machine stays up when every cell has ended, for its next restart. */
static bool held;

bool control_holds_machine(void)
{
	return __atomic_load_n(&held, __ATOMIC_ACQUIRE);
}

static const char *const command_names[] = {
#define CTL_NAME(num, GROUP, NAME, name, desc) [num] = name,
	TESSERA_CONTROL_COMMANDS(CTL_NAME)
#undef CTL_NAME
};

const char *control_command_name(uint32_t op)
{
	return op < ARRAY_SIZE(command_names) && command_names[op] ? command_names[op] : "?";
}

/*
 * An ended cell started again with one fault armed just before its start, so that the fault's triggers
 * (exits, instructions, passes from arming) count from the new run as a boot's plan counts from the
 * first: one experiment of a many-per-boot campaign (docs/fault-campaigns.md). A running cell is
 * refused: its exits would count towards the trigger before the restart; so is a running cell of the
 * others' mask, whose shared memory is about to be cleared.
 *
 * The shared regions only these cells map are cleared first, so that the experiment starts from the
 * memory a boot starts from: a restart alone keeps shared memory (the peer uses it), and a peer that
 * started first then read the previous run's queues as if its partner had set them up (pingpong lost
 * its first messages and hung in every experiment after the first of a boot).
 */
static int64_t restart_with_fault(struct cell *c, const struct tessera_control_request *req)
{
	struct tessera_fault f;

	if (req->payload_size != sizeof(f))
		return -HV_EINVAL;
	if (READ_ONCE(c->state) == TESSERA_CELL_RUNNING || READ_ONCE(c->restart_pending))
		return -HV_EBUSY;
	for (uint64_t k = 0; k < 64; k++) {
		struct cell *o = cell_get(k);
		if (!(req->args[2] >> k & 1))
			continue;
		if (!o || o == c)
			return -HV_EINVAL;
		if (READ_ONCE(o->state) == TESSERA_CELL_RUNNING || READ_ONCE(o->restart_pending))
			return -HV_EBUSY;
	}
	memcpy(&f, req->payload, sizeof(f));
	int64_t slot = faultinj_arm(&f, req->args[1], true);
	if (slot < 0)
		return slot;
	cells_memory_clear_shared(req->args[2] | 1ULL << c->id);
	/*
	 * The others (canaries, peers) in the same command, prepared (memory, image) before any is released,
	 * then released: first the cells of mask args[3] (the campaign's canaries), then the rest and the
	 * target in the config's order, as a boot starts them.
	 *  - One command: a host sending the others one by one after the target could be late by a whole run
	 *    of it (a loaded host).
	 *  - Canaries first, running before the target is released: a canary that takes its reference
	 *    after the fault landed sees nothing (released just after the target, a canary's first pass
	 *    came only after the target's whole run: under -icount the CPUs share one clock and one thread).
	 *  - Peers in the config's order: all the others first made pingpong's peer start before ping,
	 *    unlike a boot (its first doorbell went to a stopped cell, and the experiments' outcomes differed
	 *    from those of the same experiments in boots of their own).
	 */
	struct cell *set[TESSERA_MAX_CELLS];
	unsigned int n = 0, first = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t k = 0; k < 64 && n < TESSERA_MAX_CELLS; k++) {
			struct cell *o = cell_get(k);
			bool early = (req->args[2] & req->args[3]) >> k & 1;
			if (o && (o == c || (req->args[2] >> k & 1)) && early == (pass == 0))
				set[n++] = o;
		}
		if (pass == 0)
			first = n; /* the canaries: running before the others are released */
	}
	pr_info("faultinj: fault %lld armed for the restart of cell '%s'", (long long)slot, c->name);
	int err = cells_start_together(set, n, first);
	return err ? err : slot;
}

/* A cell command's target: another cell than the manager asking (it has cell_exit for itself). */
static int64_t cell_command(uint32_t op, const struct tessera_control_request *req, struct cell *from)
{
	struct cell *c = cell_get(req->args[0]);

	if (!c)
		return -HV_ENOENT;
	if (c == from)
		return -HV_EINVAL;
	switch (op) {
	case TESSERA_CTL_CELL_START: return cell_start(c);
	case TESSERA_CTL_CELL_RESTART_FAULT: return restart_with_fault(c, req);
	case TESSERA_CTL_CELL_STOP: return cell_stop_by(c, from ? from->name : NULL);
	default:
		return from ? cell_restart(c, "restart requested by cell '%s'", from->name)
			    : cell_restart(c, "restart requested by the host");
	}
}

int64_t control_run(uint32_t op, struct tessera_control_request *req, struct cell *from)
{
	switch (op) {
	case TESSERA_CTL_TRACE_ENABLE:
	case TESSERA_CTL_TRACE_DISABLE: return trace_hv_control(op, req->args[0], req->args[1]);
	case TESSERA_CTL_TRACE_TIME_SYNC:
		/* Not a trace_command event: the host sends these in bursts, they would crowd the ring. Only the
		 * mailbox: a cell has its own TSC. */
		if (from)
			return -HV_EINVAL;
		req->args[2] = arch_timestamp();
		return 0;
	case TESSERA_CTL_FI_INJECT:
	case TESSERA_CTL_FI_DISARM:
	case TESSERA_CTL_FI_STATUS: return faultinj_control(op, req);
	case TESSERA_CTL_CELL_START:
	case TESSERA_CTL_CELL_STOP:
	case TESSERA_CTL_CELL_RESTART:
	case TESSERA_CTL_CELL_RESTART_FAULT: return cell_command(op, req, from);
	case TESSERA_CTL_SYS_HOLD:
		/* Only the host: a cell holding the machine up would outlive its own end. */
		if (from || req->args[0] > 1)
			return -HV_EINVAL;
		__atomic_store_n(&held, req->args[0] == 1, __ATOMIC_RELEASE);
		return 0;
	default: return -HV_EINVAL;
	}
}

static __noinline void mailbox_run(struct tessera_control_mailbox *mb, uint32_t seq)
{
	/* The host may write the shared block at any time: work on a copy, checked once. */
	struct tessera_control_request req = mb->req;

	if (req.payload_size > sizeof(req.payload))
		mb->result = -HV_EINVAL;
	else
		mb->result = (int32_t)control_run(mb->op, &req, NULL);
	memcpy(mb->req.args, req.args, sizeof(req.args));
	__atomic_store_n(&mb->ack, seq, __ATOMIC_RELEASE);
}

void control_poll(void)
{
	struct tessera_control_mailbox *mb = mailbox;

	if (!mb)
		return;
	uint32_t seq = __atomic_load_n(&mb->seq, __ATOMIC_ACQUIRE);
	if (unlikely(seq != mb->ack))
		mailbox_run(mb, seq);
}

/* CPU 0's tick: the mailbox is served while CPU 0 runs a cell too. */
static void control_tick(void *ctx)
{
	(void)ctx;
	control_poll();
}

static const struct hook_client control_hook = {
	.name = "control",
	.tick = control_tick,
};

void control_attach(struct tessera_control_mailbox *mb)
{
	if (hooks_register(&control_hook)) {
		pr_warn("control: no room for the control hook: the mailbox is served only while CPU 0 is "
			"idle");
	}
	mailbox = mb;
}
