/* guest/prng.h is splitmix64: the reference sequence, and prng_below's range. */
#include <criterion/criterion.h>
#include <guest/prng.h>

Test(prng, splitmix64_reference_values)
{
	/* the first outputs of Vigna's splitmix64.c from state 0 */
	static const uint64_t want[] = {0xe220a8397b1dcdafULL, 0x6e789e6aa1b965f4ULL, 0x06c45d188009454fULL};
	struct prng p;

	prng_seed(&p, 0);
	for (int i = 0; i < 3; i++)
		cr_expect_eq(prng_next(&p), want[i], "output %d", i);
	cr_expect_eq(prng_hash(0), want[0], "prng_hash(x) is the first output from state x");
}

Test(prng, below_stays_in_range_and_reaches_both_ends)
{
	struct prng p;
	bool seen[7] = {false};

	prng_seed(&p, 42);
	for (int i = 0; i < 1000; i++) {
		uint64_t v = prng_below(&p, 7);
		cr_assert_lt(v, 7);
		seen[v] = true;
	}
	for (int v = 0; v < 7; v++)
		cr_expect(seen[v], "%d never drawn in 1000", v);
	cr_expect_eq(prng_below(&p, 1), 0);
}
