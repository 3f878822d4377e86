/* format_snprintf: regression tests (the comparison against libc follows). */
#include <criterion/criterion.h>
#include <tessera/format.h>

/*
 * Regression: "%#.0o" of 0 printed nothing. C says '#' with o forces the first digit to be a zero, and
 * "if the value and precision are both 0, a single 0 is printed".
 */
Test(format, alt_octal_of_zero_at_precision_zero_prints_zero)
{
	char buf[16];

	cr_expect_eq(format_snprintf(buf, sizeof(buf), "%#.0o", 0u), 1);
	cr_expect_str_eq(buf, "0");
	cr_expect_eq(format_snprintf(buf, sizeof(buf), "[%#4.o]", 0u), 6);
	cr_expect_str_eq(buf, "[   0]");
	cr_expect_eq(format_snprintf(buf, sizeof(buf), "%#.0llo", 0ULL), 1);
	cr_expect_str_eq(buf, "0");
}
