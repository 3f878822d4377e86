/*
 * From boot modules to running cells: find the blob, run the shared checker on it and on every image
 * (a blob that fails on the host or here never boots a cell), build the cells, start them all. Any
 * problem before the first cell starts stops the machine with TESSERA_EXIT_BAD_CONFIG.
 */
#include <tessera/arch.h>
#include <tessera/bench_exit_work.h>
#include <tessera/bench_null_port.h>
#include <tessera/insecure_test_grant_port.h>
#include <tessera/boot_modules.h>
#include <tessera/batch.h>
#include <tessera/cell.h>
#include <tessera/config_check.h>
#include <tessera/console.h>
#include <tessera/faultinj.h>
#include <tessera/hooks.h>
#include <tessera/string.h>
#include <tessera/trace.h>

static __noreturn void config_refused(const char *msg)
{
	pr_err("config: %s", msg);
	arch_machine_stop(TESSERA_EXIT_BAD_CONFIG);
}

/* Boot modules whose base name is `name`: images are found by base name, so more than one is ambiguous. */
static unsigned int modules_named(const struct boot_info *info, const char *name)
{
	size_t want = strlen(name), len;
	unsigned int n = 0;

	for (unsigned int i = 0; i < info->nr_modules; i++) {
		const char *base = boot_module_basename(info->modules[i].name, &len);
		n += len == want && !strncmp(base, name, len);
	}
	return n;
}

static void check_images(const struct tessera_config_header *hdr, const struct boot_info *info)
{
	const struct tessera_config_cell *cfg = config_cells(hdr);
	struct config_error err;

	for (unsigned int i = 0; i < hdr->nr_cells; i++) {
		const struct boot_module *m = boot_module_find(info, cfg[i].image);
		if (!m) {
			pr_err("config: cell '%s': image '%s' is not among the boot modules", cfg[i].name,
			       cfg[i].image);
			arch_machine_stop(TESSERA_EXIT_BAD_CONFIG);
		}
		/* Two modules of one base name (dir1/x.elf, dir2/x.elf): which one the cell wants is unknown. */
		if (modules_named(info, cfg[i].image) > 1) {
			pr_err("config: cell '%s': image '%s' names %u boot modules (images are found by "
			       "base "
			       "name; rename one)",
			       cfg[i].name, cfg[i].image, modules_named(info, cfg[i].image));
			arch_machine_stop(TESSERA_EXIT_BAD_CONFIG);
		}
		if (config_check_image(hdr, i, (const void *)(uintptr_t)m->start, m->size, arch_elf_machine(),
				       &err)) {
			/* err.message names the image already ("image 'x' ..."). */
			pr_err("config: cell '%s': %s", cfg[i].name, err.message);
			arch_machine_stop(TESSERA_EXIT_BAD_CONFIG);
		}
	}
}

const struct tessera_config_header *cells_config_find(const struct boot_info *info)
{
	const struct boot_module *m = boot_module_config(info, info->cmdline);
	struct config_error err;

	if (!m) {
		if (info->nr_modules)
			config_refused("the module named by config= is not among the boot modules");
		pr_info("no boot modules: no cells to run");
		return NULL;
	}
	const struct tessera_config_header *hdr = (const void *)(uintptr_t)m->start;
	if (config_check(hdr, m->size, arch_config_platform(), &err)) {
		/* A cell-level error comes after the header and array checks: the cell's name is readable. */
		if (err.cell >= 0) {
			pr_err("config: cell '%.*s': %s", TESSERA_NAME_LEN, config_cells(hdr)[err.cell].name,
			       err.message);
			arch_machine_stop(TESSERA_EXIT_BAD_CONFIG);
		}
		config_refused(err.message);
	}
	/* abi/config.h: image, pool and boot modules all live in the hypervisor's memory, which no cell
	 * may touch; a payload outside it could sit in a cell's RAM. */
	char why[96];
	if (boot_payload_outside(info, hdr->hv_base, hdr->hv_size, why, sizeof(why))) {
		pr_err("config: %s lies outside the hypervisor's memory %#llx-%#llx", why,
		       (unsigned long long)hdr->hv_base,
		       (unsigned long long)(hdr->hv_base + hdr->hv_size - 1));
		arch_machine_stop(TESSERA_EXIT_BAD_CONFIG);
	}
	pr_info("config: '%s' checked: %u cells", m->name, hdr->nr_cells);
	return hdr;
}

void cells_load(const struct tessera_config_header *hdr, const struct boot_info *info)
{
	char why[160];

	if (hdr->nr_cpus > arch_cpu_count()) {
		pr_err("config: the config is for %u CPUs, %u are online", hdr->nr_cpus, arch_cpu_count());
		arch_machine_stop(TESSERA_EXIT_BAD_CONFIG);
	}
	check_images(hdr, info);
	/* The plan is armed before the cells are built, so that its fail points reach their creation too
	 * (its records of that time go nowhere: the trace rings open once the cells exist). */
	faultinj_boot(info, hdr);
	if (cells_create(hdr, info, why, sizeof(why)))
		config_refused(why);

	trace_hv_init(info->cmdline);
	bench_exit_work_init(info->cmdline);
	bench_null_port_init(info->cmdline);
	insecure_test_grant_port_init(info->cmdline); /* test only: lab regress's planted hole */
	/* An experiment batch starts the cells itself, each experiment from a clean start (batch.c). */
	bool batch = batch_boot(info);
	pr_info("config: %u cells, %u hook clients", nr_cells, hooks_count());
	for (unsigned int i = 0; i < nr_cells && !batch; i++)
		cell_start(&cells[i]);
}
