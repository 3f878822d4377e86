/*
 * The hypervisor's side of the results page (abi/results.h): trace/hv.c sets it aside at the end of the
 * host channel when it lays out the control block, and the results_write hypercall appends a cell's
 * records to that cell's ring. Without a host channel there is no page and results_write returns
 * -HV_ENOTSUP: the console is then the only results channel.
 */
#ifndef TESSERA_RESULTS_H
#define TESSERA_RESULTS_H

#include <stdint.h>

struct vcpu;

/* The bytes the page takes for the loaded cells, given `room` bytes the channel can spare; 0: no page. */
uint64_t results_hv_size(uint64_t room);
/* Lays the page out in `bytes` (results_hv_size's) at `block`, `offset` bytes into the host channel, and
 * publishes it. Returns offset (the control block's results_offset), or 0 when there is no page. */
uint64_t results_hv_init(void *block, uint64_t offset, uint64_t bytes);
/* The hypercall: a record of len bytes at guest address gpa into the calling cell's ring. */
int64_t results_hv_write(struct vcpu *v, uint64_t gpa, uint64_t len);

#endif
