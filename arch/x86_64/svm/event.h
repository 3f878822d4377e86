/*
 * An exception raised while another event was being delivered (SVM's EXITINTINFO), combined as the CPU
 * does (AMD APM vol. 2, "Double Fault": the contributory exceptions #DE, #TS, #NP, #SS, #GP; #PF; #DF):
 *   contributory during contributory, or contributory/#PF during #PF  ->  #DF (error code 0)
 *   contributory or #PF during #DF                                      ->  shutdown (triple fault)
 *   anything else (a benign exception, an interrupt or NMI being delivered)  ->  the new one, serially
 * One deliberate difference: a benign exception raised again by its own delivery (#AC on the #AC frame,
 * #DB on #DB) would keep a real CPU looping inside microcode (CVE-2015-5307, CVE-2015-8104); it can never
 * be delivered, so it is a shutdown too. Without this, an injected fault whose delivery faults (an IDT or
 * stack outside the cell) would be injected again forever.
 */
#ifndef TESSERA_X86_SVM_EVENT_H
#define TESSERA_X86_SVM_EVENT_H

#include <stdint.h>

#define SVM_EVENT_SHUTDOWN (~0ULL) /* not an EVENTINJ value: the vCPU is in shutdown */

/* `delivering`: EXITINTINFO of the exit (0 when nothing was being delivered); `raise`: the EVENTINJ word of
 * the exception to raise now. Returns the EVENTINJ word to inject, or SVM_EVENT_SHUTDOWN. */
uint64_t svm_event_combine(uint64_t delivering, uint64_t raise);

#endif
