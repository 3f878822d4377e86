/* exitbench's modes beside its own (exitbench.c). */
#ifndef TESSERA_GUESTS_EXITBENCH_H
#define TESSERA_GUESTS_EXITBENCH_H

#include <stdint.h>

/* mode=doorbell (doorbell.c): ring or take n doorbells; the exit status of the cell. */
int exitbench_doorbell(uint64_t n);

#endif
