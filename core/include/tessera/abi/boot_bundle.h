/*
 * The boot bundle: the config blob and the cells' images in one file, so that a loader with one argument
 * per image (LAVA's `initrd`, a board's boot script) can pass everything the hypervisor needs as a single
 * multiboot module (docs/lab.md). The hypervisor expands a bundle module in place into one boot module per
 * entry, named by the entry; everything after that sees the same module list as with `-initrd "a,b,c"`.
 *
 * Layout (version 1), little-endian, fixed-width fields, no pointers:
 *
 *   struct tessera_bundle_header
 *   struct tessera_bundle_entry  entries[nr_entries]
 *   payloads, each at a TESSERA_BUNDLE_ALIGN boundary from the start of the bundle, in entry order,
 *   not overlapping each other or the table; zero padding between them
 *
 * `header_crc` is the CRC-32 (IEEE 802.3, as zlib computes it) of the header and the entry table with
 * header_crc taken as zero; each entry's `crc32` is that of its payload. `size` is the bundle's whole
 * length: a module shorter than that is a truncated bundle. The config blob is the first entry (the
 * hypervisor takes the first module as the config unless `config=NAME` names another).
 */
#ifndef TESSERA_ABI_BOOT_BUNDLE_H
#define TESSERA_ABI_BOOT_BUNDLE_H

#include <stdint.h>

#define TESSERA_BUNDLE_MAGIC	 "TESSBDL" /* 8 bytes with the NUL */
#define TESSERA_BUNDLE_VERSION	 1
#define TESSERA_BUNDLE_ALIGN	 4096
#define TESSERA_BUNDLE_NAME_LEN	 56 /* with the terminating NUL */
#define TESSERA_BUNDLE_MAX_ENTRY 16 /* the hypervisor's boot-module limit */

struct tessera_bundle_header {
	char magic[8];	     /* TESSERA_BUNDLE_MAGIC */
	uint32_t version;    /* TESSERA_BUNDLE_VERSION */
	uint32_t nr_entries; /* 1 .. TESSERA_BUNDLE_MAX_ENTRY */
	uint64_t size;	     /* bytes in the whole bundle */
	uint32_t header_crc; /* header + entry table, this field as zero */
	uint32_t reserved;   /* zero */
};

struct tessera_bundle_entry {
	char name[TESSERA_BUNDLE_NAME_LEN]; /* the module's name, a file base name, NUL-terminated */
	uint64_t offset;		    /* from the start of the bundle, TESSERA_BUNDLE_ALIGN-aligned */
	uint64_t size;			    /* payload bytes */
	uint32_t crc32;			    /* of the payload */
	uint32_t reserved;		    /* zero */
};

_Static_assert(sizeof(struct tessera_bundle_header) == 32, "bundle header layout");
_Static_assert(sizeof(struct tessera_bundle_entry) == 80, "bundle entry layout");

#endif
