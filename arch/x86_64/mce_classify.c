/*
 * The MCA severity classes of one bank (mce.h), in the order the rules decide them:
 *   VAL clear                 nothing recorded
 *   PCC                       the processor context is corrupt: fatal
 *   UC clear                  corrected
 *   OVER with UC              an uncorrected error was lost under another: fatal
 *   no SER (S and AR undefined) and UC: fatal, the one class of such a CPU
 *   S clear                   uncorrected, no action required (UCNA: not consumed, no #MC signalled)
 *   S, AR clear               action optional (SRAO: e.g. found by the patrol scrubber)
 *   S, AR, RIPV clear         action required, and the context cannot resume: fatal
 *   S, AR                     action required (SRAR: the data was consumed)
 */
#include "../../trace/events.h"
#include "mce.h"

int x86_mce_classify(bool ser, uint64_t mcg_status, uint64_t status)
{
	if (!(status & MCI_STATUS_VAL))
		return MCE_SEV_NONE;
	if (status & MCI_STATUS_PCC)
		return TESSERA_MCE_SEV_FATAL;
	if (!(status & MCI_STATUS_UC))
		return TESSERA_MCE_SEV_CORRECTED;
	if ((status & MCI_STATUS_OVER) || !ser)
		return TESSERA_MCE_SEV_FATAL;
	if (!(status & MCI_STATUS_S))
		return TESSERA_MCE_SEV_UCNA;
	if (!(status & MCI_STATUS_AR))
		return TESSERA_MCE_SEV_AO;
	return mcg_status & MCG_STATUS_RIPV ? TESSERA_MCE_SEV_AR : TESSERA_MCE_SEV_FATAL;
}
