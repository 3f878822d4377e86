/* The hypervisor command line: finding keys, comparing values, parsing sizes. */
#include <criterion/criterion.h>
#include <string.h>
#include <tessera/cmdline.h>

/* cmdline_get, returning the value as a NUL-terminated copy ("<none>" when the key is absent). */
static const char *get(const char *cmdline, const char *key)
{
	static char buf[128];
	const char *v = (const char *)0x1;
	size_t len = 12345;

	if (!cmdline_get(cmdline, key, &v, &len))
		return "<none>";
	cr_assert_lt(len, sizeof(buf));
	memcpy(buf, v, len);
	buf[len] = '\0';
	return buf;
}

Test(cmdline, keys_with_and_without_values)
{
	const char *cl = "loglevel=debug pool=16M nosmp test_fault=pagefault empty=";

	cr_expect_str_eq(get(cl, "loglevel"), "debug");
	cr_expect_str_eq(get(cl, "pool"), "16M");
	cr_expect_str_eq(get(cl, "nosmp"), "", "a bare key has an empty value");
	cr_expect_str_eq(get(cl, "test_fault"), "pagefault", "an underscore in the key");
	cr_expect_str_eq(get(cl, "empty"), "", "key= with nothing after it");
	cr_expect_str_eq(get(cl, "missing"), "<none>");
}

Test(cmdline, value_points_into_the_command_line)
{
	const char *cl = "a=1 pool=32M b";
	const char *v;
	size_t len;

	cr_assert(cmdline_get(cl, "pool", &v, &len));
	cr_expect_eq(v, cl + 9);
	cr_expect_eq(len, 3);
	cr_assert(cmdline_get(cl, "b", &v, &len));
	cr_expect_eq(len, 0);
}

Test(cmdline, prefixes_and_suffixes_do_not_match)
{
	cr_expect_str_eq(get("poolx=4M", "pool"), "<none>", "key is a prefix of the word's key");
	cr_expect_str_eq(get("poolx", "pool"), "<none>");
	cr_expect_str_eq(get("xpool=4M", "pool"), "<none>", "key is a suffix of the word's key");
	cr_expect_str_eq(get("po=4M", "pool"), "<none>", "word's key is a prefix of the key");
	cr_expect_str_eq(get("poolx=4M pool=8M", "pool"), "8M", "the real key after a look-alike");
	cr_expect_str_eq(get("a=pool=1", "pool"), "<none>", "inside a value");
	cr_expect_str_eq(get("a=pool", "pool"), "<none>");
}

Test(cmdline, spacing_and_position)
{
	cr_expect_str_eq(get("pool=1M", "pool"), "1M", "only word");
	cr_expect_str_eq(get("   pool=1M   ", "pool"), "1M", "leading and trailing spaces");
	cr_expect_str_eq(get("a=1    pool=2M    b=3", "pool"), "2M", "runs of spaces");
	cr_expect_str_eq(get("a=1 b=2 pool", "pool"), "", "last word, bare");
	cr_expect_str_eq(get("pool=1M pool=2M", "pool"), "1M", "the first occurrence wins");
	cr_expect_str_eq(get("key=a=b", "key"), "a=b", "the value may hold '='");
}

Test(cmdline, empty_and_null_command_lines)
{
	const char *v;
	size_t len;

	cr_expect_not(cmdline_get("", "pool", &v, &len));
	cr_expect_not(cmdline_get("     ", "pool", &v, &len));
	cr_expect_not(cmdline_get(NULL, "pool", &v, &len));
}

Test(cmdline, is_compares_whole_values)
{
	const char *v;
	size_t len;

	cr_assert(cmdline_get("loglevel=debug x=1", "loglevel", &v, &len));
	cr_expect(cmdline_is(v, len, "debug"));
	cr_expect_not(cmdline_is(v, len, "debu"), "a prefix of the value");
	cr_expect_not(cmdline_is(v, len, "debugx"), "longer than the value");
	cr_expect_not(cmdline_is(v, len, "info"));
	cr_assert(cmdline_get("quiet", "quiet", &v, &len));
	cr_expect(cmdline_is(v, len, ""));
	cr_expect_not(cmdline_is(v, len, "x"));
}

static uint64_t size_of(const char *s, bool *ok)
{
	return cmdline_parse_size(s, strlen(s), ok);
}

Test(cmdline, sizes)
{
	static const struct {
		const char *text;
		uint64_t value;
	} good[] = {
		{"0", 0},
		{"4096", 4096},
		{"1K", 1024},
		{"1k", 1024},
		{"16M", 16ULL << 20},
		{"16m", 16ULL << 20},
		{"2G", 2ULL << 30},
		{"2g", 2ULL << 30},
		{"0M", 0},
		{"007", 7},
		{"18446744073709551615", UINT64_MAX},
		{"17179869183G", 17179869183ULL << 30},
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		bool ok = false;
		cr_expect_eq(size_of(good[i].text, &ok), good[i].value, "\"%s\"", good[i].text);
		cr_expect(ok, "\"%s\" should parse", good[i].text);
	}
}

Test(cmdline, malformed_sizes)
{
	static const char *const bad[] = {"",	 "M",	 "K",	   "-1",  "+1",	  "16MB", "16 ",
					  " 16", "1.5G", "0x1000", "16T", "16MM", "1e3",  "abc"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bool ok = true;
		size_of(bad[i], &ok);
		cr_expect_not(ok, "\"%s\" should be rejected", bad[i]);
	}
}

/* The value comes from cmdline_get: only `len` bytes count, whatever follows. */
Test(cmdline, size_uses_only_len_bytes)
{
	bool ok = false;

	cr_expect_eq(cmdline_parse_size("16M extra", 3, &ok), 16ULL << 20);
	cr_expect(ok);
	cr_expect_eq(cmdline_parse_size("1234", 2, &ok), 12);
	cr_expect(ok);
	cr_expect_eq(cmdline_parse_size("4K", 0, &ok), 0);
	cr_expect_not(ok, "an empty value is not a size");
}

/*
 * Regression: sizes that do not fit in 64 bits wrapped silently and were reported as well-formed
 * ("pool=17179869184G" gave a pool of 0 bytes, "18446744073709551617" gave 1).
 */
Test(cmdline, sizes_that_overflow_are_malformed)
{
	static const char *const bad[] = {"18446744073709551616",
					  "18446744073709551617",
					  "99999999999999999999",
					  "17179869184G",
					  "17592186044416M",
					  "18014398509481984K",
					  "123456789012345678901234567890"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bool ok = true;
		size_of(bad[i], &ok);
		cr_expect_not(ok, "\"%s\" does not fit in 64 bits", bad[i]);
	}
	bool ok = false;
	cr_expect_eq(size_of("17592186044415M", &ok), 17592186044415ULL << 20);
	cr_expect(ok, "the largest whole number of MiB still fits");
}
