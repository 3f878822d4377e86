/*
 * The arch-neutral boot flow. The boot CPU arrives here from arch code with a console, exception handlers
 * and its own page tables; this sets up the page pool, checks the CPU, brings the other CPUs online and
 * (later) starts the cells. Every CPU but the boot CPU ends in hv_cpu_main().
 */
#include <tessera/mce.h>
#include <tessera/arch.h>
#include <tessera/boot_bundle.h>
#include <tessera/cell.h>
#include <tessera/cmdline_options.h>
#include <tessera/console.h>
#include <tessera/error.h>
#include <tessera/memmap.h>
#include <tessera/page_pool.h>
#include <tessera/panic.h>

#define POOL_DEFAULT_SIZE (16ULL << 20)
enum { CELLS_WAIT, CELLS_READY, CELLS_NONE };
static int cells_ready = CELLS_WAIT;

#define POOL_MIN_ADDR TESSERA_POOL_MIN_ADDR /* abi/config.h: the checker knows this rule too */

static void apply_log_level(const char *cmdline)
{
	struct cmdline_arg a;

	/* The table's choices are the level names in enum order (core/console_test.c checks that). */
	if (cmdline_option(cmdline, CMDLINE_LOGLEVEL, &a))
		console_set_level((enum log_level)a.num);
}

static void print_memmap(const struct memmap *map)
{
	for (unsigned int i = 0; i < map->nr; i++) {
		const struct mem_range *r = &map->ranges[i];
		pr_debug("memory: 0x%012llx-0x%012llx %s", (unsigned long long)r->base,
			 (unsigned long long)(r->base + r->size - 1), memmap_type_name(r->type));
	}
	pr_info("memory: %llu MiB RAM usable", (unsigned long long)(memmap_total(map, MEM_RAM) >> 20));
}

/* With a config, the pool comes from the hypervisor's memory it names (cells own the rest). */
static void setup_page_pool(struct boot_info *info, const struct tessera_config_header *cfg)
{
	uint64_t size = POOL_DEFAULT_SIZE, base, min = POOL_MIN_ADDR, limit = ~0ULL;
	struct cmdline_arg a;

	if (cfg && cfg->pool_size) {
		size = cfg->pool_size;
		min = MAX(min, cfg->hv_base);
		limit = cfg->hv_base + cfg->hv_size;
	}

	if (cmdline_option(info->cmdline, CMDLINE_POOL, &a))
		size = a.num; /* at least two pages, by the table */
	size = ALIGN_UP(size, PAGE_SIZE);
	if (memmap_find_free(info->memmap, size, TESSERA_POOL_ALIGN, min, &base) || base + size > limit) {
		pr_err("config: no room for a %llu KiB page pool in the hypervisor's memory",
		       (unsigned long long)(size >> 10));
		arch_machine_stop(cfg ? TESSERA_EXIT_BAD_CONFIG : TESSERA_EXIT_PANIC);
	}
	if (memmap_claim(info->memmap, base, size) ||
	    page_pool_init(&hv_page_pool, (void *)(uintptr_t)base, size))
		panic("cannot set up the page pool at %#llx", (unsigned long long)base);
	pr_info("page pool: %llu KiB at %#llx", (unsigned long long)(size >> 10), (unsigned long long)base);
}

/* A boot bundle (abi/boot_bundle.h) becomes the modules it holds before anything looks for the config. */
static void expand_bundles(struct boot_info *info)
{
	char why[200];
	unsigned int before = info->nr_modules;

	if (boot_bundle_expand(info, why, sizeof(why))) {
		pr_err("bundle: %s", why);
		arch_machine_stop(TESSERA_EXIT_BAD_CONFIG);
	}
	if (info->nr_modules != before)
		pr_info("bundle: expanded into %u boot modules", info->nr_modules);
}

static void check_cpu(void)
{
	char why[160];

	if (arch_virt_probe(why, sizeof(why))) {
		pr_err("this CPU cannot run Tessera: %s", why);
		arch_machine_stop(TESSERA_EXIT_UNSUPPORTED);
	}
}

__noreturn void hv_main(struct boot_info *info)
{
	struct cmdline_arg a;

	apply_log_level(info->cmdline);
	pr_info("Tessera hypervisor starting (command line: \"%s\")", info->cmdline);
	print_memmap(info->memmap);
	expand_bundles(info);
	const struct tessera_config_header *cfg = cells_config_find(info);
	mce_init(cfg); /* before the other CPUs start: a machine check from then on is handled */
	setup_page_pool(info, cfg);
	check_cpu();

	unsigned int online = arch_cpus_start();
	pr_info("%u CPU%s online", online, online == 1 ? "" : "s");

	if (cmdline_option(info->cmdline, CMDLINE_TEST_FAULT, &a)) {
		char kind[32];
		size_t len = MIN(a.len, sizeof(kind) - 1);
		for (size_t i = 0; i < len; i++)
			kind[i] = a.str[i];
		kind[len] = '\0';
		pr_info("test_fault=%s: provoking a fault on purpose", kind);
		arch_test_fault(kind);
		panic("test_fault=%s did not fault", kind);
	}

	if (cfg) {
		cells_load(cfg, info);
		WRITE_ONCE(cells_ready, CELLS_READY);
		vcpu_cpu_loop(0);
	}
	WRITE_ONCE(cells_ready, CELLS_NONE);
	pr_info("shutdown: nothing left to run");
	arch_machine_stop(TESSERA_EXIT_OK);
}

/* Every other CPU waits here until the boot CPU has built the cells (or found none). */
__noreturn void hv_cpu_main(unsigned int cpu)
{
	while (READ_ONCE(cells_ready) == CELLS_WAIT)
		arch_cpu_relax();
	if (READ_ONCE(cells_ready) == CELLS_READY)
		vcpu_cpu_loop(cpu);
	pr_debug("cpu %u idle", cpu);
	arch_cpu_park();
}
