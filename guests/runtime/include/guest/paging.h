/*
 * The runtime's own page tables. They identity-map guest-physical 0..4 GiB in 2 MiB pages, writable and
 * executable, like the boot tables, and user-accessible (for guest/user.h; SMEP/SMAP stay off). They live
 * in the image so that an inmate can add mappings (the probe maps addresses above 4 GiB, so that only the
 * nested page tables, never its own, can stop an access there).
 */
#ifndef GUEST_PAGING_H
#define GUEST_PAGING_H

#include <tessera/compiler.h>

#define PAGING_2M (1ULL << 21)

/* Identity-map the 2 MiB page containing addr (RW, executable); 0 or a negated hv_error (tables full). */
int paging_map_2m(uint64_t addr);
/*
 * Make the 1 GiB of virtual space containing va use the page directory at guest-physical table_gpa (which
 * need not be the cell's memory: the probe uses this to make the CPU's own page walk touch memory the cell
 * does not own). Returns the previous entry, for paging_restore_1g.
 */
uint64_t paging_set_pd_at(uint64_t va, uint64_t table_gpa);
void paging_restore_1g(uint64_t va, uint64_t old_entry);
/* Reload CR3: drop every cached translation of this CPU. */
void paging_flush(void);

#endif
