#!/usr/bin/env python3
"""Writes the tiny ELF64 x86_64 images the config tests use (run it again after changing it; the outputs
are committed so that `tessera config check tests/configs/...` works by hand too).

  hello.elf, probe.elf  text at 1 MiB (4 KiB, R X), data at 1 MiB + 4 KiB (4 KiB in file, 8 KiB in memory)
  big.elf               the same with 8 MiB of bss: too big for a 4 MiB region
  corrupt.elf           not an ELF file
"""
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))


def elf(segments, entry):
    """segments: list of (vaddr, filesz, memsz, flags)."""
    ehdr_size, phdr_size = 64, 56
    data_off = 0x1000
    phdrs, body, off = b"", b"", data_off
    for vaddr, filesz, memsz, flags in segments:
        phdrs += struct.pack("<IIQQQQQQ", 1, flags, off, vaddr, vaddr, filesz, memsz, 0x1000)
        body += bytes([0x90]) * filesz
        off += filesz
    ident = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    ehdr = ident + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, entry, ehdr_size, 0, 0, ehdr_size, phdr_size,
                               len(segments), 64, 0, 0)
    head = ehdr + phdrs
    return head + bytes(data_off - len(head)) + body


normal = [(0x100000, 0x1000, 0x1000, 5), (0x101000, 0x1000, 0x2000, 6)]
for name, img in {
    "hello.elf": elf(normal, 0x100000),
    "probe.elf": elf(normal, 0x100000),
    "big.elf": elf([(0x100000, 0x1000, 0x1000, 5), (0x101000, 0x1000, 0x800000, 6)], 0x100000),
    "corrupt.elf": b"this is not an ELF file\n",
    # Another image with hello.elf's base name (another entry point): two cells naming both must be
    # refused, since the hypervisor finds images by base name.
    "other/hello.elf": elf(normal, 0x100010),
}.items():
    os.makedirs(os.path.dirname(os.path.join(here, name)), exist_ok=True)
    with open(os.path.join(here, name), "wb") as f:
        f.write(img)
