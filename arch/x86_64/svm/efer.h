/*
 * A cell's EFER writes, validated as the CPU would before they reach the VMCB: VMRUN refuses an illegal
 * EFER (VMEXIT_INVALID), which would stop the cell for what the hardware answers with #GP.
 */
#ifndef TESSERA_X86_SVM_EFER_H
#define TESSERA_X86_SVM_EFER_H

#include <stdbool.h>
#include <stdint.h>

#define EFER_GUEST_SCE (1ULL << 0)
#define EFER_GUEST_LME (1ULL << 8)
#define EFER_GUEST_LMA (1ULL << 10)
#define EFER_GUEST_NXE (1ULL << 11)
/* The bits a cell may write: SCE, LME, LMA (read-only: must stay as it is), NXE. SVME is hidden (no SVM in
 * CPUID), LMSLE, FFXSR and TCE are not offered. */
#define EFER_GUEST_BITS (EFER_GUEST_SCE | EFER_GUEST_LME | EFER_GUEST_LMA | EFER_GUEST_NXE)

/*
 * Whether a cell may write `value` to EFER as it sees it (SVME hidden) when its current EFER is `old` and
 * CR0.PG is `paging`: no bit outside EFER_GUEST_BITS, LMA unchanged, LME unchanged while paging is on.
 */
bool svm_efer_write_ok(uint64_t old, uint64_t value, bool paging);

#endif
