/* Machine-check attribution and the action table (mce_policy.c), on a hand-built config. */
#include <criterion/criterion.h>
#include <string.h>
#include <tessera/config_check.h>
#include <tessera/mce.h>

/* Hypervisor 0-64M; cell a on CPU 1 at 64M, cell b on CPU 2 at 68M, and a page they share at 72M. */
struct blob {
	struct tessera_config_header h;
	struct tessera_config_cell cells[2];
	struct tessera_config_memory mem[4];
};

static struct blob b;

static const struct tessera_config_header *build(void)
{
	memset(&b, 0, sizeof(b));
	b.h.hv_base = 0;
	b.h.hv_size = 64 << 20;
	b.h.nr_cells = 2;
	b.h.cells_offset = offsetof(struct blob, cells);
	b.h.nr_memory = 4;
	b.h.memory_offset = offsetof(struct blob, mem);
	for (int i = 0; i < 2; i++) {
		b.cells[i].cpus = 1ULL << (i + 1);
		b.cells[i].memory_first = 2 * i;
		b.cells[i].memory_count = 2;
		b.mem[2 * i] = (struct tessera_config_memory){.phys = (64 + 4 * i) << 20, .size = 4 << 20};
		b.mem[2 * i + 1] = (struct tessera_config_memory){
			.phys = 72 << 20, .size = 4096, .flags = TESSERA_MEM_SHARED};
	}
	return &b.h;
}

static int owner(uint32_t cpu, bool addr_valid, uint64_t addr)
{
	struct mce_record r = {.cpu = cpu, .addr = addr, .addr_valid = addr_valid};
	return mce_attribute(&b.h, &r);
}

Test(mce_attribute, by_address_first)
{
	build();
	cr_expect_eq(owner(2, true, (64 << 20) + 0x1234), 0, "cell a's memory, taken on b's CPU");
	cr_expect_eq(owner(1, true, (68 << 20) + 0x10), 1, "cell b's memory, taken on a's CPU");
	cr_expect_eq(owner(0, true, (68 << 20) + (4 << 20) - 1), 1, "last byte of b's region");
}

Test(mce_attribute, hypervisor_memory)
{
	build();
	cr_expect_eq(owner(1, true, 0x100000), MCE_OWNER_HV, "hypervisor memory, on a's CPU");
	cr_expect_eq(owner(0, true, (64 << 20) - 1), MCE_OWNER_HV);
}

Test(mce_attribute, else_the_cpu_then_the_hypervisor)
{
	build();
	cr_expect_eq(owner(1, false, 0x100000), 0, "no ADDRV: the address is not looked at");
	cr_expect_eq(owner(2, false, 0), 1);
	cr_expect_eq(owner(2, true, 1ULL << 40), 1, "an address nobody owns: the CPU's cell");
	cr_expect_eq(owner(0, false, 0), MCE_OWNER_HV, "CPU 0 belongs to no cell");
	cr_expect_eq(owner(3, true, 1ULL << 40), MCE_OWNER_HV);
	struct mce_record r = {.cpu = 1};
	cr_expect_eq(mce_attribute(NULL, &r), MCE_OWNER_HV, "no config");
}

Test(mce_attribute, shared_page_goes_to_the_sharer_on_the_cpu)
{
	build();
	cr_expect_eq(owner(2, true, 72 << 20), 1);
	cr_expect_eq(owner(1, true, 72 << 20), 0);
	cr_expect_eq(owner(0, true, 72 << 20), 0, "neither sharer's CPU: the first declarer");
}

Test(mce_decide, the_table)
{
	const uint32_t policies[] = {TESSERA_MCE_STOP, TESSERA_MCE_FORWARD, TESSERA_MCE_RESTART,
				     TESSERA_MCE_LOG};
	/* Rows: severity; columns: stop, forward, restart, log (docs/machine-checks.md). */
	const enum tessera_trace_mce_action want[TESSERA_MCE_SEV_COUNT][4] = {
		[TESSERA_MCE_SEV_CORRECTED] = {TESSERA_MCE_ACT_LOG, TESSERA_MCE_ACT_LOG, TESSERA_MCE_ACT_LOG,
					       TESSERA_MCE_ACT_LOG},
		[TESSERA_MCE_SEV_UCNA] = {TESSERA_MCE_ACT_STOP, TESSERA_MCE_ACT_FORWARD,
					  TESSERA_MCE_ACT_RESTART, TESSERA_MCE_ACT_LOG},
		[TESSERA_MCE_SEV_AO] = {TESSERA_MCE_ACT_STOP, TESSERA_MCE_ACT_FORWARD,
					TESSERA_MCE_ACT_RESTART, TESSERA_MCE_ACT_LOG},
		[TESSERA_MCE_SEV_AR] = {TESSERA_MCE_ACT_STOP, TESSERA_MCE_ACT_FORWARD,
					TESSERA_MCE_ACT_RESTART, TESSERA_MCE_ACT_LOG},
		[TESSERA_MCE_SEV_FATAL] = {TESSERA_MCE_ACT_STOP, TESSERA_MCE_ACT_STOP,
					   TESSERA_MCE_ACT_RESTART, TESSERA_MCE_ACT_STOP},
	};
	for (unsigned int sev = 0; sev < TESSERA_MCE_SEV_COUNT; sev++) {
		for (unsigned int p = 0; p < 4; p++)
			cr_expect_eq(mce_decide(sev, 0, policies[p]), want[sev][p], "%s x %s: %s",
				     mce_severity_name(sev), mce_policy_name(policies[p]),
				     mce_action_name(mce_decide(sev, 0, policies[p])));
		cr_expect_eq(mce_decide(sev, MCE_OWNER_HV, TESSERA_MCE_STOP),
			     sev == TESSERA_MCE_SEV_CORRECTED ? TESSERA_MCE_ACT_LOG : TESSERA_MCE_ACT_PANIC,
			     "%s in the hypervisor", mce_severity_name(sev));
	}
}

Test(mce_decide, names)
{
	cr_expect_str_eq(mce_severity_name(TESSERA_MCE_SEV_AO), "action_optional");
	cr_expect_str_eq(mce_action_name(TESSERA_MCE_ACT_FORWARD), "forward");
	cr_expect_str_eq(mce_policy_name(TESSERA_MCE_RESTART), "restart");
	cr_expect_str_eq(mce_severity_name(99), "?");
}
