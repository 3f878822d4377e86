/* console_escape: a log line stays one line of printable text whatever strings went into it. */
#include <criterion/criterion.h>
#include <string.h>
#include <tessera/console.h>

static char out[64];

static const char *esc(const char *s, size_t len, size_t size)
{
	console_escape(out, size, s, len);
	return out;
}

Test(console_escape, printable_text_is_unchanged)
{
	cr_assert_str_eq(esc("cell 'worker-a' ok", 18, sizeof(out)), "cell 'worker-a' ok");
}

Test(console_escape, control_characters_are_escaped)
{
	/* A forged line, an escaped NUL, ESC, DEL and a non-ASCII byte. */
	cr_assert_str_eq(esc("a\n[cpu0] shutdown", 17, sizeof(out)), "a\\x0a[cpu0] shutdown");
	cr_assert_str_eq(esc("b\0x", 3, sizeof(out)), "b\\x00x");
	cr_assert_str_eq(esc("\x1b[2J\x7f\xc3", 6, sizeof(out)), "\\x1b[2J\\x7f\\xc3");
}

Test(console_escape, never_overflows_or_cuts_an_escape)
{
	cr_assert_eq(console_escape(out, 6, "abc\n", 4), 3);
	cr_assert_str_eq(out, "abc");
	cr_assert_eq(console_escape(out, 8, "abc\n", 4), 7);
	cr_assert_str_eq(out, "abc\\x0a");
	cr_assert_eq(console_escape(out, 1, "abc", 3), 0);
	cr_assert_str_eq(out, "");
}
