/* The MCA classifier (mce_classify.c): every class, and the rules' order where two bits disagree. */
#include <criterion/criterion.h>

#include "../../trace/events.h"
#include "mce.h"

#define VAL   MCI_STATUS_VAL
#define UC    MCI_STATUS_UC
#define EN    MCI_STATUS_EN
#define PCC   MCI_STATUS_PCC
#define S     MCI_STATUS_S
#define AR    MCI_STATUS_AR
#define OVER  MCI_STATUS_OVER
#define ADDRV MCI_STATUS_ADDRV
#define MISCV MCI_STATUS_MISCV
#define RIPV  MCG_STATUS_RIPV
#define MCIP  MCG_STATUS_MCIP

Test(mce_classify, empty_bank_is_nothing)
{
	cr_expect_eq(x86_mce_classify(true, RIPV | MCIP, 0), MCE_SEV_NONE);
	cr_expect_eq(x86_mce_classify(true, RIPV | MCIP, UC | PCC | EN), MCE_SEV_NONE, "VAL clear");
}

Test(mce_classify, corrected)
{
	cr_expect_eq(x86_mce_classify(true, 0, VAL | EN | ADDRV), TESSERA_MCE_SEV_CORRECTED);
	/* An overflow of corrected errors loses only corrected ones. */
	cr_expect_eq(x86_mce_classify(true, 0, VAL | OVER | EN), TESSERA_MCE_SEV_CORRECTED);
	cr_expect_eq(x86_mce_classify(false, 0, VAL | EN), TESSERA_MCE_SEV_CORRECTED, "no SER");
}

Test(mce_classify, uncorrected_classes)
{
	cr_expect_eq(x86_mce_classify(true, RIPV | MCIP, VAL | UC | EN | ADDRV), TESSERA_MCE_SEV_UCNA);
	/* QEMU's documented example 0xbd00000000000000: VAL UC EN MISCV ADDRV S. */
	cr_expect_eq(x86_mce_classify(true, RIPV | MCIP, 0xbd00000000000000ULL), TESSERA_MCE_SEV_AO);
	cr_expect_eq(x86_mce_classify(true, RIPV | MCIP, VAL | UC | EN | S | ADDRV), TESSERA_MCE_SEV_AO);
	cr_expect_eq(x86_mce_classify(true, RIPV | MCIP, VAL | UC | EN | S | AR | ADDRV), TESSERA_MCE_SEV_AR);
}

Test(mce_classify, fatal)
{
	/* QEMU's other example 0xb200000000000000: VAL UC EN PCC. */
	cr_expect_eq(x86_mce_classify(true, RIPV | MCIP, 0xb200000000000000ULL), TESSERA_MCE_SEV_FATAL);
	cr_expect_eq(x86_mce_classify(true, RIPV | MCIP, VAL | PCC), TESSERA_MCE_SEV_FATAL, "PCC without UC");
	cr_expect_eq(x86_mce_classify(true, RIPV | MCIP, VAL | UC | OVER | S), TESSERA_MCE_SEV_FATAL);
	cr_expect_eq(x86_mce_classify(false, RIPV | MCIP, VAL | UC | S), TESSERA_MCE_SEV_FATAL,
		     "uncorrected on a CPU without SER");
	/* Action required and nowhere to resume: the context is lost. */
	cr_expect_eq(x86_mce_classify(true, MCIP, VAL | UC | S | AR), TESSERA_MCE_SEV_FATAL);
	/* Action optional does not depend on the interrupted context. */
	cr_expect_eq(x86_mce_classify(true, MCIP, VAL | UC | S), TESSERA_MCE_SEV_AO);
}

Test(mce_classify, msr_ranges)
{
	cr_expect(x86_mce_msr(0x179) && x86_mce_msr(0x17a) && x86_mce_msr(0x17b));
	cr_expect(x86_mce_msr(0x400) && x86_mce_msr(0x47f));
	cr_expect(!x86_mce_msr(0x178) && !x86_mce_msr(0x17c) && !x86_mce_msr(0x3ff) && !x86_mce_msr(0x480));
}
