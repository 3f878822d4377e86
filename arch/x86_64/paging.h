/* x86-64 long-mode page tables: the entry format (shared by the hypervisor's tables and AMD NPT). */
#ifndef TESSERA_X86_PAGING_H
#define TESSERA_X86_PAGING_H

#include <tessera/pgtable.h>

#define X86_PTE_P    (1ULL << 0)
#define X86_PTE_RW   (1ULL << 1)
#define X86_PTE_US   (1ULL << 2)
#define X86_PTE_PWT  (1ULL << 3)
#define X86_PTE_PCD  (1ULL << 4)
#define X86_PTE_A    (1ULL << 5)
#define X86_PTE_D    (1ULL << 6)
#define X86_PTE_PS   (1ULL << 7)
#define X86_PTE_G    (1ULL << 8)
#define X86_PTE_NX   (1ULL << 63)
#define X86_PTE_ADDR 0x000ffffffffff000ULL

/* 4 levels, 4 KiB pages, 2 MiB and 1 GiB leaves. NPT users pass PGF_USER on every mapping. */
extern const struct pgtable_format x86_pgtable_format;

#ifndef TESSERA_HOST
/* The hypervisor's own page tables (built by x86_paging_init, loaded on every CPU). */
struct boot_info;
void x86_paging_init(const struct boot_info *info);
void x86_paging_load(void);
/* Map MMIO 1:1, uncached. */
void x86_paging_map_device(uint64_t pa, uint64_t size);
/* Change the 1:1 mapping of [va, va+size): flags 0 unmaps (e.g. a guard page). Flushes this CPU's TLB. */
int x86_paging_set(uint64_t va, uint64_t size, unsigned int flags);
uint64_t x86_paging_root(void);
#endif

#endif
