/* The runtime's page tables; see guest/paging.h. */
#include <guest/paging.h>
#include <guest/runtime.h>
#include <tessera/error.h>
#include <tessera/string.h>

#define PTE_P	  (1ULL << 0)
#define PTE_RW	  (1ULL << 1)
#define PTE_US	  (1ULL << 2) /* user-accessible: guest/user.h runs any of the image at CPL 3 */
#define PTE_PS	  (1ULL << 7)
#define PTE_ADDR  0x000ffffffffff000ULL
#define POOL_SIZE 16

static uint64_t pml4[512] __aligned(4096);
static uint64_t pdpt_low[512] __aligned(4096);
static uint64_t pd_low[4][512] __aligned(4096);
static uint64_t pool[POOL_SIZE][512] __aligned(4096);
static unsigned int pool_used;

static inline uint64_t table_entry(const void *table)
{
	return (uint64_t)(uintptr_t)table | PTE_P | PTE_RW | PTE_US;
}

static uint64_t *table_of(uint64_t entry)
{
	return (uint64_t *)(uintptr_t)(entry & PTE_ADDR);
}

/* Called once by CPU 0 before anything else runs; .bss is already zero. */
void paging_init(void)
{
	pml4[0] = table_entry(pdpt_low);
	for (unsigned int g = 0; g < 4; g++) {
		pdpt_low[g] = table_entry(pd_low[g]);
		for (unsigned int i = 0; i < 512; i++)
			pd_low[g][i] = (((uint64_t)g << 30) + ((uint64_t)i << 21)) | PTE_P | PTE_RW | PTE_US |
				       PTE_PS;
	}
}

void paging_load(void)
{
	__asm__ volatile("mov %0, %%cr3" ::"r"((uint64_t)(uintptr_t)pml4) : "memory");
}

void paging_flush(void)
{
	paging_load();
}

static uint64_t *table_next(uint64_t *entry)
{
	if (!(*entry & PTE_P)) {
		if (pool_used == POOL_SIZE)
			return NULL;
		*entry = table_entry(pool[pool_used++]);
	}
	return table_of(*entry);
}

int paging_map_2m(uint64_t addr)
{
	uint64_t *pdpt = table_next(&pml4[(addr >> 39) & 511]);
	if (!pdpt)
		return -HV_ENOMEM;
	uint64_t *pd = table_next(&pdpt[(addr >> 30) & 511]);
	if (!pd)
		return -HV_ENOMEM;
	pd[(addr >> 21) & 511] = (addr & ~(PAGING_2M - 1)) | PTE_P | PTE_RW | PTE_US | PTE_PS;
	paging_flush();
	return 0;
}

uint64_t paging_set_pd_at(uint64_t va, uint64_t table_gpa)
{
	uint64_t *pdpt = table_next(&pml4[(va >> 39) & 511]);
	if (!pdpt)
		return 0;
	uint64_t *entry = &pdpt[(va >> 30) & 511];
	uint64_t old = *entry;
	*entry = (table_gpa & PTE_ADDR) | PTE_P | PTE_RW | PTE_US;
	paging_flush();
	return old;
}

void paging_restore_1g(uint64_t va, uint64_t old_entry)
{
	uint64_t *pdpt = table_of(pml4[(va >> 39) & 511]);
	pdpt[(va >> 30) & 511] = old_entry;
	paging_flush();
}
