/*
 * The host channel on x86: QEMU's ivshmem-plain PCI device (vendor 0x1af4, device 0x1110), whose BAR2 is
 * memory the host maps too (a memory-backend-file with share=on). Found through PCI configuration
 * mechanism 1 (ports 0xcf8/0xcfc) on bus 0, the only bus of QEMU's i440fx `pc` machine; this is the only
 * PCI the hypervisor does. SeaBIOS has assigned the BAR by the time we run; when it has not (address 0),
 * the channel stays off rather than guessing a free hole. Mapped 1:1, read-write, never executable,
 * cached (it is RAM behind the device).
 */
#include <tessera/arch.h>
#include <tessera/console.h>
#include <tessera/pgtable.h>
#include "io.h"
#include "paging.h"

#define PCI_ADDR 0xcf8
#define PCI_DATA 0xcfc

#define IVSHMEM_VENDOR 0x1af4
#define IVSHMEM_DEVICE 0x1110

#define PCI_COMMAND	   0x04
#define PCI_COMMAND_MEMORY (1u << 1)
#define PCI_HEADER_TYPE	   0x0c
#define PCI_BAR2	   0x18
#define BAR_IO		   (1u << 0)
#define BAR_TYPE_64	   (2u << 1)
#define BAR_TYPE_MASK	   (3u << 1)

static void *channel_base;
static uint64_t channel_size;

static uint32_t pci_read(unsigned int dev, unsigned int fn, unsigned int off)
{
	outl(PCI_ADDR, 0x80000000u | dev << 11 | fn << 8 | (off & 0xfc));
	return inl(PCI_DATA);
}

static void pci_write(unsigned int dev, unsigned int fn, unsigned int off, uint32_t v)
{
	outl(PCI_ADDR, 0x80000000u | dev << 11 | fn << 8 | (off & 0xfc));
	outl(PCI_DATA, v);
}

/* The BAR's address and size (sized the standard way: write all ones with decoding off, read back). */
static bool bar_read(unsigned int dev, unsigned int fn, unsigned int off, uint64_t *base, uint64_t *size)
{
	uint32_t cmd = pci_read(dev, fn, PCI_COMMAND);
	uint32_t lo = pci_read(dev, fn, off), hi = 0, szlo, szhi = 0xffffffffu;
	bool is64 = (lo & BAR_TYPE_MASK) == BAR_TYPE_64;

	if (lo & BAR_IO)
		return false;
	if (is64)
		hi = pci_read(dev, fn, off + 4);
	pci_write(dev, fn, PCI_COMMAND, cmd & ~PCI_COMMAND_MEMORY);
	pci_write(dev, fn, off, 0xffffffffu);
	szlo = pci_read(dev, fn, off);
	pci_write(dev, fn, off, lo);
	if (is64) {
		pci_write(dev, fn, off + 4, 0xffffffffu);
		szhi = pci_read(dev, fn, off + 4);
		pci_write(dev, fn, off + 4, hi);
	}
	pci_write(dev, fn, PCI_COMMAND, cmd);
	*base = ((uint64_t)hi << 32) | (lo & ~0xfu);
	*size = ~(((uint64_t)szhi << 32) | (szlo & ~0xfu)) + 1;
	if (!is64)
		*size &= 0xffffffffu;
	return true;
}

static bool probe_function(unsigned int dev, unsigned int fn)
{
	uint32_t id = pci_read(dev, fn, 0);
	uint64_t base, size;

	if ((id & 0xffff) != IVSHMEM_VENDOR || (id >> 16) != IVSHMEM_DEVICE)
		return false;
	if (!bar_read(dev, fn, PCI_BAR2, &base, &size) || !base || !size || (size & (size - 1)) ||
	    size < PAGE_SIZE) {
		pr_warn("host channel: ivshmem at 00:%02x.%u has no usable BAR2 (base %#llx size %#llx)", dev,
			fn, (unsigned long long)base, (unsigned long long)size);
		return true;
	}
	pci_write(dev, fn, PCI_COMMAND, pci_read(dev, fn, PCI_COMMAND) | PCI_COMMAND_MEMORY);
	if (x86_paging_set(base, size, PGF_READ | PGF_WRITE)) {
		pr_warn("host channel: cannot map %#llx+%#llx", (unsigned long long)base,
			(unsigned long long)size);
		return true;
	}
	channel_base = (void *)(uintptr_t)base;
	channel_size = size;
	pr_info("host channel: ivshmem at 00:%02x.%u, %llu KiB at %#llx", dev, fn,
		(unsigned long long)(size >> 10), (unsigned long long)base);
	return true;
}

void x86_pci_find_host_channel(void)
{
	for (unsigned int dev = 0; dev < 32; dev++) {
		uint32_t id = pci_read(dev, 0, 0);
		if ((id & 0xffff) == 0xffff)
			continue;
		unsigned int fns = (pci_read(dev, 0, PCI_HEADER_TYPE) >> 16) & 0x80 ? 8 : 1;
		for (unsigned int fn = 0; fn < fns; fn++)
			if (probe_function(dev, fn))
				return;
	}
}

bool arch_host_channel(void **base, uint64_t *size)
{
	*base = channel_base;
	*size = channel_size;
	return channel_base != NULL;
}
