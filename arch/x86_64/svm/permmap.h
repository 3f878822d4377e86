/*
 * The SVM I/O and MSR permission maps, built from a cell's allow-lists: default deny, a set bit means
 * "intercept". Pure functions on caller buffers, unit-tested on the host.
 *   IOPM: 12 KiB, one bit per port (a multi-byte access checks every port it touches; the bits past
 *         port 0xffff catch accesses that wrap).
 *   MSRPM: 8 KiB, two bits per MSR (even: read, odd: write) for 0-0x1fff, 0xc0000000-0xc0001fff and
 *         0xc0010000-0xc0011fff; every other MSR always exits.
 */
#ifndef TESSERA_X86_SVM_PERMMAP_H
#define TESSERA_X86_SVM_PERMMAP_H

#include <tessera/compiler.h>
#include <tessera/abi/config.h>

#define SVM_IOPM_SIZE  (12 * 1024)
#define SVM_MSRPM_SIZE (8 * 1024)

void svm_iopm_build(uint8_t *iopm, const struct tessera_config_pio *pio, unsigned int nr);
/* MSRs the hypervisor keeps intercepted whatever the config says (EFER, VM_CR, VM_HSAVE_PA). */
bool svm_msr_is_owned(uint32_t msr);
void svm_msrpm_build(uint8_t *msrpm, const struct tessera_config_msr *msr, unsigned int nr);
/* Bit index of `msr`'s read bit in the MSRPM (write = +1), or -1 outside the mapped ranges. */
long svm_msrpm_bit(uint32_t msr);
/* Query helpers (tests and reports). */
bool svm_iopm_intercepts(const uint8_t *iopm, uint32_t port);
bool svm_msrpm_intercepts(const uint8_t *msrpm, uint32_t msr, bool write);

#endif
