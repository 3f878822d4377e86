/* The batch module's checks (tessera/batch.h). Pure C: unit-tested on the host. */
#include <tessera/abi/batch.h>
#include <tessera/batch.h>
#include <tessera/crc32.h>
#include <tessera/string.h>

const char *batch_problem(const void *blob, size_t size, unsigned int nr_cells)
{
	const struct tessera_batch_header *h = blob;
	struct tessera_batch_header copy;

	if (size < sizeof(*h) || memcmp(h->magic, TESSERA_BATCH_MAGIC, sizeof(h->magic)))
		return "not an experiment batch (bad magic)";
	if (h->version != TESSERA_BATCH_VERSION)
		return "layout version not supported";
	if (h->total_size != size)
		return "size does not match the module's";
	if (h->flags)
		return "unknown flags";
	memcpy(&copy, h, sizeof(copy));
	copy.checksum = 0;
	uint32_t crc = crc32_update(0, &copy, sizeof(copy));
	crc = crc32_update(crc, (const char *)blob + sizeof(copy), size - sizeof(copy));
	if (crc != h->checksum)
		return "checksum mismatch";
	if (h->nr_experiments == 0 || h->nr_experiments > TESSERA_BATCH_MAX)
		return "no experiments, or more than TESSERA_BATCH_MAX";
	if (h->experiments_offset < sizeof(*h) || h->experiments_offset % 8 || h->experiments_offset > size ||
	    (size - h->experiments_offset) / sizeof(struct tessera_batch_experiment) < h->nr_experiments)
		return "experiments outside the blob";
	if (h->target >= nr_cells || h->target >= 64 || (h->others >> h->target & 1))
		return "target is not a cell of the config, or is among the others";
	if (nr_cells < 64 && (h->others | h->canaries) >> nr_cells)
		return "others or canaries name cells the config does not have";
	if (h->canaries & ~h->others)
		return "a canary that is not among the others";
	if (h->limit_ms == 0)
		return "no time limit";
	return NULL;
}
