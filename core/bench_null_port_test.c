/*
 * bench_null_port= (core/bench_null_port.c) on the host: which port exits it answers and how. The file
 * is compiled into this test (#include below) with the arch calls and the console renamed to stubs that
 * record what was asked of them, so that the other unit tests keep the real ones (and bench_null_port()
 * renamed too: npt_build_test.c stubs it for cell_memory.c).
 */
#define bench_null_port		    bnp_bench_null_port
#define arch_vcpu_skip		    bnp_arch_vcpu_skip
#define arch_vcpu_complete_pio_read bnp_arch_vcpu_complete_pio_read
#define log_printf		    bnp_log_printf

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <tessera/arch.h>
#include <tessera/exit.h>

#include "bench_null_port.c"

static unsigned int skips, reads;
static uint32_t read_value;
static char logged[256];

void bnp_arch_vcpu_skip(struct vcpu *v, const struct vcpu_exit *exit)
{
	(void)v;
	(void)exit;
	skips++;
}

void bnp_arch_vcpu_complete_pio_read(struct vcpu *v, const struct vcpu_exit *exit, uint32_t value)
{
	(void)v;
	(void)exit;
	reads++;
	read_value = value;
}

void bnp_log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(logged, sizeof(logged), fmt, ap);
	va_end(ap);
}

static struct vcpu_exit pio(uint16_t port, uint8_t size, bool write, bool string)
{
	struct vcpu_exit e = {.reason = TESSERA_ER_PIO, .next_pc = 0x1002};

	e.pio.port = port;
	e.pio.size = size;
	e.pio.write = write;
	e.pio.string = string;
	return e;
}

static void reset(const char *cmdline)
{
	null_port = TESSERA_BOOT_NO_NULL_PORT;
	skips = reads = 0;
	read_value = 0;
	logged[0] = '\0';
	bench_null_port_init(cmdline);
}

Test(bench_null_port_option, absent_answers_nothing)
{
	reset("loglevel=info");
	cr_expect_eq(bench_null_port(), TESSERA_BOOT_NO_NULL_PORT);
	struct vcpu_exit e = pio(0x80, 1, false, false);
	cr_expect(!bench_null_port_answer(NULL, &e));
	cr_expect_eq(skips + reads, 0);
	cr_expect_str_empty(logged, "said something without the option: %s", logged);
}

Test(bench_null_port_option, byte_read_is_all_ones_and_skipped)
{
	reset("bench_null_port=0x80");
	cr_expect_eq(bench_null_port(), 0x80);
	cr_expect_not_null(strstr(logged, "bench_null_port=0x80"), "%s", logged);
	struct vcpu_exit e = pio(0x80, 1, false, false);
	cr_expect(bench_null_port_answer(NULL, &e));
	cr_expect_eq(reads, 1);
	cr_expect_eq(read_value, 0xff);
	cr_expect_eq(skips, 1);
}

Test(bench_null_port_option, byte_write_is_dropped_and_skipped)
{
	reset("bench_null_port=128");
	struct vcpu_exit e = pio(128, 1, true, false);
	cr_expect(bench_null_port_answer(NULL, &e));
	cr_expect_eq(reads, 0, "a write completes no read");
	cr_expect_eq(skips, 1);
}

/* Everything else stays a violation for exit.c: other ports, wider accesses, string I/O. */
Test(bench_null_port_option, other_ports_sizes_and_string_io_are_not_answered)
{
	static const struct {
		uint16_t port;
		uint8_t size;
		bool write, string;
	} no[] = {
		{0x81, 1, false, false}, {0x7f, 1, true, false}, {0x7f, 2, false, false},
		{0x80, 2, false, false}, {0x80, 4, true, false}, {0x80, 1, false, true},
		{0x80, 1, true, true},
	};

	reset("bench_null_port=0x80");
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		struct vcpu_exit e = pio(no[i].port, no[i].size, no[i].write, no[i].string);
		cr_expect(!bench_null_port_answer(NULL, &e), "port %#x size %u%s%s answered", no[i].port,
			  no[i].size, no[i].write ? " write" : "", no[i].string ? " string" : "");
	}
	cr_expect_eq(skips + reads, 0);
}
