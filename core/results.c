/*
 * The results page in the host channel (tessera/results.h, abi/results.h): one ring per cell, written
 * only here, on behalf of the cell that calls results_write. The cell passes a guest address and a
 * length; the text is copied with the checked copy every hypercall uses (cell_copy_from_guest: the whole
 * buffer in the cell's own readable memory, or nothing), so a cell can put records into its own ring and
 * nowhere else.
 */
#include <tessera/arch.h>
#include <tessera/cell.h>
#include <tessera/compiler.h>
#include <tessera/console.h>
#include <tessera/error.h>
#include <tessera/results.h>
#include <tessera/results_ring.h>
#include <tessera/string.h>

#define BLOCK_BYTES ALIGN_UP((uint64_t)sizeof(struct tessera_results_block), 4096)

static struct results_ring rings[TESSERA_RESULTS_MAX_CELLS];
static struct tessera_results_block *block;
static uint64_t ring_size;

static unsigned int page_cells(void)
{
	return MIN(nr_cells, (unsigned int)TESSERA_RESULTS_MAX_CELLS);
}

/* The fixed ring size, or a smaller power of two in a small channel: the page takes at most a quarter of
 * the room, so that the trace rings keep most of it. */
uint64_t results_hv_size(uint64_t room)
{
	unsigned int n = page_cells();
	uint64_t size = TESSERA_RESULTS_RING_SIZE;

	if (!n)
		return 0;
	while (size >= TESSERA_RESULTS_RING_MIN && BLOCK_BYTES + n * size > room / 4)
		size /= 2;
	if (size < TESSERA_RESULTS_RING_MIN)
		return 0;
	ring_size = size;
	return BLOCK_BYTES + n * size;
}

uint64_t results_hv_init(void *base, uint64_t offset, uint64_t bytes)
{
	struct tessera_results_block *b = base;
	unsigned int n = page_cells();

	if (!ring_size || bytes < BLOCK_BYTES + n * ring_size)
		return 0;
	memset(b, 0, sizeof(*b));
	b->version = TESSERA_RESULTS_VERSION;
	b->header_size = sizeof(*b);
	b->total_size = BLOCK_BYTES + n * ring_size;
	b->nr_cells = n;
	b->record_max = TESSERA_RESULTS_RECORD_MAX;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t off = BLOCK_BYTES + i * ring_size;
		results_ring_init(&rings[i], &b->rings[i], (uint8_t *)base + off, ring_size, off,
				  cells[i].name);
	}
	/* The magic last: a reader that sees it sees a complete block. */
	__atomic_store_n(&b->magic, TESSERA_RESULTS_MAGIC, __ATOMIC_RELEASE);
	__atomic_store_n(&block, b, __ATOMIC_RELEASE);
	pr_info("results: %u rings of %llu bytes in the host channel", n, (unsigned long long)ring_size);
	return offset;
}

int64_t results_hv_write(struct vcpu *v, uint64_t gpa, uint64_t len)
{
	char text[TESSERA_RESULTS_RECORD_MAX];
	unsigned int id = v->cell->id;

	if (len == 0 || len > TESSERA_RESULTS_RECORD_MAX)
		return -HV_ERANGE;
	/* The buffer is checked before the page: a bad pointer is refused the same with or without one. */
	int err = cell_copy_from_guest(v->cell, text, gpa, len);
	if (err)
		return err;
	if (!__atomic_load_n(&block, __ATOMIC_ACQUIRE) || id >= page_cells())
		return -HV_ENOTSUP;
	return results_ring_write(&rings[id], text, (uint32_t)len, arch_timestamp());
}
