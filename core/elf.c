/*
 * ELF64 reader for guest images. The file comes from outside (a boot module, a path on the host), so every
 * offset and size is checked against the buffer before use, with overflow-safe arithmetic.
 */
#include <tessera/elf.h>
#include <tessera/error.h>
#include <tessera/string.h>

/* The parts of the ELF64 headers we read; little-endian only, so plain loads are right. */
struct elf64_ehdr {
	unsigned char ident[16];
	uint16_t type;
	uint16_t machine;
	uint32_t version;
	uint64_t entry;
	uint64_t phoff;
	uint64_t shoff;
	uint32_t flags;
	uint16_t ehsize;
	uint16_t phentsize;
	uint16_t phnum;
	uint16_t shentsize;
	uint16_t shnum;
	uint16_t shstrndx;
};

struct elf64_phdr {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
};

#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define ET_EXEC	    2
#define PT_LOAD	    1

static int elf_fail(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -HV_EINVAL;
}

/* True when [off, off+len) lies inside a buffer of `size` bytes. */
static bool elf_in_buffer(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

static int elf_parse_phdr(const struct elf64_phdr *ph, size_t size, struct elf_image *out, const char **why)
{
	struct elf_segment *seg;

	if (ph->type != PT_LOAD || ph->memsz == 0)
		return 0;
	if (out->nr_segments == ELF_MAX_SEGMENTS)
		return elf_fail(why, "too many loadable segments");
	if (ph->filesz > ph->memsz)
		return elf_fail(why, "segment file size exceeds its memory size");
	if (!elf_in_buffer(ph->offset, ph->filesz, size))
		return elf_fail(why, "segment data lies outside the file");
	if (ph->vaddr + ph->memsz < ph->vaddr)
		return elf_fail(why, "segment wraps around the address space");

	seg = &out->segments[out->nr_segments++];
	seg->vaddr = ph->vaddr;
	seg->memsz = ph->memsz;
	seg->offset = ph->offset;
	seg->filesz = ph->filesz;
	seg->flags = ph->flags;
	if (out->nr_segments == 1 || ph->vaddr < out->lowest)
		out->lowest = ph->vaddr;
	if (out->nr_segments == 1 || ph->vaddr + ph->memsz > out->highest)
		out->highest = ph->vaddr + ph->memsz;
	return 0;
}

/* Loadable segments must not overlap each other, or loading order would decide the image's content. */
static bool elf_segments_overlap(const struct elf_image *img)
{
	for (unsigned int i = 0; i < img->nr_segments; i++) {
		const struct elf_segment *a = &img->segments[i];
		for (unsigned int j = i + 1; j < img->nr_segments; j++) {
			const struct elf_segment *b = &img->segments[j];
			if (a->vaddr < b->vaddr + b->memsz && b->vaddr < a->vaddr + a->memsz)
				return true;
		}
	}
	return false;
}

int elf_parse(const void *data, size_t size, uint16_t machine, struct elf_image *out, const char **why)
{
	struct elf64_ehdr eh;
	int err;

	memset(out, 0, sizeof(*out));
	if (!data || size < sizeof(eh))
		return elf_fail(why, "file too small for an ELF header");
	memcpy(&eh, data, sizeof(eh));
	if (memcmp(eh.ident, "\177ELF", 4) != 0)
		return elf_fail(why, "not an ELF file (bad magic)");
	if (eh.ident[4] != ELFCLASS64)
		return elf_fail(why, "not a 64-bit ELF file");
	if (eh.ident[5] != ELFDATA2LSB)
		return elf_fail(why, "not a little-endian ELF file");
	if (eh.type != ET_EXEC)
		return elf_fail(why, "not an executable (ET_EXEC) ELF file");
	if (eh.machine != machine)
		return elf_fail(why, "ELF file is for another machine");
	if (eh.phnum == 0)
		return elf_fail(why, "ELF file has no program headers");
	if (eh.phentsize != sizeof(struct elf64_phdr))
		return elf_fail(why, "unexpected program header size");
	if (!elf_in_buffer(eh.phoff, (uint64_t)eh.phnum * sizeof(struct elf64_phdr), size))
		return elf_fail(why, "program headers lie outside the file");

	for (unsigned int i = 0; i < eh.phnum; i++) {
		struct elf64_phdr ph;
		memcpy(&ph, (const char *)data + eh.phoff + i * sizeof(ph), sizeof(ph));
		err = elf_parse_phdr(&ph, size, out, why);
		if (err)
			return err;
	}
	if (out->nr_segments == 0)
		return elf_fail(why, "ELF file has no loadable segments");
	if (elf_segments_overlap(out))
		return elf_fail(why, "loadable segments overlap");
	out->entry = eh.entry;
	return 0;
}

int elf_load(const void *data, const struct elf_image *img,
	     void *(*to_mem)(void *ctx, uint64_t vaddr, uint64_t size), void *ctx)
{
	for (unsigned int i = 0; i < img->nr_segments; i++) {
		const struct elf_segment *seg = &img->segments[i];
		char *dst = to_mem(ctx, seg->vaddr, seg->memsz);

		if (!dst)
			return -HV_ERANGE;
		memcpy(dst, (const char *)data + seg->offset, seg->filesz);
		memset(dst + seg->filesz, 0, seg->memsz - seg->filesz);
	}
	return 0;
}
