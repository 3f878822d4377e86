/*
 * format_snprintf against the host's snprintf: every conversion, flag, width, precision and length modifier
 * the hypervisor's printf supports, at every buffer size from 0 up to the full length. Where our printf is
 * documented to differ (NULL %p, unknown conversions) the expected text is written out.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <tessera/format.h>

#define BUF 512

static int failures;

/*
 * Run the same format through both printfs at every size from 0 to len+2 and compare the return value and
 * every byte of the buffer, including the ones that must stay untouched past `size`.
 */
static void __printf(1, 2) check(const char *fmt, ...)
{
	char want[BUF], got[BUF];
	va_list ap, aq;

	va_start(ap, fmt);
	va_copy(aq, ap);
	int wn = vsnprintf(want, sizeof(want), fmt, aq);
	va_end(aq);
	if (wn < 0 || wn + 3 > BUF) {
		va_end(ap);
		cr_log_error("test format \"%s\" is too long for the buffer", fmt);
		failures++;
		return;
	}
	for (size_t size = 0; size <= (size_t)wn + 2; size++) {
		memset(want, 'X', sizeof(want));
		memset(got, 'X', sizeof(got));
		va_copy(aq, ap);
		wn = vsnprintf(size ? want : NULL, size, fmt, aq);
		va_end(aq);
		va_copy(aq, ap);
		int gn = format_vsnprintf(size ? got : NULL, size, fmt, aq);
		va_end(aq);
		if (gn != wn || memcmp(got, want, sizeof(got))) {
			if (failures++ < 20)
				cr_log_error("\"%s\" size %zu: got %d \"%.*s\", libc %d \"%.*s\"", fmt, size,
					     gn, (int)(size ? size : 1) - 1, got, wn,
					     (int)(size ? size : 1) - 1, want);
			break;
		}
	}
	va_end(ap);
}

/* Like check(), for format strings built at run time (one argument of the given type). */
#define CHECK_ONE(fmt, v) check((fmt), (v))

static const char *const int_flags[] = {"", "-", "0", "+", " ", "-0", "+0", " 0", "-+", "- ", "+ ", "-+0"};
static const char *const uint_flags[] = {"", "-", "0", "#", "-0", "#0", "-#", "-#0", "+", " "};
static const char *const widths[] = {"", "1", "2", "5", "24"};
static const char *const precs[] = {"", ".", ".0", ".1", ".2", ".5", ".24"};

/*
 * Every flag/width/precision combination for one conversion and length modifier, with each value printed
 * by `print` (which passes it with the right C type).
 */
static void sweep(const char *const *flags, size_t nflags, const char *len, const char *conv,
		  void (*print)(const char *fmt, size_t i), size_t nvalues)
{
	char fmt[64];

	for (size_t f = 0; f < nflags; f++)
		for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
			for (size_t p = 0; p < sizeof(precs) / sizeof(precs[0]); p++) {
				snprintf(fmt, sizeof(fmt), "<%%%s%s%s%s%s>", flags[f], widths[w], precs[p],
					 len, conv);
				for (size_t i = 0; i < nvalues; i++)
					print(fmt, i);
			}
}

static const int int_values[] = {0,  1,	 -1,  7,   8,	 9,	    10,	     15,
				 16, 42, -42, 255, 4096, 123456789, INT_MAX, INT_MIN};
static const long long ll_values[] = {
	0, 1, -1, 8, 16, LLONG_MAX, LLONG_MIN, 0x123456789abcdefLL, -1000000000000LL};
static const unsigned long long ull_values[] = {
	0, 1, 7, 8, 15, 16, 0x80000000ULL, UINT32_MAX, UINT64_MAX, 0xdeadbeefcafef00dULL};

#define PRINTER(name, type, table)                  \
	static void name(const char *fmt, size_t i) \
	{                                           \
		CHECK_ONE(fmt, (type)table[i]);     \
	}                                           \
	static const size_t name##_n = sizeof(table) / sizeof(table[0])

PRINTER(print_int, int, int_values);
PRINTER(print_uint, unsigned int, int_values);
PRINTER(print_long, long, ll_values);
PRINTER(print_ulong, unsigned long, ull_values);
PRINTER(print_ll, long long, ll_values);
PRINTER(print_ull, unsigned long long, ull_values);
PRINTER(print_ssize, ssize_t, ll_values);
PRINTER(print_size, size_t, ull_values);
PRINTER(print_ptrdiff, ptrdiff_t, ll_values);
PRINTER(print_intmax, intmax_t, ll_values);
PRINTER(print_uintmax, uintmax_t, ull_values);

#define NFLAGS(a) (sizeof(a) / sizeof((a)[0]))

static void expect_no_failures(void)
{
	cr_assert_eq(failures, 0, "%d format/size combinations differ from libc (first ones logged above)",
		     failures);
}

Test(format, int_conversions_match_libc)
{
	sweep(int_flags, NFLAGS(int_flags), "", "d", print_int, print_int_n);
	sweep(int_flags, NFLAGS(int_flags), "", "i", print_int, print_int_n);
	expect_no_failures();
}

Test(format, unsigned_conversions_match_libc)
{
	sweep(uint_flags, NFLAGS(uint_flags), "", "u", print_uint, print_uint_n);
	sweep(uint_flags, NFLAGS(uint_flags), "", "x", print_uint, print_uint_n);
	sweep(uint_flags, NFLAGS(uint_flags), "", "X", print_uint, print_uint_n);
	sweep(uint_flags, NFLAGS(uint_flags), "", "o", print_uint, print_uint_n);
	expect_no_failures();
}

/* hh and h take an int argument and convert it to (unsigned) char/short first. */
Test(format, char_and_short_modifiers_truncate_like_libc)
{
	static const char *const convs[] = {"d", "i", "u", "x", "X", "o"};
	for (size_t c = 0; c < NFLAGS(convs); c++) {
		bool is_signed = convs[c][0] == 'd' || convs[c][0] == 'i';
		const char *const *flags = is_signed ? int_flags : uint_flags;
		size_t n = is_signed ? NFLAGS(int_flags) : NFLAGS(uint_flags);
		sweep(flags, n, "hh", convs[c], is_signed ? print_int : print_uint, print_int_n);
		sweep(flags, n, "h", convs[c], is_signed ? print_int : print_uint, print_int_n);
	}
	/* values outside the range of the narrow type */
	check("%hhd %hhu %hhx %hd %hu %hx", 200, 300, 0x1ff, 40000, 70000, 0x12345);
	check("%hhd %hd", -129, -32769);
	expect_no_failures();
}

Test(format, long_modifiers_match_libc)
{
	static const char *const sconv[] = {"d", "i"};
	static const char *const uconv[] = {"u", "x", "X", "o"};
	for (size_t c = 0; c < NFLAGS(sconv); c++) {
		sweep(int_flags, NFLAGS(int_flags), "l", sconv[c], print_long, print_long_n);
		sweep(int_flags, NFLAGS(int_flags), "ll", sconv[c], print_ll, print_ll_n);
	}
	for (size_t c = 0; c < NFLAGS(uconv); c++) {
		sweep(uint_flags, NFLAGS(uint_flags), "l", uconv[c], print_ulong, print_ulong_n);
		sweep(uint_flags, NFLAGS(uint_flags), "ll", uconv[c], print_ull, print_ull_n);
	}
	expect_no_failures();
}

Test(format, size_ptrdiff_intmax_modifiers_match_libc)
{
	sweep(int_flags, NFLAGS(int_flags), "z", "d", print_ssize, print_ssize_n);
	sweep(uint_flags, NFLAGS(uint_flags), "z", "u", print_size, print_size_n);
	sweep(uint_flags, NFLAGS(uint_flags), "z", "x", print_size, print_size_n);
	sweep(int_flags, NFLAGS(int_flags), "t", "d", print_ptrdiff, print_ptrdiff_n);
	sweep(int_flags, NFLAGS(int_flags), "j", "d", print_intmax, print_intmax_n);
	sweep(uint_flags, NFLAGS(uint_flags), "j", "u", print_uintmax, print_uintmax_n);
	sweep(uint_flags, NFLAGS(uint_flags), "j", "X", print_uintmax, print_uintmax_n);
	check("%td %tx", (ptrdiff_t)-5, (ptrdiff_t)255);
	expect_no_failures();
}

Test(format, extremes)
{
	check("%d %i %d", INT_MIN, INT_MIN, INT_MAX);
	check("%lld %lli %lld", LLONG_MIN, LLONG_MIN, LLONG_MAX);
	check("%ld %lu", LONG_MIN, ULONG_MAX);
	check("%llu %llx %llX %llo", (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX,
	      (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX);
	check("%#llo %#llx %#llX", (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX,
	      (unsigned long long)UINT64_MAX);
	check("%030lld|%-30lld|%+.25lld", LLONG_MIN, LLONG_MIN, LLONG_MIN);
	check("%u %x %o", UINT_MAX, UINT_MAX, UINT_MAX);
	expect_no_failures();
}

/*
 * From here on the formats are deliberately unusual ('0' with a precision, '%' with a width, unknown
 * conversions): gcc's format checker would reject them, but they are exactly what is tested.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-zero-length"
#pragma GCC diagnostic ignored "-Wformat-overflow"

/* Zero under '#' and precision 0: the corners where printf implementations most often disagree. */
Test(format, zero_with_alt_and_precision_zero)
{
	check("[%#x][%#X][%#o][%#.0x][%#.0X][%.0d][%.0u][%.0x][%.0o]", 0, 0, 0, 0, 0, 0, 0, 0, 0);
	check("[%5.0d][%-5.0d][%+.0d][% .0d][%#5.0x][%05.0d]", 0, 0, 0, 0, 0, 0);
	check("[%#.3x][%#.3o][%#.1o][%#5o][%#05x][%#-8x]", 0, 0, 0, 0, 0, 0);
	check("[%#o][%#.2o][%#.3o][%#.4o]", 8, 8, 8, 8);
	expect_no_failures();
}

Test(format, star_width_and_precision)
{
	static const int ws[] = {-30, -10, -1, 0, 1, 3, 12, 30};
	static const int ps[] = {-10, -1, 0, 1, 2, 10, 25};
	for (size_t i = 0; i < NFLAGS(ws); i++) {
		for (size_t j = 0; j < NFLAGS(ps); j++) {
			check("[%*d][%.*d][%*.*d]", ws[i], -42, ps[j], -42, ws[i], ps[j], 123);
			check("[%0*d][%-*x][%*.*o][%0*.*u]", ws[i], -7, ws[i], 0xabcu, ws[i], ps[j], 8u,
			      ws[i], ps[j], 99u);
			check("[%*s][%.*s][%-*.*s]", ws[i], "abc", ps[j], "hello", ws[i], ps[j], "world");
			check("[%*c][%-*c]", ws[i], 'z', ws[i], 'y');
		}
	}
	expect_no_failures();
}

Test(format, strings_and_chars)
{
	static const char *const strs[] = {"", "a", "hello", "a much longer string than any width here"};
	static const char *const sflags[] = {"", "-"};
	char fmt[32];
	for (size_t s = 0; s < NFLAGS(strs); s++)
		for (size_t f = 0; f < NFLAGS(sflags); f++)
			for (size_t w = 0; w < NFLAGS(widths); w++)
				for (size_t p = 0; p < NFLAGS(precs); p++) {
					snprintf(fmt, sizeof(fmt), "<%%%s%s%ss>", sflags[f], widths[w],
						 precs[p]);
					CHECK_ONE(fmt, strs[s]);
				}
	check("%c%c%c", 'a', 'b', 'c');
	check("[%5c][%-5c][%1c]", 'x', 'y', 'z');
	check("%c", 0x141); /* converted to unsigned char */
	check("100%% %%d %5%");
	check("%s", "(null)");
	check("plain text, no conversions");
	check("");
	expect_no_failures();
}

Test(format, many_arguments_in_one_format)
{
	check("cell %s: cpu %u, mem %#llx-%#llx (%zu pages), exit %d, flags %08x, name '%-8s'|", "linux", 3u,
	      0x100000ULL, 0x1fffffffULL, (size_t)131072, -2, 0x1f, "a");
	expect_no_failures();
}

/* Truncation in detail (check() already sweeps sizes; these spell the contract out). */
Test(format, truncation_returns_full_length_and_terminates)
{
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	cr_expect_eq(format_snprintf(NULL, 0, "%d", 12345), 5);
	cr_expect_eq(format_snprintf(buf, 0, "%d", 12345), 5);
	cr_expect_eq(buf[0], 'X', "size 0 must not write");
	cr_expect_eq(format_snprintf(buf, 1, "%d", 12345), 5);
	cr_expect_eq(buf[0], '\0');
	cr_expect_eq(buf[1], 'X');
	cr_expect_eq(format_snprintf(buf, 4, "%s", "abcdef"), 6);
	cr_expect_str_eq(buf, "abc");
	cr_expect_eq(buf[4], 'X');
	cr_expect_eq(format_snprintf(buf, 6, "%-10d|", 7), 11);
	cr_expect_str_eq(buf, "7    ");
	cr_expect_eq(format_snprintf(buf, sizeof(buf), "%s", "1234567"), 7);
	cr_expect_str_eq(buf, "1234567");
}

/*
 * Documented differences from glibc: %p prints like %#lx (so NULL is "0", glibc says "(nil)"); an
 * unknown conversion prints '%' and the conversion character so the mistake shows in the log; a '%' at
 * the very end prints nothing.
 */
Test(format, pointer_conversion)
{
	static void *const ptrs[] = {(void *)0x1, (void *)0x1000, (void *)0xffff800000001234ULL,
				     (void *)UINTPTR_MAX};
	char fmt[32];
	for (size_t i = 0; i < NFLAGS(ptrs); i++) {
		check("%p", ptrs[i]);
		for (size_t w = 0; w < NFLAGS(widths); w++) {
			snprintf(fmt, sizeof(fmt), "[%%%sp][%%-%sp]", widths[w], widths[w]);
			check(fmt, ptrs[i], ptrs[i]);
		}
	}
	expect_no_failures();

	char buf[64];
	cr_expect_eq(format_snprintf(buf, sizeof(buf), "%p", NULL), 1);
	cr_expect_str_eq(buf, "0");
	format_snprintf(buf, sizeof(buf), "[%4p][%-4p]", NULL, NULL);
	cr_expect_str_eq(buf, "[   0][0   ]");
}

Test(format, unknown_conversion_is_shown)
{
	char buf[64];

	cr_expect_eq(format_snprintf(buf, sizeof(buf), "a%yb"), 4);
	cr_expect_str_eq(buf, "a%yb");
	cr_expect_eq(format_snprintf(buf, sizeof(buf), "%f|%d", 5), 4, "no argument is consumed by %%f");
	cr_expect_str_eq(buf, "%f|5");
	cr_expect_eq(format_snprintf(buf, sizeof(buf), "%-5y|"), 3,
		     "flags and width of an unknown conversion");
	cr_expect_str_eq(buf, "%y|");
	cr_expect_eq(format_snprintf(buf, 2, "%q"), 2);
	cr_expect_str_eq(buf, "%");
}

Test(format, percent_at_end_prints_nothing)
{
	char buf[16];

	cr_expect_eq(format_snprintf(buf, sizeof(buf), "abc%"), 3);
	cr_expect_str_eq(buf, "abc");
	cr_expect_eq(format_snprintf(buf, sizeof(buf), "abc%-5"), 3);
	cr_expect_str_eq(buf, "abc");
	cr_expect_eq(format_snprintf(buf, sizeof(buf), "x%ll"), 1);
	cr_expect_str_eq(buf, "x");
}

Test(format, null_string)
{
	char buf[32];

	cr_expect_eq(format_snprintf(buf, sizeof(buf), "[%s][%8s]", NULL, NULL), 18);
	cr_expect_str_eq(buf, "[(null)][  (null)]");
}
#pragma GCC diagnostic pop

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
