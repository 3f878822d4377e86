/*
 * hello: the smallest useful inmate. Greets with its cell name, CPU count and args, does some visible work
 * (counts primes, printing progress), then prints its own exit counters from the cell_stats hypercall.
 * Args: `primes=N` sets how far to count (default 200000).
 */
#include <guest/hypercall.h>
#include <guest/print.h>
#include <guest/runtime.h>
#include <tessera/cmdline.h>
#include <tessera/error.h>

static const char *const reason_names[] = {
#define HELLO_REASON_NAME(NAME, name) name,
	TESSERA_EXIT_REASONS(HELLO_REASON_NAME)
#undef HELLO_REASON_NAME
};

static bool is_prime(uint64_t n)
{
	if (n < 2)
		return false;
	for (uint64_t d = 2; d * d <= n; d++)
		if (n % d == 0)
			return false;
	return true;
}

static uint64_t count_primes(uint64_t limit)
{
	uint64_t count = 0, step = limit / 4 ? limit / 4 : 1;
	for (uint64_t n = 0; n <= limit; n++) {
		count += is_prime(n);
		if (n && n % step == 0)
			printf("primes up to %lu: %lu\n", n, count);
	}
	return count;
}

static int print_stats(void)
{
	struct tessera_cell_stats stats;
	int64_t ret = hypercall_cell_stats((uint64_t)hypercall_cell_id(), &stats, sizeof(stats));
	if (ret < 0) {
		printf("cell_stats failed: %s\n", hv_strerror((int)ret));
		return 1;
	}
	printf("exit counters (stats version %u):\n", stats.version);
	for (uint32_t i = 0; i < stats.nr_reasons && i < TESSERA_ER_COUNT; i++)
		printf("  %-10s %lu\n", reason_names[i], stats.exits[i]);
	printf("  violations %lu\n", stats.violations);
	return 0;
}

int main(const struct tessera_cell_boot_info *info)
{
	const char *value;
	size_t len;
	uint64_t limit = 200000;

	if (info->magic != TESSERA_CELL_BOOT_MAGIC || info->version != TESSERA_CELL_BOOT_VERSION) {
		printf("hello: bad boot info (magic %#lx version %u)\n", info->magic, info->version);
		return 2;
	}
	printf("Hello from cell \"%.*s\" (id %u), %u CPU%s, args \"%.*s\"\n", (int)sizeof(info->name),
	       info->name, info->cell_id, info->nr_cpus, info->nr_cpus == 1 ? "" : "s",
	       (int)sizeof(info->args), info->args);
	for (uint32_t i = 0; i < info->nr_regions && i < TESSERA_BOOT_MAX_REGIONS; i++)
		printf("  memory %#lx-%#lx flags %#x\n", info->regions[i].guest_addr,
		       info->regions[i].guest_addr + info->regions[i].size - 1, info->regions[i].flags);
	if (args_get("primes", &value, &len)) {
		bool ok;
		limit = cmdline_parse_size(value, len, &ok);
		if (!ok)
			limit = 200000;
	}
	printf("primes up to %lu: %lu (done)\n", limit, count_primes(limit));
	int ret = print_stats();
	printf("hello: goodbye\n");
	return ret;
}
