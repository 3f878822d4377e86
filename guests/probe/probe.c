/*
 * probe: the isolation probe. Tries, one at a time, accesses that the cell's config does not grant and
 * reports each as a TEST line: PASS when the hypervisor stopped it. Run it in a cell with violation policy
 * "inject", so that a denied access comes back as an exception that fault_try catches; a rise of the cell's
 * violation counter (cell_stats) is accepted as evidence too.
 * Args: `targets=0x..,0x..` addresses the cell must not reach (other cells' and the hypervisor's memory,
 * outside this cell's guest-physical map); `quiet` leaves out the line saying how each attempt was stopped;
 * `user` runs only the user-mode (CPL 3) attempts.
 */
#include "probe.h"
#include <guest/hypercall.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <guest/test.h>

static struct probe probe;
static uint8_t scratch[4096] __aligned(4096);
static bool quiet;

static bool violations_read(uint64_t *count)
{
	struct tessera_cell_stats stats;
	if (hypercall_cell_stats((uint64_t)probe.cell_id, &stats, sizeof(stats)) < 0)
		return false;
	*count = stats.violations;
	return true;
}

bool probe_attempt(const char *name, fault_fn fn, void *arg)
{
	struct fault_info fi;
	uint64_t before = 0, after = 0;
	bool counted = violations_read(&before);
	bool faulted = fault_try(fn, arg, &fi);
	counted = counted && violations_read(&after) && after > before;

	if (faulted && !quiet)
		printf("probe: %s stopped by %s error %#lx cr2 %#lx at %#lx\n", name, fault_name(fi.vector),
		       fi.error, fi.cr2, fi.rip);
	else if (counted && !quiet)
		printf("probe: %s counted as violation (%lu -> %lu), no fault\n", name, before, after);
	return test_report(name, faulted || counted,
			   "not stopped: no fault, no violation counted, result %#lx", fi.value);
}

bool probe_expect_error(const char *name, fault_fn fn, void *arg, int64_t want)
{
	struct fault_info fi;
	if (fault_try(fn, arg, &fi))
		return test_report(name, false, "raised %s error %#lx at %#lx", fault_name(fi.vector),
				   fi.error, fi.rip);
	int64_t ret = (int64_t)fi.value;
	if (!quiet)
		printf("probe: %s returned %ld\n", name, ret);
	if (want)
		return test_report(name, ret == want, "returned %ld, want %ld", ret, want);
	return test_report(name, ret < 0, "returned %ld, want an error", ret);
}

bool probe_expect_refused(const char *name, fault_fn fn, void *arg)
{
	struct fault_info fi;
	if (fault_try(fn, arg, &fi)) {
		if (!quiet)
			printf("probe: %s refused by %s error %#lx\n", name, fault_name(fi.vector), fi.error);
		return test_report(name, true, NULL);
	}
	int64_t ret = (int64_t)fi.value;
	if (!quiet)
		printf("probe: %s returned %ld\n", name, ret);
	return test_report(name, ret < 0, "returned %ld, want an error", ret);
}

bool probe_own_memory(const struct probe *p, uint64_t addr, uint64_t size)
{
	for (uint32_t i = 0; i < p->info->nr_regions && i < TESSERA_BOOT_MAX_REGIONS; i++) {
		const struct tessera_boot_region *r = &p->info->regions[i];
		if (addr < r->guest_addr + r->size && addr + size > r->guest_addr)
			return true;
	}
	return false;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "0x1000,0x2000": hex numbers separated by commas. Returns false on anything else. */
static bool targets_parse(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		if (probe.nr_targets == PROBE_MAX_TARGETS || i + 2 >= len || s[i] != '0' ||
		    (s[i + 1] | 0x20) != 'x')
			return false;
		uint64_t v = 0;
		size_t digits = 0;
		for (i += 2; i < len && hex_digit(s[i]) >= 0; i++, digits++)
			v = v << 4 | (uint64_t)hex_digit(s[i]);
		if (!digits || digits > 16 || (i < len && s[i++] != ','))
			return false;
		probe.targets[probe.nr_targets++] = v;
	}
	return true;
}

int main(const struct tessera_cell_boot_info *info)
{
	const char *value;
	size_t len;

	probe.info = info;
	probe.scratch = scratch;
	probe.cell_id = hypercall_cell_id();
	probe.nr_cells = hypercall_nr_cells();
	for (uint32_t i = 0; i < info->nr_regions && i < TESSERA_BOOT_MAX_REGIONS; i++)
		probe.ram_end = MAX(probe.ram_end, info->regions[i].guest_addr + info->regions[i].size);
	quiet = args_get("quiet", &value, &len);
	if (args_get("targets", &value, &len) && !targets_parse(value, len)) {
		printf("probe: bad targets \"%.*s\" (want targets=0x..,0x..)\n", (int)len, value);
		return 2;
	}
	printf("probe: cell \"%.*s\" id %ld of %ld cells, RAM ends at %#lx, %u targets\n",
	       (int)sizeof(info->name), info->name, probe.cell_id, probe.nr_cells, probe.ram_end,
	       probe.nr_targets);

	/* `user` runs only the user-mode attempts (a manager probe: its other hypercall attempts assume a
	 * cell without the flag). */
	if (args_get("user", &value, &len)) {
		probe_user(&probe);
		return test_summary() ? 1 : 0;
	}
	probe_cpuid(&probe);
	probe_hypercalls(&probe);
	probe_user(&probe);
	probe_cr(&probe);
	probe_memory(&probe);
	probe_msrs(&probe);
	probe_svm(&probe);
	probe_ivc(&probe);
	/* Last: a port that is wrongly granted may end or reset the machine. */
	probe_ports(&probe);
	return test_summary() ? 1 : 0;
}
