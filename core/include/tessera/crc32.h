/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()): the config blob's checksum. */
#ifndef TESSERA_CRC32_H
#define TESSERA_CRC32_H

#include <tessera/compiler.h>

/* Continue a CRC over more bytes: start with crc = 0; crc32_update(0, "123456789", 9) == 0xcbf43926. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t size);
/* The CRC of a blob whose 32-bit checksum field at byte `at` is taken as zero (config and plan blobs). */
uint32_t crc32_blob(const void *blob, size_t size, size_t at);

#endif
