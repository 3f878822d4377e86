#include <criterion/criterion.h>

#include "efer.h"

#define LONG_MODE (EFER_GUEST_LME | EFER_GUEST_LMA | EFER_GUEST_NXE)

Test(svm_efer, legal_writes_pass)
{
	cr_expect(svm_efer_write_ok(LONG_MODE, LONG_MODE, true));
	cr_expect(svm_efer_write_ok(LONG_MODE, LONG_MODE | EFER_GUEST_SCE, true));
	cr_expect(svm_efer_write_ok(LONG_MODE, LONG_MODE & ~EFER_GUEST_NXE, true));
	cr_expect(svm_efer_write_ok(0, EFER_GUEST_LME, false), "LME with paging off");
}

Test(svm_efer, reserved_bits_and_illegal_changes_fail)
{
	cr_expect(!svm_efer_write_ok(LONG_MODE, LONG_MODE | (1ULL << 20), true), "reserved bit 20");
	cr_expect(!svm_efer_write_ok(LONG_MODE, LONG_MODE | (1ULL << 12), true), "SVME is not the cell's");
	cr_expect(!svm_efer_write_ok(LONG_MODE, LONG_MODE | (1ULL << 14), true), "FFXSR is not offered");
	cr_expect(!svm_efer_write_ok(LONG_MODE, LONG_MODE | (1ULL << 63), true));
	cr_expect(!svm_efer_write_ok(LONG_MODE, LONG_MODE & ~EFER_GUEST_LME, true), "LME off under paging");
	cr_expect(!svm_efer_write_ok(LONG_MODE, LONG_MODE & ~EFER_GUEST_LMA, true), "LMA is read-only");
	cr_expect(!svm_efer_write_ok(0, EFER_GUEST_LMA, false), "LMA is read-only");
}
