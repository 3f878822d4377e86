/*
 * Reading ELF64 images: the guest images that cells run. Shared by the host (the config checker tests
 * that an image fits its region) and the hypervisor (which loads it). Never trusts the file: every offset
 * and size is checked against the buffer.
 */
#ifndef TESSERA_ELF_H
#define TESSERA_ELF_H

#include <tessera/compiler.h>

#define ELF_MAX_SEGMENTS 16

struct elf_segment {
	uint64_t vaddr;	 /* where it is loaded (guest-physical; images are linked for their cell) */
	uint64_t memsz;	 /* bytes in memory (the part past filesz is zero) */
	uint64_t offset; /* in the file */
	uint64_t filesz;
	uint32_t flags; /* PF_R=4, PF_W=2, PF_X=1 as in ELF */
};

struct elf_image {
	uint64_t entry;
	unsigned int nr_segments;
	struct elf_segment segments[ELF_MAX_SEGMENTS];
	uint64_t lowest, highest; /* [lowest, highest) spans every PT_LOAD segment */
};

/*
 * Parse the ELF64 little-endian executable for the given machine (EM_X86_64 = 62, EM_AARCH64 = 183).
 * Returns 0, or -HV_EINVAL with a short reason in *why (a static string).
 */
int elf_parse(const void *data, size_t size, uint16_t machine, struct elf_image *out, const char **why);

/* Copy the image's segments into memory: `to_mem(ctx, vaddr, size)` returns where vaddr..+size lives, or NULL. */
int elf_load(const void *data, const struct elf_image *img,
	     void *(*to_mem)(void *ctx, uint64_t vaddr, uint64_t size), void *ctx);

#endif
