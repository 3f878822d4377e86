/*
 * I/O ports the cell's config does not grant: the hypervisor's console (COM1), machine exit and reset
 * (0xf4 isa-debug-exit, keyboard controller, 0xcf9, port 0x92), PCI configuration, the PIC, the PIT, CMOS,
 * POST, the APM/SMI port, and a string instruction (a different decode path). Run last: a port that is
 * wrongly granted may end the machine, and then the missing TESTS line shows it.
 */
#include "probe.h"

struct port_args {
	uint16_t port;
	uint8_t width; /* 1, 2 or 4 */
	bool write;
	uint32_t value;
};

static uint64_t port_access(void *arg)
{
	struct port_args *a = arg;
	uint32_t v = a->value;

	if (a->write) {
		switch (a->width) {
		case 1: __asm__ volatile("outb %b0, %w1" ::"a"((uint8_t)v), "Nd"(a->port)); break;
		case 2: __asm__ volatile("outw %w0, %w1" ::"a"((uint16_t)v), "Nd"(a->port)); break;
		default: __asm__ volatile("outl %0, %w1" ::"a"(v), "Nd"(a->port)); break;
		}
		return 0;
	}
	switch (a->width) {
	case 1: {
		uint8_t b;
		__asm__ volatile("inb %w1, %b0" : "=a"(b) : "Nd"(a->port));
		return b;
	}
	case 2: {
		uint16_t w;
		__asm__ volatile("inw %w1, %w0" : "=a"(w) : "Nd"(a->port));
		return w;
	}
	default: __asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(a->port)); return v;
	}
}

static uint64_t port_outsb(void *arg)
{
	static const char text[] = "PROBE\n";
	const char *src = text;
	uint64_t count = sizeof(text) - 1;
	__asm__ volatile("rep outsb" : "+S"(src), "+c"(count) : "d"(*(uint16_t *)arg) : "memory");
	return count;
}

static void try_port(const char *name, uint16_t port, uint8_t width, bool write, uint32_t value)
{
	struct port_args a = {port, width, write, value};
	probe_attempt(name, port_access, &a);
}

void probe_ports(struct probe *p)
{
	uint16_t com1 = 0x3f8;
	(void)p;

	try_port("pio_com1_write", 0x3f8, 1, true, 'X');
	try_port("pio_com1_lsr_read", 0x3fd, 1, false, 0);
	probe_attempt("pio_com1_rep_outsb", port_outsb, &com1);
	try_port("pio_pci_addr_write", 0xcf8, 4, true, 0x80000000);
	try_port("pio_pci_data_read", 0xcfc, 4, false, 0);
	try_port("pio_pic_mask_read", 0x21, 1, false, 0);
	try_port("pio_pic_mask_write", 0x21, 1, true, 0xff);
	try_port("pio_pic_cmd_write", 0x20, 1, true, 0x20);
	try_port("pio_pit_mode_write", 0x43, 1, true, 0x34);
	try_port("pio_pit_counter_read", 0x40, 1, false, 0);
	try_port("pio_cmos_index_write", 0x70, 1, true, 0x0f);
	try_port("pio_cmos_data_read", 0x71, 1, false, 0);
	try_port("pio_post_write", 0x80, 1, true, 0x55);
	try_port("pio_apm_smi_write", 0xb2, 1, true, 0);
	/* These end or reset the machine if they get through. */
	try_port("pio_debug_exit_write", 0xf4, 4, true, 0);
	try_port("pio_kbc_reset_write", 0x64, 1, true, 0xfe);
	try_port("pio_reset_cf9_write", 0xcf9, 1, true, 0x06);
	try_port("pio_fast_a20_reset_write", 0x92, 1, true, 0x01);
}
