/* The RAM after the image (guest/ram.h). */
#include <guest/ram.h>
#include <guest/runtime.h>

extern char __image_start[], __image_end[];

struct ram_span ram_free(void)
{
	const struct tessera_cell_boot_info *bi = runtime_boot_info();
	uint64_t start = ((uint64_t)(uintptr_t)__image_end + 4095) & ~4095ULL;
	uint64_t lowest = UINT64_MAX, image = (uint64_t)(uintptr_t)__image_start;
	struct ram_span span = {0, 0};

	for (uint32_t i = 0; i < bi->nr_regions && i < TESSERA_BOOT_MAX_REGIONS; i++) {
		const struct tessera_boot_region *r = &bi->regions[i];
		if (!(r->flags & TESSERA_MEM_DEVICE) && r->guest_addr < lowest)
			lowest = r->guest_addr;
	}
	for (uint32_t i = 0; i < bi->nr_regions && i < TESSERA_BOOT_MAX_REGIONS; i++) {
		const struct tessera_boot_region *r = &bi->regions[i];
		uint64_t end = r->guest_addr + r->size;
		if (image < r->guest_addr || image >= end || (r->flags & TESSERA_MEM_DEVICE))
			continue;
		/* The hypervisor puts the boot area at the top of the lowest RAM region. */
		if (r->guest_addr == lowest)
			end -= TESSERA_BOOT_AREA_SIZE;
		if (start < end)
			span = (struct ram_span){start, end - start};
	}
	return span;
}
