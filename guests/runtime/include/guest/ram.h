/*
 * RAM an inmate may use beyond its image: workloads that stream over or chase through megabytes take it
 * from here instead of from .bss (which the boot stub would have to zero first).
 */
#ifndef GUEST_RAM_H
#define GUEST_RAM_H

#include <tessera/compiler.h>

struct ram_span {
	uint64_t base, size; /* guest-physical, page aligned; size 0 when there is none */
};

/* The free part of the RAM region that holds the image: from the end of the image (page aligned) to the
 * end of the region, less the boot area when the region holds it (abi/cell_boot.h). */
struct ram_span ram_free(void);

#endif
