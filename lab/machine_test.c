#include <criterion/criterion.h>
#include <string.h>

#include "machine.h"

static struct machine m;
static char mem[32], err[160];

Test(machine, parse_mem_suffixes)
{
	uint64_t b;

	cr_assert_eq(machine_parse_mem("256", &b), 0);
	cr_assert_eq(b, 256ULL << 20);
	cr_assert_eq(machine_parse_mem("64k", &b), 0);
	cr_assert_eq(b, 64ULL << 10);
	cr_assert_eq(machine_parse_mem("2G", &b), 0);
	cr_assert_eq(b, 2ULL << 30);
	cr_assert_eq(machine_parse_mem("1T", &b), 0);
	cr_assert_eq(b, 1ULL << 40);
	cr_assert_eq(machine_parse_mem("1GB", &b), -1);
	cr_assert_eq(machine_parse_mem("G", &b), -1);
	cr_assert_eq(machine_parse_mem("-1M", &b), -1);
}

/* Regression: 17592186044417T is 2^44+1 TiB; shifted into MiB it wrapped round to a small valid size. */
Test(machine, parse_mem_refuses_overflow)
{
	uint64_t b;

	cr_assert_eq(machine_parse_mem("17592186044417T", &b), -1);
	cr_assert_eq(machine_parse_mem("16777216T", &b), -1); /* 2^64 bytes exactly */
	cr_assert_eq(machine_parse_mem("16777215T", &b), 0);
	cr_assert_eq(machine_parse_mem("99999999999999999999", &b), -1);
}

Test(machine, config_sets_smp_and_mem_by_default)
{
	machine_init_defaults(&m);
	cr_assert_eq(machine_fit_config(&m, 3, 128ULL << 20, mem, sizeof(mem), err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(m.smp, 3);
	cr_assert_str_eq(m.mem, "128M");
}

/* Regression: `tessera run --smp 8 --mem 1G` with the 4-CPU, 256M default config was refused. */
Test(machine, more_cpus_and_ram_than_the_config_are_kept)
{
	machine_init_defaults(&m);
	m.smp = 8;
	m.smp_set = true;
	m.mem = "1G";
	m.mem_set = true;
	cr_assert_eq(machine_fit_config(&m, 4, 256ULL << 20, mem, sizeof(mem), err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(m.smp, 8);
	cr_assert_str_eq(m.mem, "1G");

	machine_init_defaults(&m);
	m.smp = 4;
	m.smp_set = true;
	m.mem = "256M";
	m.mem_set = true;
	cr_assert_eq(machine_fit_config(&m, 4, 256ULL << 20, mem, sizeof(mem), err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(m.smp, 4);
	cr_assert_str_eq(m.mem, "256M");
}

Test(machine, fewer_cpus_or_ram_than_the_config_are_refused)
{
	machine_init_defaults(&m);
	m.smp = 2;
	m.smp_set = true;
	cr_assert_eq(machine_fit_config(&m, 4, 256ULL << 20, mem, sizeof(mem), err, sizeof(err)), -1);
	cr_assert_str_eq(err, "the config needs at least 4 CPUs, but --smp 2 was given");

	machine_init_defaults(&m);
	m.mem = "255M";
	m.mem_set = true;
	cr_assert_eq(machine_fit_config(&m, 4, 256ULL << 20, mem, sizeof(mem), err, sizeof(err)), -1);
	cr_assert_str_eq(err, "the config needs at least 256M of RAM, but --mem 255M was given");
}
