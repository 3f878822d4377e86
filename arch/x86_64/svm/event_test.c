#include <criterion/criterion.h>

#include "event.h"
#include "vmcb.h"

#define EXC(v)	   ((uint64_t)(v) | SVM_EVTINJ_TYPE_EXC | SVM_EVTINJ_VALID)
#define EXC_ERR(v) (EXC(v) | SVM_EVTINJ_VALID_ERR)
#define DF	   EXC_ERR(8)

Test(svm_event, nothing_being_delivered_raises_as_is)
{
	cr_expect_eq(svm_event_combine(0, EXC_ERR(14)), EXC_ERR(14));
	cr_expect_eq(svm_event_combine(EXC_ERR(14) & ~(uint64_t)SVM_EVTINJ_VALID, EXC_ERR(13)), EXC_ERR(13));
}

Test(svm_event, interrupts_and_nmis_are_replaced)
{
	cr_expect_eq(svm_event_combine(0x30 | SVM_EVTINJ_VALID, EXC_ERR(14)), EXC_ERR(14), "interrupt");
	cr_expect_eq(svm_event_combine(2 | (2u << 8) | SVM_EVTINJ_VALID, EXC_ERR(13)), EXC_ERR(13), "NMI");
	cr_expect_eq(svm_event_combine(0x80 | (4u << 8) | SVM_EVTINJ_VALID, EXC_ERR(14)), EXC_ERR(14),
		     "INTn");
}

Test(svm_event, the_double_fault_table)
{
	cr_expect_eq(svm_event_combine(EXC_ERR(13), EXC_ERR(13)), DF, "#GP during #GP");
	cr_expect_eq(svm_event_combine(EXC(0), EXC_ERR(11)), DF, "#NP during #DE");
	cr_expect_eq(svm_event_combine(EXC_ERR(14), EXC_ERR(14)), DF, "#PF during #PF");
	cr_expect_eq(svm_event_combine(EXC_ERR(14), EXC_ERR(13)), DF, "#GP during #PF");
	cr_expect_eq(svm_event_combine(EXC_ERR(13), EXC_ERR(14)), EXC_ERR(14), "#PF during #GP: serial");
	cr_expect_eq(svm_event_combine(EXC(6), EXC_ERR(14)), EXC_ERR(14), "#PF during #UD: serial");
	cr_expect_eq(svm_event_combine(EXC(1), EXC_ERR(13)), EXC_ERR(13), "#GP during #DB: serial");
	cr_expect_eq(svm_event_combine(EXC_ERR(14), EXC(6)), EXC(6), "#UD during #PF: serial");
}

Test(svm_event, a_fault_during_a_double_fault_is_a_shutdown)
{
	cr_expect_eq(svm_event_combine(DF, EXC_ERR(14)), SVM_EVENT_SHUTDOWN);
	cr_expect_eq(svm_event_combine(DF, EXC_ERR(13)), SVM_EVENT_SHUTDOWN);
	cr_expect_eq(svm_event_combine(DF, EXC_ERR(12)), SVM_EVENT_SHUTDOWN);
	cr_expect_eq(svm_event_combine(DF, EXC(1)), EXC(1), "a benign #DB during #DF: serial");
}

Test(svm_event, a_benign_exception_raised_by_its_own_delivery_is_a_shutdown)
{
	cr_expect_eq(svm_event_combine(EXC_ERR(17), EXC_ERR(17)), SVM_EVENT_SHUTDOWN, "#AC on #AC");
	cr_expect_eq(svm_event_combine(EXC(1), EXC(1)), SVM_EVENT_SHUTDOWN, "#DB on #DB");
	cr_expect_eq(svm_event_combine(EXC(1), EXC_ERR(17)), EXC_ERR(17), "#AC on #DB: serial");
}
