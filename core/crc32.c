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

uint32_t crc32_blob(const void *blob, size_t size, size_t at)
{
	const uint32_t zero = 0;
	uint32_t crc;

	crc = crc32_update(0, blob, at);
	crc = crc32_update(crc, &zero, sizeof(zero));
	return crc32_update(crc, (const char *)blob + at + 4, size - at - 4);
}
