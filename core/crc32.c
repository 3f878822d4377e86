/*
 * Bitwise CRC-32: no table, so nothing to initialise and no 1 KiB of data in the hypervisor; the blob is a
 * few KiB and is checked once per boot.
 */
#include <tessera/crc32.h>

uint32_t crc32_update(uint32_t crc, const void *data, size_t size)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (size--) {
		crc ^= *p++;
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}
