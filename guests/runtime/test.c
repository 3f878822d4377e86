/* The test-report protocol (guest/test.h, guests/README.md). Used from CPU 0 only. */
#include <guest/print.h>
#include <guest/test.h>
#include <tessera/format.h>

static unsigned int passed, failed;

bool test_report(const char *name, bool pass, const char *fmt, ...)
{
	if (pass) {
		passed++;
		printf("TEST %s: PASS\n", name);
		return true;
	}
	char detail[160] = "no detail";
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		format_vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	failed++;
	printf("TEST %s: FAIL (%s)\n", name, detail);
	return false;
}

unsigned int test_summary(void)
{
	printf("TESTS: %u passed, %u failed\n", passed, failed);
	return failed;
}
