/* EFER write validation (efer.h). */
#include "efer.h"

bool svm_efer_write_ok(uint64_t old, uint64_t value, bool paging)
{
	if (value & ~EFER_GUEST_BITS)
		return false; /* reserved or not offered: #GP */
	if ((value ^ old) & EFER_GUEST_LMA)
		return false; /* LMA follows LME and CR0.PG; software cannot set it */
	if (paging && ((value ^ old) & EFER_GUEST_LME))
		return false; /* LME may change only with paging off */
	return true;
}
