/* elf_parse / elf_load on a hand-built ELF64 image and on corrupted copies of it. */
#include <criterion/criterion.h>
#include <string.h>
#include <tessera/elf.h>
#include <tessera/error.h>

#define EM_X86_64 62

/* A minimal executable: ELF header, two program headers (text, bss-tailed data), 16 bytes of code. */
struct test_elf {
	unsigned char ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
	struct {
		uint32_t type, flags;
		uint64_t offset, vaddr, paddr, filesz, memsz, align;
	} ph[2];
	unsigned char text[16];
	unsigned char data[8];
};

static struct test_elf elf_build(void)
{
	struct test_elf e;
	memset(&e, 0, sizeof(e));
	memcpy(e.ident, "\177ELF", 4);
	e.ident[4] = 2; /* 64-bit */
	e.ident[5] = 1; /* little-endian */
	e.ident[6] = 1;
	e.type = 2;
	e.machine = EM_X86_64;
	e.version = 1;
	e.entry = 0x100004;
	e.phoff = offsetof(struct test_elf, ph);
	e.ehsize = 64;
	e.phentsize = sizeof(e.ph[0]);
	e.phnum = 2;
	e.ph[0].type = 1;
	e.ph[0].flags = 5; /* R X */
	e.ph[0].offset = offsetof(struct test_elf, text);
	e.ph[0].vaddr = 0x100000;
	e.ph[0].filesz = e.ph[0].memsz = sizeof(e.text);
	e.ph[1].type = 1;
	e.ph[1].flags = 6; /* R W */
	e.ph[1].offset = offsetof(struct test_elf, data);
	e.ph[1].vaddr = 0x101000;
	e.ph[1].filesz = sizeof(e.data);
	e.ph[1].memsz = 0x100; /* bss tail */
	for (unsigned i = 0; i < sizeof(e.text); i++)
		e.text[i] = 0x90 + i;
	memset(e.data, 0xab, sizeof(e.data));
	return e;
}

Test(elf, parses_a_valid_image)
{
	struct test_elf e = elf_build();
	struct elf_image img;
	const char *why = NULL;

	cr_assert_eq(elf_parse(&e, sizeof(e), EM_X86_64, &img, &why), 0, "%s", why);
	cr_assert_eq(img.entry, 0x100004);
	cr_assert_eq(img.nr_segments, 2);
	cr_assert_eq(img.lowest, 0x100000);
	cr_assert_eq(img.highest, 0x101100);
	cr_assert_eq(img.segments[1].memsz, 0x100);
	cr_assert_eq(img.segments[1].filesz, 8);
	cr_assert_eq(img.segments[0].flags, 5);
}

struct load_ctx {
	unsigned char mem[0x2000];
	uint64_t base;
};

static void *load_to_mem(void *ctx, uint64_t vaddr, uint64_t size)
{
	struct load_ctx *c = ctx;
	if (vaddr < c->base || vaddr - c->base + size > sizeof(c->mem))
		return NULL;
	return c->mem + (vaddr - c->base);
}

Test(elf, loads_segments_and_zeroes_bss)
{
	struct test_elf e = elf_build();
	struct elf_image img;
	static struct load_ctx ctx;

	cr_assert_eq(elf_parse(&e, sizeof(e), EM_X86_64, &img, NULL), 0);
	memset(ctx.mem, 0x55, sizeof(ctx.mem));
	ctx.base = 0x100000;
	cr_assert_eq(elf_load(&e, &img, load_to_mem, &ctx), 0);
	cr_assert_eq(memcmp(ctx.mem, e.text, sizeof(e.text)), 0);
	cr_assert_eq(ctx.mem[0x1000], 0xab);
	cr_assert_eq(ctx.mem[0x1007], 0xab);
	for (unsigned i = 8; i < 0x100; i++)
		cr_assert_eq(ctx.mem[0x1000 + i], 0, "bss byte %u not cleared", i);
	cr_assert_eq(ctx.mem[0x1100], 0x55, "wrote past the segment");
}

Test(elf, load_refuses_unmapped_segment)
{
	struct test_elf e = elf_build();
	struct elf_image img;
	static struct load_ctx ctx;

	cr_assert_eq(elf_parse(&e, sizeof(e), EM_X86_64, &img, NULL), 0);
	ctx.base = 0x200000;
	cr_assert_eq(elf_load(&e, &img, load_to_mem, &ctx), -HV_ERANGE);
}

/* Each corruption must be refused with an error and a reason. */
static void expect_refused(struct test_elf *e, size_t size, uint16_t machine)
{
	struct elf_image img;
	const char *why = NULL;
	cr_assert_eq(elf_parse(e, size, machine, &img, &why), -HV_EINVAL);
	cr_assert_not_null(why);
}

Test(elf, refuses_corrupt_images)
{
	struct test_elf e;

	e = elf_build();
	expect_refused(&e, 10, EM_X86_64); /* truncated header */
	e = elf_build();
	expect_refused(&e, offsetof(struct test_elf, ph) + 20, EM_X86_64); /* truncated program headers */
	e = elf_build();
	expect_refused(&e, offsetof(struct test_elf, text) + 4, EM_X86_64); /* truncated segment data */
	e = elf_build();
	e.ident[0] = 0;
	expect_refused(&e, sizeof(e), EM_X86_64);
	e = elf_build();
	e.ident[4] = 1; /* 32-bit */
	expect_refused(&e, sizeof(e), EM_X86_64);
	e = elf_build();
	e.ident[5] = 2; /* big-endian */
	expect_refused(&e, sizeof(e), EM_X86_64);
	e = elf_build();
	e.type = 3; /* shared object */
	expect_refused(&e, sizeof(e), EM_X86_64);
	e = elf_build();
	expect_refused(&e, sizeof(e), 183); /* wrong machine */
	e = elf_build();
	e.phnum = 0;
	expect_refused(&e, sizeof(e), EM_X86_64);
	e = elf_build();
	e.phentsize = 32;
	expect_refused(&e, sizeof(e), EM_X86_64);
	e = elf_build();
	e.phoff = UINT64_MAX - 8; /* offset overflow */
	expect_refused(&e, sizeof(e), EM_X86_64);
	e = elf_build();
	e.ph[1].filesz = 0x200; /* filesz > memsz */
	expect_refused(&e, sizeof(e), EM_X86_64);
	e = elf_build();
	e.ph[0].offset = UINT64_MAX; /* data offset overflow */
	expect_refused(&e, sizeof(e), EM_X86_64);
	e = elf_build();
	e.ph[0].vaddr = UINT64_MAX - 4; /* wraps */
	expect_refused(&e, sizeof(e), EM_X86_64);
	e = elf_build();
	e.ph[1].vaddr = 0x100008; /* overlaps the text */
	expect_refused(&e, sizeof(e), EM_X86_64);
	e = elf_build();
	e.ph[0].type = 4;
	e.ph[1].type = 4; /* no PT_LOAD */
	expect_refused(&e, sizeof(e), EM_X86_64);
}
