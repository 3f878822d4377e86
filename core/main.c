/*
 * The arch-neutral boot flow. The boot CPU arrives here from arch code with a console, exception handlers
 * and its own page tables; this sets up the page pool, checks the CPU, brings the other CPUs online and
 * (later) starts the cells. Every CPU but the boot CPU ends in hv_cpu_main().
 */
#include <tessera/arch.h>
#include <tessera/cmdline.h>
#include <tessera/console.h>
#include <tessera/error.h>
#include <tessera/memmap.h>
#include <tessera/page_pool.h>
#include <tessera/panic.h>

#define POOL_DEFAULT_SIZE (16ULL << 20)
#define POOL_MIN_ADDR	  (16ULL << 20) /* keep low memory for trampolines and boot data */

static void apply_log_level(const char *cmdline)
{
	const char *v;
	size_t len;

	if (!cmdline_get(cmdline, "loglevel", &v, &len))
		return;
	int level = console_parse_level(v, len);
	if (level < 0)
		pr_warn("unknown loglevel '%.*s', keeping 'info'", (int)len, v);
	else
		console_set_level((enum log_level)level);
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

static void setup_page_pool(struct boot_info *info)
{
	uint64_t size = POOL_DEFAULT_SIZE, base;
	const char *v;
	size_t len;
	bool ok;

	if (cmdline_get(info->cmdline, "pool", &v, &len)) {
		size = cmdline_parse_size(v, len, &ok);
		if (!ok || size < 2 * PAGE_SIZE)
			panic("bad pool size '%.*s' on the command line", (int)len, v);
	}
	size = ALIGN_UP(size, PAGE_SIZE);
	if (memmap_find_free(info->memmap, size, 2ULL << 20, POOL_MIN_ADDR, &base))
		panic("no room for a %llu KiB page pool in RAM", (unsigned long long)(size >> 10));
	if (memmap_claim(info->memmap, base, size) ||
	    page_pool_init(&hv_page_pool, (void *)(uintptr_t)base, size))
		panic("cannot set up the page pool at %#llx", (unsigned long long)base);
	pr_info("page pool: %llu KiB at %#llx", (unsigned long long)(size >> 10), (unsigned long long)base);
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
	const char *v;
	size_t len;

	apply_log_level(info->cmdline);
	pr_info("Tessera hypervisor starting (command line: \"%s\")", info->cmdline);
	print_memmap(info->memmap);
	setup_page_pool(info);
	check_cpu();

	unsigned int online = arch_cpus_start();
	pr_info("%u CPUs online", online);

	if (cmdline_get(info->cmdline, "test_fault", &v, &len)) {
		char kind[32];
		len = MIN(len, sizeof(kind) - 1);
		for (size_t i = 0; i < len; i++)
			kind[i] = v[i];
		kind[len] = '\0';
		pr_info("test_fault=%s: provoking a fault on purpose", kind);
		arch_test_fault(kind);
		panic("test_fault=%s did not fault", kind);
	}

	pr_info("shutdown: nothing left to run");
	arch_machine_stop(TESSERA_EXIT_OK);
}

__noreturn void hv_cpu_main(unsigned int cpu)
{
	pr_debug("cpu %u idle", cpu);
	arch_cpu_park();
}
