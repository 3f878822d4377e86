/*
 * The control ABI's dispatcher (tessera/control.h). The mailbox has one consumer, CPU 0: in its idle loop
 * and, when it runs a cell, at its tick (every HOOK_TICK_EXITS exits), so a command is carried out within
 * about a millisecond either way. A manager's `control` hypercall runs the same commands on its own CPU.
 */
#include <tessera/arch.h>
#include <tessera/cell.h>
#include <tessera/console.h>
#include <tessera/control.h>
#include <tessera/error.h>
#include <tessera/faultinj.h>
#include <tessera/hooks.h>
#include <tessera/string.h>
#include <tessera/trace.h>

static struct tessera_control_mailbox *mailbox;

static const char *const command_names[] = {
#define CTL_NAME(num, GROUP, NAME, name, desc) [num] = name,
	TESSERA_CONTROL_COMMANDS(CTL_NAME)
#undef CTL_NAME
};

const char *control_command_name(uint32_t op)
{
	return op < ARRAY_SIZE(command_names) && command_names[op] ? command_names[op] : "?";
}

/* A cell command's target: another cell than the manager asking (it has cell_exit for itself). */
static int64_t cell_command(uint32_t op, uint64_t id, struct cell *from)
{
	struct cell *c = cell_get(id);

	if (!c)
		return -HV_ENOENT;
	if (c == from)
		return -HV_EINVAL;
	switch (op) {
	case TESSERA_CTL_CELL_START: return cell_start(c);
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
	case TESSERA_CTL_CELL_RESTART: return cell_command(op, req->args[0], from);
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
