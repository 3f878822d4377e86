/* Combining an exception with the event whose delivery it interrupted (event.h). */
#include "event.h"
#include "vmcb.h"

#define VEC_DF 8
#define VEC_PF 14

enum exc_class { EXC_BENIGN, EXC_CONTRIBUTORY, EXC_PAGE_FAULT, EXC_DOUBLE_FAULT };

static enum exc_class exc_class(unsigned int vector)
{
	switch (vector) {
	case 0:	 /* #DE */
	case 10: /* #TS */
	case 11: /* #NP */
	case 12: /* #SS */
	case 13: /* #GP */ return EXC_CONTRIBUTORY;
	case VEC_PF: return EXC_PAGE_FAULT;
	case VEC_DF: return EXC_DOUBLE_FAULT;
	default: return EXC_BENIGN;
	}
}

uint64_t svm_event_combine(uint64_t delivering, uint64_t raise)
{
	unsigned int first = delivering & 0xff, second = raise & 0xff;

	/* Only an exception being delivered combines; an interrupt, NMI or INTn is replaced, as on the CPU. */
	if (!(delivering & SVM_EVTINJ_VALID) || (delivering & SVM_EVTINJ_TYPE_MASK) != SVM_EVTINJ_TYPE_EXC)
		return raise;
	enum exc_class a = exc_class(first), b = exc_class(second);
	if (a == EXC_DOUBLE_FAULT && (b == EXC_CONTRIBUTORY || b == EXC_PAGE_FAULT))
		return SVM_EVENT_SHUTDOWN;
	if ((a == EXC_CONTRIBUTORY && b == EXC_CONTRIBUTORY) ||
	    (a == EXC_PAGE_FAULT && (b == EXC_CONTRIBUTORY || b == EXC_PAGE_FAULT)))
		return VEC_DF | SVM_EVTINJ_TYPE_EXC | SVM_EVTINJ_VALID_ERR |
		       SVM_EVTINJ_VALID; /* error code 0 */
	if (a == EXC_BENIGN && first == second)
		return SVM_EVENT_SHUTDOWN;
	return raise;
}
