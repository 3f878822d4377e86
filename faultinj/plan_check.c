/* The shared fault-plan checker (plan_check.h): pure C, built for the host and the hypervisor. */
#include <tessera/abi/cell_stats.h>
#include <tessera/abi/hypercall.h>
#include <tessera/config_check.h>
#include <tessera/crc32.h>
#include <tessera/error.h>
#include <tessera/format.h>
#include <tessera/string.h>

#include "models.h"
#include "plan_check.h"

static int fail(struct fault_plan_error *err, int fault, enum fault_plan_field field, int param,
		const char *fmt, ...) __printf(5, 6);

static int fail(struct fault_plan_error *err, int fault, enum fault_plan_field field, int param,
		const char *fmt, ...)
{
	va_list ap;

	err->code = -HV_EINVAL;
	err->fault = fault;
	err->field = field;
	err->param = param;
	va_start(ap, fmt);
	format_vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -HV_EINVAL;
}

uint32_t fault_plan_checksum(const void *blob, size_t size)
{
	return crc32_blob(blob, size, offsetof(struct tessera_fault_plan_header, checksum));
}

static unsigned int cell_cpu_count(const struct tessera_config_cell *c)
{
	unsigned int n = 0;

	for (uint64_t m = c->cpus; m; m &= m - 1)
		n++;
	return n;
}

/* The byte at gpa lies in a writable RAM region (not a device) of the cell. */
static bool gpa_in_ram(const struct tessera_config_header *cfg, const struct tessera_config_cell *c,
		       uint64_t gpa)
{
	const struct tessera_config_memory *m = config_memory(cfg) + c->memory_first;

	for (uint32_t i = 0; i < c->memory_count; i++)
		if ((m[i].flags & TESSERA_MEM_WRITE) && !(m[i].flags & TESSERA_MEM_DEVICE) &&
		    gpa >= m[i].guest && gpa - m[i].guest < m[i].size)
			return true;
	return false;
}

static int check_trigger(const struct tessera_fault *f, int i, const struct fault_model_desc *m,
			 struct fault_plan_error *err)
{
	const struct tessera_fault_trigger *t = &f->trigger;

	if (t->kind >= TESSERA_FT_COUNT || !(m->triggers & (1u << t->kind)))
		return fail(err, i, FPF_TRIGGER, -1, "%s: trigger '%s' is not one this model takes", m->name,
			    fault_trigger_name(t->kind));
	if (t->kind == TESSERA_FT_EXIT && t->reason > TESSERA_ER_COUNT)
		return fail(err, i, FPF_REASON, -1, "unknown exit reason %u", t->reason);
	if (t->kind != TESSERA_FT_EXIT && t->reason)
		return fail(err, i, FPF_REASON, -1, "a reason goes only with an exit trigger");
	if ((t->kind == TESSERA_FT_EXIT || t->kind == TESSERA_FT_NTH || t->kind == TESSERA_FT_EVERY) &&
	    !t->value)
		return fail(err, i, FPF_TRIGGER, -1, "%s counts from 1", fault_trigger_name(t->kind));
	if (t->kind == TESSERA_FT_PROBABILITY && (!t->value || t->value > TESSERA_FAULT_PROB_ONE))
		return fail(err, i, FPF_TRIGGER, -1, "a probability lies in (0, 1]");
	return 0;
}

/* What only one model's parameters can say about each other. */
static int check_model(const struct tessera_fault *f, int i, const struct tessera_config_header *cfg,
		       struct fault_plan_error *err)
{
	const struct tessera_config_cell *c = f->cell >= 0 ? &config_cells(cfg)[f->cell] : NULL;
	const uint64_t *p = f->params;
	bool at_exits = f->trigger.kind <= TESSERA_FT_TSC;

	switch (f->model) {
	case FAULT_FAIL_POINT:
		if (!p[FP_fail_point_error])
			return fail(err, i, FPF_PARAM, FP_fail_point_error,
				    "a fail point returns an error, not 0");
		break;
	case FAULT_INTERRUPT:
		if (p[FP_interrupt_action] == SPURIOUS && (p[FP_interrupt_vector] < 32 || !at_exits))
			return fail(err, i, FPF_PARAM, FP_interrupt_vector,
				    "spurious: needs a vector 32..255 and a trigger at exits (now, exit, "
				    "icount, tsc)");
		if (p[FP_interrupt_action] != SPURIOUS && at_exits && f->trigger.kind != TESSERA_FT_NOW)
			return fail(err, i, FPF_TRIGGER, -1,
				    "drop, delay, duplicate act on interrupts: use nth, every, probability "
				    "or now");
		if (p[FP_interrupt_action] == DELAY && !p[FP_interrupt_delay_exits] &&
		    !p[FP_interrupt_delay_us])
			return fail(err, i, FPF_PARAM, FP_interrupt_action,
				    "delay: needs delay_exits or delay_us");
		break;
	case FAULT_HYPERCALL:
		if (p[FP_hypercall_call] != HYPERCALL_ANY && p[FP_hypercall_call] >= TESSERA_HC_COUNT)
			return fail(err, i, FPF_PARAM, FP_hypercall_call, "unknown hypercall %llu",
				    (unsigned long long)p[FP_hypercall_call]);
		if (p[FP_hypercall_arg] > 3)
			return fail(err, i, FPF_PARAM, FP_hypercall_arg, "a hypercall has arguments 0..3");
		if (p[FP_hypercall_action] == HC_FAIL && !p[FP_hypercall_error])
			return fail(err, i, FPF_PARAM, FP_hypercall_error, "fail: the error cannot be 0");
		break;
	case FAULT_MEMORY_FLIP:
		if (p[FP_memory_flip_bit] > 7)
			return fail(err, i, FPF_PARAM, FP_memory_flip_bit, "a byte has bits 0..7");
		if (!gpa_in_ram(cfg, c, p[FP_memory_flip_addr]))
			return fail(err, i, FPF_PARAM, FP_memory_flip_addr,
				    "%#llx is not in a writable RAM region of cell '%.*s'",
				    (unsigned long long)p[FP_memory_flip_addr], TESSERA_NAME_LEN, c->name);
		break;
	case FAULT_MEMORY_FAULT:
		if (!gpa_in_ram(cfg, c, p[FP_memory_fault_addr]))
			return fail(err, i, FPF_PARAM, FP_memory_fault_addr,
				    "%#llx is not in a writable RAM region of cell '%.*s'",
				    (unsigned long long)p[FP_memory_fault_addr], TESSERA_NAME_LEN, c->name);
		break;
	case FAULT_MACHINE_CHECK:
		if (!(p[FP_machine_check_status] >> 63))
			return fail(err, i, FPF_PARAM, FP_machine_check_status,
				    "status %#llx has VAL (bit 63) clear: the bank would hold nothing",
				    (unsigned long long)p[FP_machine_check_status]);
		if (p[FP_machine_check_bank] >= 32)
			return fail(err, i, FPF_PARAM, FP_machine_check_bank, "a machine has banks 0..31");
		break;
	default: break;
	}
	return 0;
}

int fault_check(const struct tessera_fault *f, int i, const struct tessera_config_header *cfg,
		struct fault_plan_error *err)
{
	const struct fault_model_desc *m = fault_model_by_id(f->model);

	if (!m)
		return fail(err, i, FPF_MODEL, -1, "unknown fault model %u", f->model);
	if (f->flags)
		return fail(err, i, FPF_FLAGS, -1, "flags %#x: none are defined", f->flags);
	if (f->cell == TESSERA_FAULT_ANY && f->model != FAULT_FAIL_POINT)
		return fail(err, i, FPF_CELL, -1, "%s needs a target cell", m->name);
	if (f->cell < TESSERA_FAULT_ANY || (f->cell >= 0 && (uint32_t)f->cell >= cfg->nr_cells))
		return fail(err, i, FPF_CELL, -1, "no cell %d (the config has %u)", f->cell, cfg->nr_cells);
	if (f->vcpu != TESSERA_FAULT_ANY) {
		unsigned int n = f->cell >= 0 ? cell_cpu_count(&config_cells(cfg)[f->cell]) : 0;
		if (f->vcpu < 0 || (unsigned int)f->vcpu >= n)
			return fail(err, i, FPF_VCPU, -1, "no vcpu %d in the cell (it has %u)", f->vcpu, n);
	}
	int ret = check_trigger(f, i, m, err);
	if (ret)
		return ret;
	for (unsigned int k = 0; k < TESSERA_FAULT_PARAMS; k++) {
		if (k >= m->nr_params) {
			if (f->params[k])
				return fail(err, i, FPF_PARAM, k, "%s has no parameter slot %u", m->name, k);
			continue;
		}
		uint64_t max = fault_param_max(m->params[k].type);
		bool any_call = m->params[k].type == FPT_HYPERCALL && f->params[k] == HYPERCALL_ANY;
		if (f->params[k] > max && !any_call)
			return fail(err, i, FPF_PARAM, k, "%s: %llu is not %s", m->params[k].name,
				    (unsigned long long)f->params[k],
				    fault_param_type_what(m->params[k].type));
		if (m->params[k].type == FPT_ERROR && !fault_param_word(FPT_ERROR, f->params[k]) &&
		    f->params[k])
			return fail(err, i, FPF_PARAM, k, "error: %llu is not an error code",
				    (unsigned long long)f->params[k]);
	}
	return check_model(f, i, cfg, err);
}

int fault_plan_check(const void *blob, size_t size, const struct tessera_config_header *cfg,
		     struct fault_plan_error *err)
{
	const struct tessera_fault_plan_header *h = blob;
	uint64_t end;

	if (size < sizeof(*h) || memcmp(h->magic, TESSERA_FAULT_PLAN_MAGIC, sizeof(h->magic)))
		return fail(err, -1, FPF_HEADER, -1, "not a fault plan (bad magic)");
	if (h->version != TESSERA_FAULT_PLAN_VERSION)
		return fail(err, -1, FPF_HEADER, -1, "fault plan version %u, this hypervisor reads %u",
			    h->version, TESSERA_FAULT_PLAN_VERSION);
	if (h->total_size < sizeof(*h) || h->total_size > size)
		return fail(err, -1, FPF_HEADER, -1, "fault plan size %u, the module has %llu bytes",
			    h->total_size, (unsigned long long)size);
	if (fault_plan_checksum(blob, h->total_size) != h->checksum)
		return fail(err, -1, FPF_HEADER, -1, "fault plan checksum mismatch");
	if (h->catalog_hash != fault_catalog_hash())
		return fail(err, -1, FPF_HEADER, -1, "fault plan written for another table of fault models");
	if (h->flags)
		return fail(err, -1, FPF_HEADER, -1, "fault plan flags %#x: none are defined", h->flags);
	end = (uint64_t)h->faults_offset + (uint64_t)h->nr_faults * sizeof(struct tessera_fault);
	if (h->nr_faults > TESSERA_FAULT_MAX || h->faults_offset % 8 || h->faults_offset < sizeof(*h) ||
	    end > h->total_size)
		return fail(err, -1, FPF_HEADER, -1,
			    "fault plan: %u faults at offset %u do not fit (at most %u)", h->nr_faults,
			    h->faults_offset, TESSERA_FAULT_MAX);
	for (uint32_t i = 0; i < h->nr_faults; i++) {
		int ret = fault_check(&fault_plan_faults(h)[i], (int)i, cfg, err);
		if (ret)
			return ret;
	}
	return 0;
}
