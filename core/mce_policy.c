/*
 * Machine checks: attribution and the action table (mce.h), pure functions over the checked config so
 * that the host's unit tests run the very code the hypervisor does.
 */
#include <tessera/config_check.h>
#include <tessera/mce.h>
#include <tessera/abi/config.h>

#define SYM_NAME(v, NAME, name, doc) [v] = name,
static const char *const severity_names[] = {TESSERA_TRACE_MCE_SEVERITIES(SYM_NAME)};
static const char *const action_names[] = {TESSERA_TRACE_MCE_ACTIONS(SYM_NAME)};
#undef SYM_NAME

static const char *const policy_names[] = {
	[TESSERA_MCE_STOP] = "stop",
	[TESSERA_MCE_FORWARD] = "forward",
	[TESSERA_MCE_RESTART] = "restart",
	[TESSERA_MCE_LOG] = "log",
};

const char *mce_severity_name(unsigned int severity)
{
	return severity < TESSERA_MCE_SEV_COUNT ? severity_names[severity] : "?";
}

const char *mce_action_name(unsigned int action)
{
	return action < TESSERA_MCE_ACT_COUNT ? action_names[action] : "?";
}

const char *mce_policy_name(uint32_t policy)
{
	return policy < ARRAY_SIZE(policy_names) ? policy_names[policy] : "?";
}

static bool in_range(uint64_t addr, uint64_t base, uint64_t size)
{
	return addr >= base && addr - base < size;
}

/* The cell (index) whose config names `cpu`, or MCE_OWNER_HV. */
static int cell_of_cpu(const struct tessera_config_header *hdr, uint32_t cpu)
{
	const struct tessera_config_cell *cells = config_cells(hdr);

	for (unsigned int i = 0; cpu < 64 && i < hdr->nr_cells; i++)
		if (cells[i].cpus & (1ULL << cpu))
			return (int)i;
	return MCE_OWNER_HV;
}

int mce_attribute(const struct tessera_config_header *hdr, const struct mce_record *r)
{
	if (!hdr)
		return MCE_OWNER_HV;

	const struct tessera_config_cell *cells = config_cells(hdr);
	const struct tessera_config_memory *mem = config_memory(hdr);
	int on_cpu = cell_of_cpu(hdr, r->cpu), first = MCE_OWNER_HV;

	if (r->addr_valid) {
		for (unsigned int i = 0; i < hdr->nr_cells; i++) {
			for (unsigned int k = 0; k < cells[i].memory_count; k++) {
				const struct tessera_config_memory *m = &mem[cells[i].memory_first + k];
				if (!in_range(r->addr, m->phys, m->size))
					continue;
				/* A shared page is both sharers': the one running on the CPU consumed it. */
				if (!(m->flags & TESSERA_MEM_SHARED) || (int)i == on_cpu)
					return (int)i;
				if (first == MCE_OWNER_HV)
					first = (int)i;
			}
		}
		if (first != MCE_OWNER_HV)
			return first;
		if (in_range(r->addr, hdr->hv_base, hdr->hv_size))
			return MCE_OWNER_HV;
	}
	return on_cpu;
}

/*
 * The table of docs/machine-checks.md. Corrected errors need nothing but a record. An uncorrected one in
 * the hypervisor cannot be contained (no cell to sacrifice): panic. In a cell the policy decides, except
 * that a fatal one (the context that took it is corrupt or cannot be resumed) can be neither forwarded
 * nor ignored: the cell is restarted if that is its policy, stopped otherwise.
 */
enum tessera_trace_mce_action mce_decide(unsigned int severity, int owner, uint32_t policy)
{
	if (severity == TESSERA_MCE_SEV_CORRECTED)
		return TESSERA_MCE_ACT_LOG;
	if (owner == MCE_OWNER_HV)
		return TESSERA_MCE_ACT_PANIC;
	if (severity >= TESSERA_MCE_SEV_FATAL)
		return policy == TESSERA_MCE_RESTART ? TESSERA_MCE_ACT_RESTART : TESSERA_MCE_ACT_STOP;
	switch (policy) {
	case TESSERA_MCE_FORWARD: return TESSERA_MCE_ACT_FORWARD;
	case TESSERA_MCE_RESTART: return TESSERA_MCE_ACT_RESTART;
	case TESSERA_MCE_LOG: return TESSERA_MCE_ACT_LOG;
	default: return TESSERA_MCE_ACT_STOP;
	}
}

bool mce_guest_addr(const struct tessera_config_header *hdr, int cell, uint64_t addr, uint64_t *gpa)
{
	if (!hdr || cell < 0 || (unsigned int)cell >= hdr->nr_cells)
		return false;

	const struct tessera_config_cell *c = &config_cells(hdr)[cell];
	const struct tessera_config_memory *mem = config_memory(hdr);

	for (unsigned int k = 0; k < c->memory_count; k++) {
		const struct tessera_config_memory *m = &mem[c->memory_first + k];
		if (in_range(addr, m->phys, m->size)) {
			*gpa = m->guest + (addr - m->phys);
			return true;
		}
	}
	return false;
}
