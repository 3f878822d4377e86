/*
 * The console's line writer for NMI context (core/console.c, compiled in below with its arch calls and
 * its own functions renamed so that nothing clashes with the rest of the test binary): a line written
 * while another context holds the console lock must come out whole, after the holder's line, never
 * inside it (the raw write it replaced mixed an NMI report into a cell's line and the host lost both).
 */
#define arch_console_write	  ct_arch_console_write
#define arch_irq_save		  ct_arch_irq_save
#define arch_irq_restore	  ct_arch_irq_restore
#define arch_timestamp		  ct_arch_timestamp
#define arch_timestamp_hz	  ct_arch_timestamp_hz
#define arch_cpu_relax		  ct_arch_cpu_relax
#define arch_cpu_id		  ct_arch_cpu_id
#define console_set_level	  ct_console_set_level
#define console_level		  ct_console_level
#define console_parse_level	  ct_console_parse_level
#define console_lock		  ct_console_lock
#define console_lock_bounded	  ct_console_lock_bounded
#define console_unlock		  ct_console_unlock
#define console_write_line_nowait ct_console_write_line_nowait
#define console_write_raw	  ct_console_write_raw
#define console_printf_locked	  ct_console_printf_locked
#define log_vprintf		  ct_log_vprintf
#define log_printf		  ct_log_printf

#include <criterion/criterion.h>
#include <string.h>

#include "console.c"
#include <tessera/cmdline_options.h>

static char out[4096];
static size_t out_len;

void arch_console_write(const char *s, size_t len)
{
	cr_assert_lt(out_len + len, sizeof(out));
	memcpy(out + out_len, s, len);
	out_len += len;
	out[out_len] = 0;
}
unsigned long arch_irq_save(void)
{
	return 0;
}
void arch_irq_restore(unsigned long flags)
{
	(void)flags;
}
uint64_t arch_timestamp(void)
{
	return 0;
}
uint64_t arch_timestamp_hz(void)
{
	return 0;
}
void arch_cpu_relax(void)
{
}
unsigned int arch_cpu_id(void)
{
	return 1;
}

static void reset(void)
{
	out_len = 0;
	out[0] = 0;
}

Test(console, nowait_line_with_the_lock_free_is_written_at_once)
{
	reset();
	cr_assert(console_write_line_nowait("nmi line\n", 9));
	cr_assert_str_eq(out, "nmi line\n");
	unsigned long f = console_lock(); /* and the lock was let go */
	console_unlock(f);
}

Test(console, nowait_line_under_a_holder_comes_after_the_holders_line)
{
	reset();
	unsigned long f = console_lock();
	arch_console_write("[cpu1] first ", 13);
	/* The NMI arrives in the middle of the holder's line. */
	cr_assert(console_write_line_nowait("[cpu1] NMI\n", 11));
	cr_assert_str_eq(out, "[cpu1] first ", "the NMI's line went into the holder's");
	/* A second one while the first still waits is refused, not mixed in. */
	cr_assert_not(console_write_line_nowait("[cpu1] again\n", 13));
	arch_console_write("half\n", 5);
	console_unlock(f);
	cr_assert_str_eq(out, "[cpu1] first half\n[cpu1] NMI\n");
	/* Written once: the next holder does not repeat it. */
	f = console_lock();
	console_unlock(f);
	cr_assert_str_eq(out, "[cpu1] first half\n[cpu1] NMI\n");
}

/* main.c sets the level from loglevel='s choice index: the table's choices must be the levels in order. */
Test(console, loglevel_choices_are_the_levels_in_order)
{
	const char *c = cmdline_options[CMDLINE_LOGLEVEL].choices;
	int i = 0;

	for (; c && *c; i++) {
		size_t n = strcspn(c, "|");
		cr_expect_eq(console_parse_level(c, n), i, "%.*s", (int)n, c);
		c += n + (c[n] == '|');
	}
	cr_expect_eq(i, LOG_DEBUG + 1);
}
