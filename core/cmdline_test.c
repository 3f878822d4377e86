/* The hypervisor command line: finding keys, comparing values, parsing sizes. */
#include <criterion/criterion.h>
#include <string.h>
#include <tessera/cmdline.h>

static uint64_t size_of(const char *s, bool *ok)
{
	return cmdline_parse_size(s, strlen(s), ok);
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
