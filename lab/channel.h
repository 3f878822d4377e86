/*
 * The host channel's file (principle 5, docs/architecture.md): QEMU maps it as the memory of an
 * ivshmem-plain device, host tools (tessera fi inject, tessera cell) map the same file.
 */
#ifndef TESSERA_LAB_CHANNEL_H
#define TESSERA_LAB_CHANNEL_H

#include <stddef.h>

#define LAB_CHANNEL_MB 4

/*
 * Create path as a zeroed file of mb MiB. It is sized under a temporary name and then renamed, so that a
 * tool started beside the run sees no file or the whole channel, never an empty one. 0, or -1 with a
 * message (without a prefix) in err.
 */
int lab_channel_create(const char *path, unsigned int mb, char *err, size_t err_size);

#endif
